"""Bearer-token authentication of API requests (session cookies are ignored here)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, request

from app.models import Role, User
from app.security.scope import Scope
from app.services import api_tokens
from app.transactions import request_may_write


def authenticate_request() -> None:
    """before_request of API blueprints: 401 without a valid token."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    found = api_tokens.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        abort(401, description="A valid API token is required (Authorization: Bearer ...).")
    user, api_token = found
    if request_may_write() and api_tokens.use_is_due(api_token):
        # Recorded in the request's own transaction: kept when the request's work commits.
        api_tokens.mark_used(api_token)
    g.api_user = user


def api_user() -> User:
    """The user of the current API request."""
    return g.api_user


def api_scope() -> Scope:
    """The ownership scope of the API user."""
    return Scope.of(api_user())


F = TypeVar("F", bound=Callable[..., Any])


def admin_only(view: F) -> F:
    """Refuse non-administrators before the body is read: a 403, never a 422 first.

    Placed above ``@blueprint.arguments`` so the role is checked before validation.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        require_admin()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def require_admin() -> User:
    """Company-wide writes are for administrators; others get 403."""
    user = api_user()
    if user.role != Role.ADMIN:
        abort(403, description="Only administrators may write company data.")
    return user
