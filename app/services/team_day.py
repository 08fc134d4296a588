"""The team's day as the supervisor watches it: each rep's plan of today against what the
check-ins say, read in a handful of set-based queries so that the page can poll it.

Nothing here tracks a rep continuously: the only positions are those the phone sent with a
check-in, the same ones the plan-versus-done table reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Contact,
    ContactKind,
    Customer,
    Outcome,
    Plan,
    PlanStop,
    Role,
    StopKind,
    StopStatus,
    User,
)
from app.security.scope import Scope
from app.services.clock import DEFAULT_TZ, seconds_of_day

# A check-in within this many minutes of the planned start is on time: traffic and a chat at
# the counter move a route by a few minutes all day; beyond it the supervisor wants to know.
ON_TIME_MINUTES = 15
# Distinct colours on the map; a larger team reuses them (the legend names every rep).
PALETTE_SIZE = 10


@dataclass
class StopView:
    """One planned visit of today and what its check-in said."""

    id: int
    seq: int
    customer_id: int
    name: str
    lat: float | None
    lon: float | None
    planned_s: int
    status: StopStatus
    check_in_s: int | None = None
    check_out_s: int | None = None
    far: bool = False
    distance_m: float | None = None

    @property
    def delay_min(self) -> int | None:
        """Minutes between the planned start and the check-in (negative: early)."""
        if self.check_in_s is None:
            return None
        return round((self.check_in_s - self.planned_s) / 60)


@dataclass
class CheckIn:
    """A check-in position sent by the phone (the last one is where the rep was last seen)."""

    at: datetime
    lat: float | None  # None: the phone had no fix (counted as far, not placed on the map)
    lon: float | None
    customer_id: int
    customer_name: str
    far: bool
    distance_m: float | None
    planned: bool


@dataclass
class RepDayView:
    """One rep's day: the route, its progress and how it runs against the plan."""

    user_id: int
    name: str
    colour: int
    plan_id: int | None = None
    plan_revision: int = 0
    plan_status: str | None = None
    stops: list[StopView] = field(default_factory=list)
    check_ins: list[CheckIn] = field(default_factory=list)
    unplanned: int = 0
    delay_min: int | None = None

    def count(self, *statuses: StopStatus) -> int:
        return sum(1 for s in self.stops if s.status in statuses)

    @property
    def done(self) -> int:
        return self.count(StopStatus.DONE)

    @property
    def skipped(self) -> int:
        return self.count(StopStatus.SKIPPED)

    @property
    def in_progress(self) -> int:
        return self.count(StopStatus.IN_PROGRESS)

    @property
    def remaining(self) -> int:
        """Stops still to do, the one under way included."""
        return self.count(StopStatus.PENDING, StopStatus.IN_PROGRESS)

    @property
    def far(self) -> list[CheckIn]:
        return [c for c in self.check_ins if c.far]

    @property
    def last_check_in(self) -> CheckIn | None:
        placed = [c for c in self.check_ins if c.lat is not None and c.lon is not None]
        return max(placed, key=lambda c: c.at) if placed else None

    @property
    def started(self) -> bool:
        """Something happened on the route: a check-in, a visit done or a stop skipped."""
        return any(s.check_in_s is not None or s.status != StopStatus.PENDING for s in self.stops)

    @property
    def first_planned_s(self) -> int | None:
        return min((s.planned_s for s in self.stops), default=None)

    @property
    def punctuality(self) -> str:
        """'no_plan', 'not_started', 'not_started_late' (the first visit's time has passed),
        'late', 'early' or 'on_time'."""
        if self.plan_id is None:
            return "no_plan"
        if not self.started:
            late = self.delay_min is not None and self.delay_min > ON_TIME_MINUTES
            return "not_started_late" if late else "not_started"
        if self.delay_min is None:
            return "on_time"
        if self.delay_min > ON_TIME_MINUTES:
            return "late"
        if self.delay_min < -ON_TIME_MINUTES:
            return "early"
        return "on_time"


@dataclass
class TeamDay:
    """Every rep in scope on one day, in name order (the colour follows that order)."""

    day: date
    now_s: int
    reps: list[RepDayView]

    def total(self, attr: str) -> int:
        return sum(len(r.stops) if attr == "planned" else getattr(r, attr) for r in self.reps)

    @property
    def far(self) -> int:
        return sum(len(r.far) for r in self.reps)


