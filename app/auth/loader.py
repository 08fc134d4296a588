"""Flask-Login wiring: how a session cookie becomes a user."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.extensions import db, login_manager
from app.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the user of a session; deactivated users are logged out."""
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def configure_login(app: Flask) -> None:
    """Attach Flask-Login and its messages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
