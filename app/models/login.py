"""One login of a user on one device: what makes a session cookie or remember cookie valid."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class UserLogin(Base):
    """A live login: the session and "keep me logged in" cookies carry its secret, we keep the hash.

    Deleting the row ends that login everywhere its cookies were copied to: logout deletes
    one row, a password change, reset, role change or deactivation deletes all of a user's.
    """

    __tablename__ = "user_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    address: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RateLimitCounter(Base):
    """A fixed-window hit counter of the login limits, when they live in the database.

    Shared by every worker and process (unlike per-process memory); Redis replaces it when
    configured. See app/security/limits.py.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    hits: Mapped[int] = mapped_column()
    expires_at: Mapped[float] = mapped_column(sa.Float)  # Unix time: the window's end
