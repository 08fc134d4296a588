"""Revocable logins: each login on a device is a row; its secret is what the cookies carry.

Flask-Login keeps ``user.get_id()`` in the session cookie and, for "keep me logged in", in
the remember cookie. Here that id is a random secret made at each login (so two logins
never share a cookie) whose SHA-256 is stored with the device, the address and the dates.
A cookie is only good while its row exists: logout deletes the row of that login, and a
password change, an administrator's reset, a role change or a deactivation delete every
row of the user (:func:`revoke_all`), so copied or stolen cookies stop working at once.
Functions flush, never commit.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, User, UserLogin, utcnow
from app.services.errors import NotFound

# How stale ``last_seen_at`` may get before a request refreshes it: a bounded write, not
# one per request.
TOUCH_EVERY = timedelta(minutes=5)
USER_AGENT_MAX = 300


def digest(key: str) -> str:
    """SHA-256 of a login secret, the only form it is stored in."""
    return hashlib.sha256(key.encode()).hexdigest()


def start(
    *,
    user: User,
    remember: bool,
    lifetime: timedelta,
    user_agent: str | None,
    address: str | None,
) -> str:
    """Record a new login of ``user`` and return its secret (to become ``user.get_id()``).

    The user's expired logins are swept at the same time, so the table holds live rows only.
    """
    now = utcnow()
    db.session.execute(
        sa.delete(UserLogin).where(UserLogin.user_id == user.id, UserLogin.expires_at <= now)
    )
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserLogin(
            user_id=user.id,
            token_hash=digest(key),
            remember=remember,
            user_agent=(user_agent or "")[:USER_AGENT_MAX] or None,
            address=(address or "")[:64] or None,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    user.login_key = key
    return key


def find(key: str) -> tuple[UserLogin, User] | None:
    """The live login with this secret and its active user, or None (revoked, expired, unknown)."""
    if not key or len(key) > 100:
        return None
    row = db.session.execute(
        sa.select(UserLogin, User)
        .join(User, User.id == UserLogin.user_id)
        .where(
            UserLogin.token_hash == digest(key),
            UserLogin.expires_at > utcnow(),
            User.active.is_(True),
        )
    ).first()
    if row is None:
        return None
    login, user = row
    user.login_key = key
    return login, user


def needs_touch(login: UserLogin, now: datetime | None = None) -> bool:
    """Whether the login's ``last_seen_at`` is stale enough to be written again."""
    return (now or utcnow()) - login.last_seen_at >= TOUCH_EVERY


def touch(login_id: int) -> None:
    """Note that a login was just used (called at most every :data:`TOUCH_EVERY`)."""
    db.session.execute(
        sa.update(UserLogin).where(UserLogin.id == login_id).values(last_seen_at=utcnow())
    )


def end(key: str) -> None:
    """Delete the login with this secret (logout): its cookies are refused from now on."""
    db.session.execute(sa.delete(UserLogin).where(UserLogin.token_hash == digest(key)))


def of_user(user_id: int) -> list[UserLogin]:
    """The user's live logins, most recently used first."""
    return list(
        db.session.scalars(
            sa.select(UserLogin)
            .where(UserLogin.user_id == user_id, UserLogin.expires_at > utcnow())
            .order_by(UserLogin.last_seen_at.desc(), UserLogin.id.desc())
        )
    )


def _audit(actor: User | None, user: User, action: str, details: dict[str, object]) -> None:
    db.session.add(
        AuditLog(
            company_id=user.company_id,
            actor_id=actor.id if actor else None,
            action=action,
            target=f"user:{user.id}",
            details=details,
        )
    )


def revoke(*, actor: User | None, user: User, login_id: int) -> None:
    """End one login of ``user`` (from their page or an administrator's); NotFound if not theirs."""
    login = db.session.scalar(
        sa.select(UserLogin).where(UserLogin.id == login_id, UserLogin.user_id == user.id)
    )
    if login is None:
        raise NotFound("login")
    _audit(actor, user, "user.login.revoke", {"device": device_label(login.user_agent)})
    db.session.delete(login)
    db.session.flush()


def revoke_all(*, actor: User | None, user: User, reason: str) -> int:
    """End every login of ``user`` (their cookies everywhere stop working); return how many."""
    ended = db.session.execute(sa.delete(UserLogin).where(UserLogin.user_id == user.id))
    count = int(ended.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        _audit(actor, user, "user.login.revoke_all", {"reason": reason, "logins": count})
    db.session.flush()
    return count


def revoke_all_of(user_ids: list[int]) -> None:
    """End every login of these users (a bulk change such as the users import)."""
    if user_ids:
        db.session.execute(sa.delete(UserLogin).where(UserLogin.user_id.in_(user_ids)))


_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def device_label(user_agent: str | None) -> str:
    """A short "browser · system" name for a user agent, so people recognise their devices."""
    ua = user_agent or ""
    browser = next((name for name, rx in _BROWSERS if rx.search(ua)), None)
    system = next((name for name, rx in _SYSTEMS if rx.search(ua)), None)
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else (ua[:60] or "?")
