"""Flask-Login wiring: how a session or remember cookie becomes a user, through a live login."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from app.extensions import login_manager
from app.models import User
from app.services import logins
from app.transactions import request_may_write

log = logging.getLogger(__name__)


@login_manager.user_loader
def load_user(key: str) -> User | None:
    """The user of a cookie's login; None when that login was ended, expired or the user blocked."""
    found = logins.find(key)
    if found is None:
        return None
    login, user = found
    g.current_login = login
    return user


def current_login_id() -> int | None:
    """Id of the login this request came through (None when anonymous)."""
    login = g.get("current_login") if current_user.is_authenticated else None
    return login.id if login is not None else None


def touch_login() -> None:
    """Refresh the login's "last seen" when stale: one short write every few minutes at most.

    Only writing requests note it, inside their own transaction (committed with their work
    at the request's end, see app/transactions.py): a GET never writes. "Last seen" is thus
    the last time the login changed something, within a few minutes.
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    if not request_may_write():
        return
    login = g.get("current_login")
    if login is not None and logins.needs_touch(login):
        logins.touch(login.id)


def configure_login(app: Flask) -> None:
    """Attach Flask-Login and its messages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.before_request(touch_login)


def log_in(user: User, *, remember: bool) -> None:
    """Start a new revocable login of ``user`` on this device and hand it its cookies.

    A fresh secret per login: "keep me logged in" cookies of two logins never match, and
    ending one leaves the others alone.
    """
    config = current_app.config
    lifetime = (
        config["REMEMBER_COOKIE_DURATION"] if remember else current_app.permanent_session_lifetime
    )
    logins.start(
        user=user,
        remember=remember,
        lifetime=lifetime,
        user_agent=request.user_agent.string,
        address=request.remote_addr,
    )
    session.clear()
    login_user(user, remember=remember)


def log_in_again(user: User) -> None:
    """After the user's logins were all ended (own password change), keep this device logged in.

    The new login gets new cookies; the ones this device held before are refused like any
    other copy of them.
    """
    login = g.get("current_login")
    log_in(user, remember=bool(login is not None and login.remember))


def log_out() -> None:
    """End this device's login server-side, then drop the session and the remember cookie."""
    key = current_user.login_key if current_user.is_authenticated else None
    if key:
        logins.end(key)
    session.clear()
    logout_user()  # after clear(): it asks for the remember cookie to be deleted
