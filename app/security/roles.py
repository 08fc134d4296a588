"""Role checks for views: `@roles_required(Role.ADMIN)`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from app.models import Role
from app.security.scope import Scope

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only logged-in users with one of the roles in; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def current_scope() -> Scope:
    """The scope of the logged-in user (views only; services take a Scope argument)."""
    return Scope.of(current_user._get_current_object())
