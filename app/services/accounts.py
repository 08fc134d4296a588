"""User accounts: authentication, passwords, preferences."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import User, utcnow

# Checked against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10


def authenticate(*, email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (without saying why)."""
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def password_problems(password: str) -> list[str]:
    """List what makes a password too weak (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("too_short")
    if password.isdigit() or password.isalpha():
        problems.append("needs_letters_and_digits")
    return problems


def set_locale(*, user: User, locale: str) -> None:
    """Remember the user's interface language."""
    user.locale = locale
