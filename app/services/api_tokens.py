"""Per-user API tokens: shown once, stored as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, AuditLog, User, utcnow
from app.services.errors import NotFound

PREFIX = "rt_"
# How precisely "last used" is kept. It is written only by requests that may write (a GET
# never writes: see app/transactions.py), inside their own transaction, and at most once per
# token per this interval, so twin writing requests do not queue to re-write one timestamp.
USE_PRECISION = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """Create a token for a user; return the row and the clear token (never stored)."""
    clear = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:120] or "API",
        token_hash=_digest(clear),
        prefix=clear[:12],
    )
    db.session.add(token)
    db.session.add(
        AuditLog(
            company_id=user.company_id,
            actor_id=actor.id,
            action="api_token.create",
            target=f"user:{user.id}",
            details={"name": token.name, "prefix": token.prefix},
        )
    )
    db.session.flush()
    return token, clear


def visible_token(*, token_id: int, user_ids: Any) -> ApiToken:
    """A token of one of ``user_ids`` (a list or a sub-select); NotFound for any other."""
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id.in_(user_ids))
    )
    if token is None:
        raise NotFound("token")
    return token


def revoke(*, token: ApiToken, actor: User) -> None:
    """Revoke a token now (idempotent)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        owner = db.session.get(User, token.user_id)
        db.session.add(
            AuditLog(
                company_id=owner.company_id if owner else actor.company_id,
                actor_id=actor.id,
                action="api_token.revoke",
                target=f"user:{token.user_id}",
                details={"prefix": token.prefix},
            )
        )
    db.session.flush()


def authenticate(clear: str) -> tuple[User, ApiToken] | None:
    """The active user owning a valid, unrevoked token, and the token; reads only."""
    if not clear.startswith(PREFIX) or len(clear) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(clear)))
    if token is None or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return user, token


def use_is_due(token: ApiToken, now: datetime | None = None) -> bool:
    """Whether the token's last use is older than USE_PRECISION (and so worth writing)."""
    now = now or utcnow()
    return token.last_used_at is None or now - token.last_used_at >= USE_PRECISION


def mark_used(token: ApiToken, now: datetime | None = None) -> bool:
    """Record that the token was used now, at most once per USE_PRECISION; True if written.

    One conditional UPDATE: of twin requests arriving together, one writes and the others
    match no row, so no request waits on another to re-write the same timestamp.
    """
    now = now or utcnow()
    result = db.session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == token.id,
            sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - USE_PRECISION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def tokens_of(user_ids: sa.Select[int] | list[int]) -> list[ApiToken]:
    """Tokens of the given users, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id.in_(user_ids))
            .order_by(ApiToken.created_at.desc())
        )
    )
