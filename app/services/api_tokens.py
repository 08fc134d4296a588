"""Per-user API tokens: shown once, stored as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, AuditLog, User, utcnow

PREFIX = "rt_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """Create a token for a user; return the row and the clear token (never stored)."""
    clear = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name.strip()[:120] or "API", token_hash=_digest(clear),
                     prefix=clear[:12])
    db.session.add(token)
    db.session.add(AuditLog(company_id=user.company_id, actor_id=actor.id, action="api_token.create",
                            target=f"user:{user.id}", details={"name": token.name, "prefix": token.prefix}))
    db.session.flush()
    return token, clear


def revoke(*, token: ApiToken, actor: User) -> None:
    """Revoke a token now (idempotent)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        owner = db.session.get(User, token.user_id)
        db.session.add(AuditLog(company_id=owner.company_id if owner else actor.company_id, actor_id=actor.id,
                                action="api_token.revoke", target=f"user:{token.user_id}",
                                details={"prefix": token.prefix}))
    db.session.flush()


def authenticate(clear: str) -> User | None:
    """The active user owning a valid, unrevoked token; marks the token as used."""
    if not clear.startswith(PREFIX) or len(clear) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(clear)))
    if token is None or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
    return user


def tokens_of(user_ids: sa.Select[tuple[int]] | list[int]) -> list[ApiToken]:
    """Tokens of the given users, newest first."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id.in_(user_ids)).order_by(ApiToken.created_at.desc())
    ))
