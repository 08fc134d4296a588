"""Daily score snapshots: why each customer is a priority on a given day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONType, UTCDateTime, utcnow


class ScoreSnapshot(Base):
    """A customer's score for one day, with its components, flags and reasons."""

    __tablename__ = "score_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "score_date"),
        sa.Index("ix_score_snapshots_company_day_total", "company_id", "score_date", "total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    score_date: Mapped[date] = mapped_column(sa.Date)
    total: Mapped[float] = mapped_column(sa.Float)
    # Bitmask of optimizer.scoring flags (service gap, purchase lapse, rescue...).
    flags: Mapped[int] = mapped_column(default=0)
    components: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # [{"key": "days_without_purchase", "values": {"days": 32, "cycle": 14}}, ...]
    reasons: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    offers: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    cycle_days: Mapped[float | None] = mapped_column(sa.Float)
    settings_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