def _reps(scope: Scope) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(scope.user_filter(), User.role == Role.REP, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def _plans(user_ids: list[int], day: date) -> dict[int, Plan]:
    plans = db.session.scalars(
        sa.select(Plan)
        .where(Plan.user_id.in_(user_ids), Plan.plan_date == day)
        .options(selectinload(Plan.stops).joinedload(PlanStop.customer))
    )
    return {p.user_id: p for p in plans}


def _visits(user_ids: list[int], day: date) -> list[tuple[Contact, str]]:
    rows = db.session.execute(
        sa.select(
            Contact, sa.func.coalesce(sa.func.nullif(Customer.trade_name, ""), Customer.legal_name)
        )
        .join(Customer, Customer.id == Contact.customer_id)
        .where(
            Contact.user_id.in_(user_ids),
            Contact.contact_date == day,
            Contact.kind == ContactKind.VISIT,
        )
        .order_by(Contact.check_in_at, Contact.id)
    )
    return [(c, name) for c, name in rows]


def _stop_views(plan: Plan) -> list[StopView]:
    return [
        StopView(
            id=s.id,
            seq=s.seq,
            customer_id=s.customer_id,
            name=s.customer.display_name if s.customer else "",
            lat=s.customer.latitude if s.customer else None,
            lon=s.customer.longitude if s.customer else None,
            planned_s=s.start_s,
            status=s.status,
        )
        for s in plan.stops
        if s.kind == StopKind.VISIT and s.customer_id is not None
    ]


def _running_delay(rep: RepDayView, now_s: int) -> int | None:
    """Minutes the route runs behind (positive) or ahead (negative) of its plan right now.

    The last check-in says how the route ran when it was sent; a stop still pending after
    its planned start (and nothing under way) says the route is late now, even before the
    next check-in arrives.
    """
    checked = [s for s in rep.stops if s.check_in_s is not None]
    delay = None
    if checked:
        last = max(checked, key=lambda s: s.check_in_s or 0)
        delay = last.delay_min
    if rep.in_progress == 0:
        pending = [s for s in rep.stops if s.status == StopStatus.PENDING]
        if pending:
            nxt = min(pending, key=lambda s: s.seq)
            overdue = round((now_s - nxt.planned_s) / 60)
            if overdue > ON_TIME_MINUTES and (delay is None or overdue > delay):
                delay = overdue
    return delay


def team_day(*, scope: Scope, day: date, now: datetime) -> TeamDay:
    """Build the day of every rep the scope covers, as of `now`."""
    reps = _reps(scope)
    views = {
        u.id: RepDayView(user_id=u.id, name=u.name, colour=i % PALETTE_SIZE)
        for i, u in enumerate(reps)
    }
    ids = list(views)
    if ids:
        for uid, plan in _plans(ids, day).items():
            rep = views[uid]
            rep.plan_id, rep.plan_status = plan.id, plan.status.value
            rep.plan_revision = plan.revision or 0
            rep.stops = _stop_views(plan)
        for contact, name in _visits(ids, day):
            _add_visit(views[contact.user_id], contact, name)
    now_s = seconds_of_day(now, DEFAULT_TZ)
    for rep in views.values():
        rep.delay_min = _running_delay(rep, now_s) if rep.plan_id is not None else None
    return TeamDay(day=day, now_s=now_s, reps=list(views.values()))


def _add_visit(rep: RepDayView, contact: Contact, name: str) -> None:
    """Attach a visit to its stop (check-in time) and to the rep's positions."""
    stop = next((s for s in rep.stops if s.id == contact.plan_stop_id), None)
    if stop is not None and contact.check_in_at is not None:
        stop.check_in_s = seconds_of_day(contact.check_in_at, DEFAULT_TZ)
        stop.far = bool(contact.check_in_flagged)
        stop.distance_m = contact.check_in_distance_m
    if stop is not None and contact.check_out_at is not None:
        stop.check_out_s = seconds_of_day(contact.check_out_at, DEFAULT_TZ)
    if stop is None and contact.outcome != Outcome.SKIPPED:
        rep.unplanned += 1
    if contact.check_in_at is not None:
        rep.check_ins.append(
            CheckIn(
                at=contact.check_in_at,
                lat=contact.check_in_lat,
                lon=contact.check_in_lon,
                customer_id=contact.customer_id,
                customer_name=name,
                far=bool(contact.check_in_flagged),
                distance_m=contact.check_in_distance_m,
                planned=stop is not None,
            )
        )
