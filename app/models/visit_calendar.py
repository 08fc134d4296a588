"""Stored visit calendars: each customer's regular slot in its rep's four-week cycle.

The optimiser (``optimizer/visit_calendar``) proposes the calendar; these rows keep the one in
force, so the nightly run reads it instead of solving again, supervisors can move and pin
customers, and the next solve uses it as its stability reference. A cycle is four weeks
starting on ``cycle_start`` (a Monday) and repeats: any date falls in week
``(date - cycle_start).days // 7 % 4`` of it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONType, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from app.models.customer import Customer
    from app.models.user import User

CYCLE_WEEKS = 4


class CalendarStatus(enum.StrEnum):
    """How sure the solver was of the stored calendar, or why there is none yet."""

    PENDING = "pending"  # created, never solved
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a calendar, with the gap reported
    INFEASIBLE = "infeasible"  # no calendar fits: the conflicts say why; old slots kept
    UNKNOWN = "unknown"  # the solver found nothing in time; old slots kept


class CalendarTrigger(enum.StrEnum):
    """Why a calendar was (re)computed or marked for recomputation."""

    SETUP = "setup"  # first calendar of a rep (command, demo, nightly finding none)
    PORTFOLIO = "portfolio"  # a customer was added, moved, lost or changed cadence
    SUPERVISOR = "supervisor"  # a supervisor asked to re-optimise
    SETTINGS = "settings"  # the delivery rule or lead time changed
    WORK_PROFILE = "work_profile"  # the rep's working week, hours or base changed


class VisitCalendar(Base):
    """A rep's calendar in force: the cycle, the solver's figures and whether it is stale.

    ``stale`` is set when the portfolio changed since ``computed_at`` (the nightly run
    recomputes stale calendars before it plans); ``stale_reason`` keeps the first reason.
    """

    __tablename__ = "visit_calendars"
    __table_args__ = (
        sa.UniqueConstraint("user_id"),
        sa.Index("ix_visit_calendars_company_stale", "company_id", "stale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    cycle_start: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[CalendarStatus] = mapped_column(
        str_enum(CalendarStatus), default=CalendarStatus.PENDING
    )
    # Solver figures of the last solve, in seconds of weighted workload (see optimizer docs).
    objective: Mapped[float | None] = mapped_column(sa.Float)
    best_bound: Mapped[float | None] = mapped_column(sa.Float)
    gap: Mapped[float | None] = mapped_column(sa.Float)
    solve_seconds: Mapped[float | None] = mapped_column(sa.Float)
    changed: Mapped[int] = mapped_column(default=0)  # customers moved by the last solve
    # [{"customer_id": 12 | null, "reason": "closed_on_working_days"}, ...]
    conflicts: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    settings_version: Mapped[int] = mapped_column(default=0)
    trigger: Mapped[CalendarTrigger] = mapped_column(
        str_enum(CalendarTrigger), default=CalendarTrigger.SETUP
    )
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    computed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    stale: Mapped[bool] = mapped_column(default=True)
    stale_reason: Mapped[CalendarTrigger | None] = mapped_column(str_enum(CalendarTrigger))
    stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    slots: Mapped[list[CalendarSlot]] = relationship(
        back_populates="calendar", cascade="all, delete-orphan", order_by="CalendarSlot.id"
    )

    def week_of(self, day: date) -> int:
        """Return the week of the cycle (0-3) a date falls in; the cycle repeats."""
        return (day - self.cycle_start).days // 7 % CYCLE_WEEKS


class CalendarSlot(Base):
    """One customer's regular slot: a weekday and the weeks of the cycle it is visited.

    ``weeks`` is a bit mask (bit w = week w of the cycle, 0-3), as ``delivery_weekdays``
    is for weekdays. A pinned slot is kept by every recomputation.
    """

    __tablename__ = "visit_calendar_slots"
    __table_args__ = (
        sa.UniqueConstraint("calendar_id", "customer_id"),
        sa.Index("ix_visit_calendar_slots_customer", "customer_id"),
        sa.Index("ix_visit_calendar_slots_calendar_weekday", "calendar_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(
        sa.ForeignKey("visit_calendars.id", ondelete="CASCADE")
    )
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)  # 0 = Monday
    weeks: Mapped[int] = mapped_column(sa.SmallInteger)  # bit mask of weeks 0-3
    pinned: Mapped[bool] = mapped_column(default=False)
    pinned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    pinned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who put it here by hand (a supervisor's move); None: the solver chose it.
    moved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    calendar: Mapped[VisitCalendar] = relationship(back_populates="slots")
    customer: Mapped[Customer] = relationship()

    @property
    def week_list(self) -> tuple[int, ...]:
        """Return the weeks of the cycle (0-3) this slot is visited."""
        return tuple(w for w in range(CYCLE_WEEKS) if self.weeks >> w & 1)

    def visits_on(self, week: int, weekday: int) -> bool:
        """Tell whether this slot's customer is visited on ``weekday`` of ``week``."""
        return self.weekday == weekday and bool(self.weeks >> week & 1)


def weeks_mask(weeks: tuple[int, ...] | list[int]) -> int:
    """Return the bit mask of some weeks of the cycle (0-3)."""
    mask = 0
    for w in weeks:
        if not 0 <= w < CYCLE_WEEKS:
            raise ValueError(f"week must be in 0-{CYCLE_WEEKS - 1}, got {w}")
        mask |= 1 << w
    return mask
