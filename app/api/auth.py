"""Bearer-token authentication of API requests (session cookies are ignored here)."""

from __future__ import annotations

from flask import abort, g, request

from app.extensions import db
from app.models import Role, User
from app.security.scope import Scope
from app.services import api_tokens


def authenticate_request() -> None:
    """before_request of API blueprints: 401 without a valid token."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    user = api_tokens.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        abort(401, description="A valid API token is required (Authorization: Bearer ...).")
    if db.session.dirty:
        db.session.commit()  # keep last_used_at even when the request later fails
    g.api_user = user


def api_user() -> User:
    """The user of the current API request."""
    return g.api_user  # type: ignore[no-any-return]


def api_scope() -> Scope:
    """The ownership scope of the API user."""
    return Scope.of(api_user())


def require_admin() -> User:
    """Company-wide writes are for administrators; others get 403."""
    user = api_user()
    if user.role != Role.ADMIN:
        abort(403, description="Only administrators may write company data.")
    return user
