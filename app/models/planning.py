"""Plans (a rep's route for a date) and the planning runs that make them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONType, UTCDateTime, str_enum, utcnow
from app.models.customer import Customer


class PlanStatus(enum.StrEnum):
    """Lifecycle of a plan; a started plan is never replaced by a nightly run."""

    DRAFT = "draft"
    PLANNED = "planned"
    STARTED = "started"
    DONE = "done"


class StopStatus(enum.StrEnum):
    """What happened to a planned stop."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class PlanSource(enum.StrEnum):
    """What wrote a plan's current stops."""

    NIGHTLY = "nightly"  # a planning run for the plan's own date (scheduled or re-run)
    AGENDA = "agenda"  # a later day of a run's week agenda (a draft)
    MANUAL = "manual"  # `flask plan` or another in-process plan of one rep
    REPLAN = "replan"  # the rep's re-plan of the rest of the day
    COVER = "cover"  # an absent rep's visits taken over (app/services/absence_cover/)


class StopKind(enum.StrEnum):
    """What a stop of a plan is."""

    VISIT = "visit"
    LUNCH = "lunch"


class Plan(Base):
    """A rep's route for one date, produced by a planning run or a re-plan."""

    __tablename__ = "plans"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "plan_date"),
        sa.Index("ix_plans_company_date", "company_id", "plan_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    plan_date: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.PLANNED)
    source: Mapped[PlanSource] = mapped_column(str_enum(PlanSource), default=PlanSource.NIGHTLY)
    revision: Mapped[int] = mapped_column(default=1)
    settings_version: Mapped[int] = mapped_column(default=1)
    run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("planning_runs.id", ondelete="SET NULL")
    )
    # Times are seconds since local midnight of plan_date, as the optimiser uses them.
    start_s: Mapped[int] = mapped_column(default=0)
    end_s: Mapped[int] = mapped_column(default=0)
    total_m: Mapped[int] = mapped_column(default=0)
    driving_s: Mapped[int] = mapped_column(default=0)
    working_s: Mapped[int] = mapped_column(default=0)
    prize: Mapped[float] = mapped_column(sa.Float, default=0.0)
    # [{"customer_id": 12, "reason": "no_time_left", "score": 41.5}, ...]
    dropped: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    stops: Mapped[list[PlanStop]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanStop.seq"
    )


class PlanStop(Base):
    """One ordered stop of a plan: a customer visit or the lunch break."""

    __tablename__ = "plan_stops"
    __table_args__ = (
        sa.Index("ix_plan_stops_plan_seq", "plan_id", "seq"),
        sa.Index("ix_plan_stops_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column()
    kind: Mapped[StopKind] = mapped_column(str_enum(StopKind, length=10), default=StopKind.VISIT)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    arrival_s: Mapped[int] = mapped_column()
    wait_s: Mapped[int] = mapped_column(default=0)
    start_s: Mapped[int] = mapped_column()
    departure_s: Mapped[int] = mapped_column()
    travel_s: Mapped[int] = mapped_column(default=0)
    travel_m: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None] = mapped_column(sa.Float)
    pinned: Mapped[bool] = mapped_column(default=False)
    appointment: Mapped[bool] = mapped_column(default=False)
    status: Mapped[StopStatus] = mapped_column(str_enum(StopStatus), default=StopStatus.PENDING)

    plan: Mapped[Plan] = relationship(back_populates="stops")
    customer: Mapped[Customer | None] = relationship()


class Appointment(Base):
    """A fixed visit agreed with a customer; plans must keep it in its window."""

    __tablename__ = "appointments"
    __table_args__ = (sa.Index("ix_appointments_user_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    day: Mapped[date] = mapped_column(sa.Date)
    window_start_s: Mapped[int] = mapped_column()
    window_end_s: Mapped[int] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(300))
    # Who booked it and when (None for appointments older than these columns or imported).
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)

    customer: Mapped[Customer] = relationship()


class RunStatus(enum.StrEnum):
    """State of a planning run: waiting for the scheduler, under way, or how it ended."""

    QUEUED = "queued"  # asked for from the web; the scheduler process picks it up
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    ABANDONED = "abandoned"


class RunTrigger(enum.StrEnum):
    """Who started a planning run."""

    SCHEDULE = "schedule"  # the scheduler process at the company's nightly time
    MANUAL = "manual"  # a person: the runs page's "Plan again", `flask plan`, `flask jobs run`


class PlanningRun(Base):
    """One execution of the nightly pipeline (or a manual re-run) for a company."""

    __tablename__ = "planning_runs"
    __table_args__ = (sa.Index("ix_planning_runs_company_started", "company_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    plan_date: Mapped[date] = mapped_column(sa.Date)
    trigger: Mapped[RunTrigger] = mapped_column(str_enum(RunTrigger), default=RunTrigger.SCHEDULE)
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.RUNNING)
    settings_version: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # {"customers_scored": .., "reps_planned": .., "reps_failed": .., "stops": .., "seconds": {...}}
    counts: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)
    triggered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    reps: Mapped[list[PlanningRunRep]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="PlanningRunRep.id"
    )


class RepRunStatus(enum.StrEnum):
    """How a planning run ended for one rep."""

    PENDING = "pending"
    PLANNED = "planned"
    KEPT = "kept"  # the rep had started the day: the started plan was kept
    FAILED = "failed"
    SKIPPED = "skipped"  # a day off (the error column says which)


class PlanningRunRep(Base):
    """Per-rep result of a planning run: one rep's failure never stops the others."""

    __tablename__ = "planning_run_reps"
    __table_args__ = (sa.UniqueConstraint("run_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("planning_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[RepRunStatus] = mapped_column(
        str_enum(RepRunStatus), default=RepRunStatus.PENDING
    )
    duration_ms: Mapped[int | None] = mapped_column()
    stops: Mapped[int] = mapped_column(default=0)
    dropped: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)

    run: Mapped[PlanningRun] = relationship(back_populates="reps")


class JobLock(Base):
    """A named lock row: one planning run per company at a time, on any database."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
