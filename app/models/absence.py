"""Absence covers: who takes an absent rep's must-do visits on one day, proposed then applied."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONType, UTCDateTime, str_enum, utcnow
from app.models.customer import Customer


class CoverStatus(enum.StrEnum):
    """A proposal is edited until applied (written to plans and lists) or set aside."""

    PROPOSED = "proposed"
    APPLIED = "applied"
    DISCARDED = "discarded"


class CoverKind(enum.StrEnum):
    """Why a visit of the absent rep could not wait."""

    APPOINTMENT = "appointment"
    COLLECTION = "collection"
    RESCUE = "rescue"
    URGENT = "urgent"


class CoverAction(enum.StrEnum):
    """What the proposal does with a visit."""

    VISIT = "visit"  # another rep visits it that day
    CALL = "call"  # a telesales seat calls it that day
    UNPLACED = "unplaced"  # nobody could take it (reason says why)
    REMOVED = "removed"  # the supervisor took it out of the proposal


class AbsenceCover(Base):
    """The redistribution of one absent rep's day: a proposal, edited, then applied once."""

    __tablename__ = "absence_covers"
    __table_args__ = (sa.Index("ix_absence_covers_company_day", "company_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    absent_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[CoverStatus] = mapped_column(str_enum(CoverStatus), default=CoverStatus.PROPOSED)
    # The supervisor's two knobs: how many "other" urgent visits join the must-do ones, and
    # how many calls the team's telesales seats can take for this day.
    urgent_count: Mapped[int] = mapped_column(default=6)
    phone_capacity: Mapped[int] = mapped_column(default=0)
    # At most this many visits the solver gives one rep (the supervisor's own choices aside).
    max_added: Mapped[int] = mapped_column(default=4)
    # Per receiving rep: {"<user id>": {"added_m": .., "added_s": .., "end_later_s": ..,
    # "plan_revision": .. or null}}; the revision refuses an apply over a plan changed since.
    receivers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    applied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[AbsenceCoverLine]] = relationship(
        back_populates="cover", cascade="all, delete-orphan", order_by="AbsenceCoverLine.id"
    )


class AbsenceCoverLine(Base):
    """One must-do visit of the absent rep and who takes it (or why nobody does)."""

    __tablename__ = "absence_cover_lines"
    __table_args__ = (
        sa.Index("ix_absence_cover_lines_cover", "cover_id"),
        sa.Index("ix_absence_cover_lines_receiver", "receiver_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cover_id: Mapped[int] = mapped_column(sa.ForeignKey("absence_covers.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    kind: Mapped[CoverKind] = mapped_column(str_enum(CoverKind))
    score: Mapped[float | None] = mapped_column(sa.Float)
    by_phone: Mapped[bool] = mapped_column(default=True)
    appointment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("appointments.id", ondelete="SET NULL")
    )
    action: Mapped[CoverAction] = mapped_column(str_enum(CoverAction))
    receiver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # unplaced: closed_that_day | no_rep_nearby | no_time_left (| call_list_full as a suffix)
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    # The supervisor's edit the solve must follow: "user:<id>", "phone" or "removed".
    forced: Mapped[str | None] = mapped_column(sa.String(30))
    start_s: Mapped[int | None] = mapped_column()  # planned visit start at the receiving rep

    cover: Mapped[AbsenceCover] = relationship(back_populates="lines")
    customer: Mapped[Customer] = relationship()
