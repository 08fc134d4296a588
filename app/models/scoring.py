"""Daily score snapshots: why each customer is a priority on a given day."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONType, UTCDateTime, str_enum, utcnow
from optimizer.scoring.flags import RESCUE


class ScorePurpose(enum.StrEnum):
    """What a contact with the customer is for; the values are optimizer.scoring.PURPOSE_NAMES."""

    SALES = "sales"
    COLLECT_ONLY = "collect_only"
    NONE = "none"
    REACTIVATION = "reactivation"


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
    # What a contact is for: optimizer.scoring.PURPOSE_NAMES (NULL in snapshots written before
    # purposes existed: see ``purpose_name``).
    purpose: Mapped[ScorePurpose | None] = mapped_column(str_enum(ScorePurpose, length=16))
    # The one average ticket (docs/kpis.md), what the customer brings a month by its own cycle,
    # and the monthly revenue at stake (R$); NULL in older snapshots.
    avg_ticket: Mapped[float | None] = mapped_column(sa.Float)
    monthly_value: Mapped[float | None] = mapped_column(sa.Float)
    value_at_stake: Mapped[float | None] = mapped_column(sa.Float)
    settings_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def purpose_name(purpose: str | None, flags: int) -> ScorePurpose:
    """A snapshot's purpose; for snapshots older than purposes, read from the flags."""
    if purpose:
        return ScorePurpose(purpose)
    return ScorePurpose.REACTIVATION if flags & RESCUE else ScorePurpose.SALES


class ScoreHistory(Base):
    """A score snapshot past the company's full-detail window, kept as the few
    numbers history needs.

    The nightly run moves snapshots older than ``snapshot_full_days`` here (see
    app/services/score_retention.py): a full snapshot carries its components, reasons and offers
    as JSON (hundreds of bytes), this row about 30 bytes, so a year of 200,000 customers stays
    small while dashboards for a past period still find each customer's score, flags, purpose,
    cycle and monthly value. No surrogate key: (customer, day) is the row's identity.
    """

    __tablename__ = "score_history"
    __table_args__ = (sa.Index("ix_score_history_company_day", "company_id", "score_date"),)

    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), primary_key=True)
    score_date: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    total: Mapped[float] = mapped_column(sa.REAL)
    flags: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    # Index into optimizer.scoring.PURPOSE_NAMES; NULL when the snapshot had no purpose.
    purpose_code: Mapped[int | None] = mapped_column(sa.SmallInteger)
    cycle_days: Mapped[float | None] = mapped_column(sa.REAL)
    monthly_value: Mapped[float | None] = mapped_column(sa.REAL)
