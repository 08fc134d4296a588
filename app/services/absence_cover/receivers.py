"""The receiving days: the other reps who work that day, with their plan as it stands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Appointment, Customer, Plan, PlanStop, Role, StopStatus, User
from app.security.scope import Scope
from app.services import routing, work_calendar
from app.services.clock import seconds_of_day
from app.services.routing import PlanningError
from optimizer.absence_cover import ReceivingDay
from optimizer.model import Candidate, Location, LunchBreak, RepDay, TimeWindow


@dataclass(frozen=True)
class Receiver:
    """A rep who may take visits that day: his day for the solver and his plan as it is."""

    rep: User
    day: ReceivingDay
    plan: Plan | None
    kept: tuple[PlanStop, ...]  # finished stops of a day under way, kept first
    pinned: frozenset[str] = frozenset()  # stops the rep or a re-plan pinned stay pinned


def receiving_reps(*, scope: Scope, absent: User, day: date) -> list[User]:
    """Return the active field reps in scope, other than the absent one, who work that day."""
    reps = list(
        db.session.scalars(
            sa.select(User)
            .where(
                scope.user_filter(),
                User.company_id == absent.company_id,
                User.role == Role.REP,
                User.active.is_(True),
                User.id != absent.id,
            )
            .order_by(User.name, User.id)
        )
    )
    calendar = work_calendar.load(
        company_id=absent.company_id, since=day, user_ids=[r.id for r in reps]
    )
    return [r for r in reps if calendar.works(r, day)]


def build_receiver(rep: User, day: date, now: datetime) -> Receiver | None:
    """Build a rep's receiving day; None when he cannot be routed (no base, no profile)."""
    try:
        template = routing.rep_day(rep.work_profile)
    except PlanningError:
        return None
    plan = db.session.scalar(sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == day))
    stops = sorted(plan.stops, key=lambda s: s.seq) if plan is not None else []
    kept = tuple(s for s in stops if s.status != StopStatus.PENDING)
    rest = [s for s in stops if s.status == StopStatus.PENDING and s.customer_id is not None]
    rep_day: RepDay | None = template
    if plan is not None and routing.is_locked(plan) and day == now.date():
        rep_day = _rest_of_day(template, plan, kept, seconds_of_day(now))
    if rep_day is None:
        return None
    appts = {a.customer_id: a for a in routing.appointments_for(rep=rep, day=day)}
    cands = []
    for stop in rest:
        cust = stop.customer
        if cust is None or not cust.has_position:
            continue
        cands.append(_stop_candidate(stop, cust, appts.get(cust.id), day))
    pinned = frozenset(str(s.customer_id) for s in rest if s.pinned)
    return Receiver(rep, ReceivingDay(str(rep.id), rep_day, tuple(cands)), plan, kept, pinned)


def _stop_candidate(
    stop: PlanStop, cust: Customer, appt: Appointment | None, day: date
) -> Candidate:
    """An existing stop keeps its appointment window, else the customer's opening hours."""
    lat, lon = cust.position  # type: ignore[misc]
    service_s = cust.service_minutes * 60
    if stop.appointment and appt is not None:
        windows: tuple[TimeWindow, ...] = (
            TimeWindow(appt.window_start_s, max(appt.window_start_s, appt.window_end_s)),
        )
    else:
        windows = routing.service_windows(cust.opening_hours, day.weekday(), service_s)
    return Candidate(
        str(cust.id),
        Location(lat, lon),
        max(stop.score or 0.0, 0.0),
        service_s,
        windows,
        appointment=bool(stop.appointment and appt is not None),
    )


def _rest_of_day(
    template: RepDay, plan: Plan, kept: Sequence[PlanStop], now_s: int
) -> RepDay | None:
    """A day under way: from the last finished stop (or the start), from now, time left."""
    start = template.start
    for stop in reversed(kept):
        cust = stop.customer
        if cust is not None and cust.has_position:
            lat, lon = cust.position  # type: ignore[misc]
            start = Location(lat, lon)
            break
    begin = max(now_s, template.start_s)
    if begin >= template.end_s - 60:
        return None
    worked = max(0, begin - (plan.start_s or template.start_s))
    lunch = template.lunch
    lunch_taken = any(s.kind == "lunch" for s in kept)
    if lunch is not None and (lunch_taken or lunch.latest_start_s < begin):
        lunch = None
    elif lunch is not None:
        lunch = LunchBreak(
            max(lunch.earliest_start_s, begin),
            lunch.latest_start_s,
            lunch.duration_s,
            lunch.location,
        )
    return RepDay(
        start=start,
        end=template.end,
        start_s=begin,
        end_s=template.end_s,
        max_working_s=max(60, template.max_working_s - worked),
        lunch=lunch,
    )
