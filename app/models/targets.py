"""Monthly targets a supervisor (or admin) sets for a rep's portfolio or for a whole team."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class MonthlyTarget(Base):
    """Coverage (atendimento) and positivação targets, in percent, for one month.

    Exactly one of ``user_id`` (a portfolio owner: rep or telesales seat) and ``team_id`` (the
    team's whole base) is set. ``month`` is the first day of the month. A blank percentage
    means no target for that figure.
    """

    __tablename__ = "monthly_targets"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "month", "user_id"),
        sa.UniqueConstraint("company_id", "month", "team_id"),
        sa.CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)", name="one_subject"),
        sa.CheckConstraint(
            "coverage_pct IS NULL OR (coverage_pct >= 0 AND coverage_pct <= 100)",
            name="coverage_pct",
        ),
        sa.CheckConstraint(
            "activation_pct IS NULL OR (activation_pct >= 0 AND activation_pct <= 100)",
            name="activation_pct",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    month: Mapped[date] = mapped_column(sa.Date)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    coverage_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    activation_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
