"""Cover an absent rep's day: propose who takes the must-do visits, edit, apply (audited).

The must-do visits of the absent rep's day are what the planner would have put first that day
(:func:`app.services.routing.build_candidates`): the appointments, the collection visits, the
rescue cases meant for the field, and the ``urgent_count`` best others by score. The
receiving days are those of the other active field reps in the supervisor's scope who work
that day, with the stops already on their plan (a day under way: from where the rep is, now,
with the stops still to do). :func:`optimizer.absence_cover.solve_cover` places them; what no
rep takes goes to the team's telesales seats when it can be handled by phone.

A proposal is stored (``AbsenceCover`` and its lines) so the supervisor can read it, take a
line out or give it to someone else (the solve runs again following every such edit), and
apply it once: each receiving rep's plan gets the route shown (refused when the plan changed
since), moved appointments change hands, and the telesales list reads the applied calls.
Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import travel_provider
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    Appointment,
    AuditLog,
    CoverAction,
    CoverKind,
    CoverStatus,
    Customer,
    Plan,
    PlanSource,
    PlanStatus,
    PlanStop,
    Role,
    StopStatus,
    TimeOff,
    User,
)
from app.security.scope import Scope
from app.services import routing, telesales, work_calendar
from app.services.clock import local_now, local_today, seconds_of_day
from app.services.routing import CandidateInfo, PlanningConfig, PlanningError
from optimizer.absence_cover import (
    PHONE,
    CoverPlan,
    CoverProblem,
    CoverSettings,
    OrphanVisit,
    ReceivingDay,
    solve_cover,
)
from optimizer.model import Candidate, Location, LunchBreak, RepDay, TimeWindow

URGENT_DEFAULT = 6
URGENT_MAX = 40
MAX_ADDED_DEFAULT = 4  # the form's first value: extra visits one rep takes at most
MAX_ADDED_MAX = 40
CALLS_PER_SEAT_DEFAULT = 10  # the form's first value; the supervisor sets it per proposal
PHONE_MAX = 500
SOLVE_SECONDS = 2.0


class CoverError(ValueError):
    """A cover that cannot be made or applied; ``code`` names the problem for the page."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --------------------------------------------------------------------------- who is away


@dataclass(frozen=True)
class AbsentDay:
    """One working day a rep in scope misses, and the cover made for it (if any)."""

    rep: User
    day: date
    kind: str
    cover: AbsenceCover | None


def absent_days(*, scope: Scope, today: date, horizon_days: int = 14) -> list[AbsentDay]:
    """Return the coming days (today first) on which a field rep in scope is away."""
    last = today + timedelta(days=horizon_days)
    spans = db.session.execute(
        sa.select(TimeOff, User)
        .join(User, User.id == TimeOff.user_id)
        .where(
            scope.user_filter(),
            User.role == Role.REP,
            User.active.is_(True),
            TimeOff.last_day >= today,
            TimeOff.first_day <= last,
        )
        .order_by(TimeOff.first_day, User.name)
    ).all()
    if not spans:
        return []
    calendar = work_calendar.load(company_id=scope.company_id, since=today)
    covers = _latest_covers(scope.company_id, today, last)
    out: list[AbsentDay] = []
    for span, rep in spans:
        day = max(span.first_day, today)
        while day <= min(span.last_day, last):
            off = calendar.why_off(rep, day)
            # a day the rep would not have worked anyway (weekend, holiday) needs no cover
            if off is not None and off.reason == work_calendar.OffReason.TIME_OFF:
                out.append(AbsentDay(rep, day, span.kind.value, covers.get((rep.id, day))))
            day += timedelta(days=1)
    seen: set[tuple[int, date]] = set()
    unique = []
    for item in sorted(out, key=lambda a: (a.day, a.rep.name)):
        if (item.rep.id, item.day) not in seen:
            seen.add((item.rep.id, item.day))
            unique.append(item)
    return unique


def _latest_covers(
    company_id: int, first: date, last: date
) -> dict[tuple[int, date], AbsenceCover]:
    """Return the newest cover not set aside of each (absent rep, day) in a range."""
    out: dict[tuple[int, date], AbsenceCover] = {}
    for cover in db.session.scalars(
        sa.select(AbsenceCover)
        .where(
            AbsenceCover.company_id == company_id,
            AbsenceCover.day.between(first, last),
            AbsenceCover.status != CoverStatus.DISCARDED,
        )
        .order_by(AbsenceCover.id)
    ):
        out[(cover.absent_user_id, cover.day)] = cover
    return out


# --------------------------------------------------------------------------- must-do visits


@dataclass(frozen=True)
class MustDo:
    """One visit of the absent rep that cannot wait, as the solver and the page need it."""

    customer: Customer
    kind: CoverKind
    candidate: Candidate
    score: float
    by_phone: bool
    appointment_id: int | None = None


def must_do_visits(
    *, absent: User, day: date, config: PlanningConfig, urgent_count: int
) -> list[MustDo]:
    """Return the absent rep's must-do visits of ``day`` (appointments first, then by kind)."""
    cset = routing.build_candidates(rep=absent, day=day, config=config)
    ids = [info.customer_id for info in cset.info.values()]
    customers = {
        c.id: c for c in db.session.scalars(sa.select(Customer).where(Customer.id.in_(ids)))
    }
    scores = routing.scores_for(company_id=absent.company_id, day=day, customer_ids=ids)
    appointments = {a.customer_id: a.id for a in routing.appointments_for(rep=absent, day=day)}
    picked: list[MustDo] = []
    others: list[tuple[Candidate, CandidateInfo]] = []
    for cand in cset.candidates:
        info = cset.info[cand.id]
        snap = scores.get(info.customer_id)
        kind = _kind(info, snap)
        if kind is None:
            others.append((cand, info))
            continue
        picked.append(_must_do(customers[info.customer_id], kind, cand, info, appointments))
    others.sort(key=lambda pair: (-pair[1].score, pair[1].customer_id))
    for cand, info in others[: max(urgent_count, 0)]:
        if info.score > 0:
            picked.append(
                _must_do(customers[info.customer_id], CoverKind.URGENT, cand, info, appointments)
            )
    order = list(CoverKind)
    picked.sort(key=lambda m: (order.index(m.kind), -m.score, m.customer.id))
    return picked


def _kind(info: CandidateInfo, snap: routing.ScoreFacts | None) -> CoverKind | None:
    if info.purpose == "appointment":
        return CoverKind.APPOINTMENT
    if info.purpose == "collect":
        return CoverKind.COLLECTION
    if snap is not None and snap.reactivation:
        return CoverKind.RESCUE
    return None


def _must_do(
    customer: Customer,
    kind: CoverKind,
    cand: Candidate,
    info: CandidateInfo,
    appointments: Mapping[int, int],
) -> MustDo:
    """An appointment is agreed in person: never handed to the phone."""
    phone_ok = kind != CoverKind.APPOINTMENT and bool((customer.phone or "").strip())
    return MustDo(
        customer=customer,
        kind=kind,
        candidate=cand,
        score=info.score,
        by_phone=phone_ok,
        appointment_id=appointments.get(customer.id) if kind == CoverKind.APPOINTMENT else None,
    )


# --------------------------------------------------------------------------- receiving days


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


def _receiver(rep: User, day: date, now: datetime) -> Receiver | None:
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


# --------------------------------------------------------------------------- propose and edit


def _check_counts(urgent_count: int, phone_capacity: int, max_added: int) -> None:
    if not 0 <= urgent_count <= URGENT_MAX:
        raise CoverError("urgent_count")
    if not 0 <= max_added <= MAX_ADDED_MAX:
        raise CoverError("max_added")
    if not 0 <= phone_capacity <= PHONE_MAX:
        raise CoverError("phone_capacity")


def _is_absent(absent: User, day: date) -> bool:
    calendar = work_calendar.load(company_id=absent.company_id, since=day, user_ids=[absent.id])
    off = calendar.why_off(absent, day)
    return off is not None and off.reason == work_calendar.OffReason.TIME_OFF


def propose(
    *,
    actor: User,
    scope: Scope,
    absent: User,
    day: date,
    urgent_count: int = URGENT_DEFAULT,
    phone_capacity: int | None = None,
    max_added: int = MAX_ADDED_DEFAULT,
    now: datetime | None = None,
    seconds: float = SOLVE_SECONDS,
) -> AbsenceCover:
    """Propose a cover of the absent rep's day (the previous proposal of that day is set aside).

    Raises :class:`CoverError` when the rep is not away that day (``not_absent``), the day is
    past (``past_day``), the day's cover was already applied (``already_applied``) or a count
    is out of bounds.
    """
    now = now or local_now()
    phone_capacity = default_phone_capacity(absent) if phone_capacity is None else phone_capacity
    _check_counts(urgent_count, phone_capacity, max_added)
    if absent.role != Role.REP or not scope.can_see_user(absent.id):
        raise CoverError("not_in_scope")
    if day < now.date():
        raise CoverError("past_day")
    if not _is_absent(absent, day):
        raise CoverError("not_absent")
    previous = list(
        db.session.scalars(
            sa.select(AbsenceCover).where(
                AbsenceCover.absent_user_id == absent.id,
                AbsenceCover.day == day,
                AbsenceCover.status != CoverStatus.DISCARDED,
            )
        )
    )
    if any(c.status == CoverStatus.APPLIED for c in previous):
        raise CoverError("already_applied")
    for old in previous:
        old.status = CoverStatus.DISCARDED
    config = routing.load_config(company_id=absent.company_id)
    cover = AbsenceCover(
        company_id=absent.company_id,
        absent_user_id=absent.id,
        day=day,
        urgent_count=urgent_count,
        phone_capacity=phone_capacity,
        max_added=max_added,
        created_by_id=actor.id,
    )
    for item in must_do_visits(absent=absent, day=day, config=config, urgent_count=urgent_count):
        cover.lines.append(
            AbsenceCoverLine(
                customer_id=item.customer.id,
                customer=item.customer,
                kind=item.kind,
                score=item.score,
                by_phone=item.by_phone,
                appointment_id=item.appointment_id,
                action=CoverAction.UNPLACED,
            )
        )
    db.session.add(cover)
    db.session.flush()
    solve(cover=cover, scope=scope, now=now, seconds=seconds, config=config)
    _audit(actor, cover, "absence_cover.propose", _counts(cover))
    return cover


def default_phone_capacity(absent: User) -> int:
    """The form's first value: a few calls per telesales seat of the absent rep's team."""
    seats = telesales.team_seats(company_id=absent.company_id, team_id=absent.team_id)
    return CALLS_PER_SEAT_DEFAULT * len(seats)


def edit_line(
    *,
    actor: User,
    scope: Scope,
    cover: AbsenceCover,
    line_id: int,
    target: str,
    now: datetime | None = None,
    seconds: float = SOLVE_SECONDS,
) -> AbsenceCover:
    """Take a line out (``removed``), send it to telesales (``phone``), give it to a rep
    (``user:<id>``) or let the solver choose again (``auto``); then solve again."""
    if cover.status != CoverStatus.PROPOSED:
        raise CoverError("not_proposed")
    line = next((ln for ln in cover.lines if ln.id == line_id), None)
    if line is None:
        raise CoverError("unknown_line")
    absent = db.session.get(User, cover.absent_user_id)
    assert absent is not None
    if target == "auto":
        forced = None
    elif target in ("removed", PHONE):
        forced = target
        if target == PHONE:
            if not line.by_phone:
                raise CoverError("not_by_phone")
            if not telesales.team_seats(company_id=cover.company_id, team_id=absent.team_id):
                raise CoverError("no_telesales")
    elif target.startswith("user:") and target[5:].isdigit():
        rep_ids = {r.id for r in receiving_reps(scope=scope, absent=absent, day=cover.day)}
        if int(target[5:]) not in rep_ids:
            raise CoverError("unknown_receiver")
        forced = target
    else:
        raise CoverError("unknown_target")
    before = line.forced
    line.forced = forced
    solve(cover=cover, scope=scope, now=now or local_now(), seconds=seconds)
    _audit(
        actor,
        cover,
        "absence_cover.edit",
        {"customer_id": line.customer_id, "from": before, "to": forced},
    )
    return cover


def solve(
    *,
    cover: AbsenceCover,
    scope: Scope,
    now: datetime,
    seconds: float = SOLVE_SECONDS,
    config: PlanningConfig | None = None,
) -> CoverPlan:
    """Solve the cover's lines (following the supervisor's edits) and store the answer."""
    absent = db.session.get(User, cover.absent_user_id)
    assert absent is not None
    config = config or routing.load_config(company_id=cover.company_id)
    receivers = [
        r
        for rep in receiving_reps(scope=scope, absent=absent, day=cover.day)
        if (r := _receiver(rep, cover.day, now)) is not None
    ]
    on_days = {s.id for r in receivers for s in r.day.stops}
    seats = telesales.team_seats(company_id=cover.company_id, team_id=absent.team_id)
    day_ids = {r.day.id for r in receivers}
    visits: list[OrphanVisit] = []
    lines = {str(line.customer_id): line for line in cover.lines}
    for line in cover.lines:
        line.receiver_id, line.start_s, line.reason = None, None, None
        if line.forced == "removed":
            line.action = CoverAction.REMOVED
            continue
        line.action = CoverAction.UNPLACED
        cust = line.customer
        if not cust.has_position:
            line.reason = "no_position"
            continue
        if str(cust.id) in on_days:
            line.reason = "already_planned"
            continue
        forced = line.forced
        if forced is not None and forced.startswith("user:") and forced[5:] not in day_ids:
            forced = None  # that rep no longer works that day: the solver chooses again
        visits.append(
            OrphanVisit(
                _line_candidate(line, cover.day),
                line.kind.value,
                by_phone=line.by_phone and bool(seats),
                forced=forced[5:] if forced and forced.startswith("user:") else forced,
            )
        )
    problem = CoverProblem(
        tuple(r.day for r in receivers),
        tuple(visits),
        CoverSettings(
            phone_capacity=cover.phone_capacity if seats else 0,
            max_added=cover.max_added,
            time_limit=timedelta(seconds=seconds),
            seed=cover.absent_user_id,
        ),
    )
    plan = solve_cover(problem, travel_provider(config.osrm_url))
    _store(cover, plan, receivers, lines, seats)
    cover.seconds = round(plan.seconds, 3)
    db.session.flush()
    return plan


def _line_candidate(line: AbsenceCoverLine, day: date) -> Candidate:
    cust = line.customer
    lat, lon = cust.position  # type: ignore[misc]
    service_s = cust.service_minutes * 60
    appt = db.session.get(Appointment, line.appointment_id) if line.appointment_id else None
    if line.kind == CoverKind.APPOINTMENT and appt is not None:
        windows: tuple[TimeWindow, ...] = (
            TimeWindow(appt.window_start_s, max(appt.window_start_s, appt.window_end_s)),
        )
    else:
        windows = routing.service_windows(cust.opening_hours, day.weekday(), service_s)
    return Candidate(
        str(cust.id),
        Location(lat, lon),
        max(line.score or 0.0, 0.0),
        service_s,
        windows,
        appointment=line.kind == CoverKind.APPOINTMENT and appt is not None,
    )


def _store(
    cover: AbsenceCover,
    plan: CoverPlan,
    receivers: Sequence[Receiver],
    lines: Mapping[str, AbsenceCoverLine],
    seats: Sequence[User],
) -> None:
    """Write the solver's answer onto the lines and the receivers' summary (with their routes)."""
    by_day = {r.day.id: r for r in receivers}
    summary: dict[str, Any] = {}
    for route in plan.routes:
        receiver = by_day[route.day_id]
        info: dict[str, CandidateInfo] = {}
        for stop in receiver.day.stops:
            purpose = "appointment" if stop.appointment else "sell"
            info[stop.id] = CandidateInfo(int(stop.id), stop.prize, purpose)
        for vid in route.added:
            line = lines[vid]
            purpose = "appointment" if line.kind == CoverKind.APPOINTMENT else "sell"
            info[vid] = CandidateInfo(line.customer_id, line.score or 0.0, purpose)
            line.action, line.receiver_id = CoverAction.VISIT, receiver.rep.id
            line.start_s = next(s.start_s for s in route.route.stops if s.candidate_id == vid)
        rows = routing.stop_rows(route.route, info, pinned=receiver.pinned)
        for row in rows:
            row.pop("status", None)
        summary[route.day_id] = {
            "added_m": route.added_m,
            "added_s": route.added_s,
            "end_later_s": route.end_later_s,
            "visits_before": len(route.before.visited_ids),
            "plan_revision": receiver.plan.revision if receiver.plan is not None else None,
            "departure_s": route.route.departure_s,
            "end_s": route.route.end_arrival_s,
            "total_m": route.route.total_m,
            "driving_s": route.route.driving_s,
            "working_s": route.route.working_s,
            "prize": route.route.prize,
            "stops": rows,
        }
    cover.receivers = summary
    for k, vid in enumerate(plan.by_phone):
        line = lines[vid]
        line.action, line.receiver_id = CoverAction.CALL, seats[k % len(seats)].id
    for miss in plan.unplaced:
        line = lines[miss.visit_id]
        line.reason = miss.reason + ("+call_list_full" if miss.call_list_full else "")
    for day_id in plan.rigid:
        summary.setdefault("rigid", []).append(int(day_id))


# --------------------------------------------------------------------------- apply


def apply(*, actor: User, cover: AbsenceCover, now: datetime | None = None) -> AbsenceCover:
    """Write the proposal: receiving plans get their new route, appointments change hands,
    the telesales list takes the calls. Refused when a receiving plan changed since."""
    if cover.status != CoverStatus.PROPOSED:
        raise CoverError("not_proposed")
    now = now or local_now()
    if cover.day < now.date():
        raise CoverError("past_day")
    written = 0
    for day_id, data in cover.receivers.items():
        if day_id == "rigid":
            continue
        rep = db.session.get(User, int(day_id))
        assert rep is not None
        plan = db.session.scalar(
            sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == cover.day)
        )
        if (plan.revision if plan is not None else None) != data["plan_revision"]:
            raise CoverError("plan_changed")
        if plan is None:
            plan = Plan(
                company_id=rep.company_id,
                user_id=rep.id,
                plan_date=cover.day,
                revision=0,
                status=PlanStatus.PLANNED,
            )
            db.session.add(plan)
        _write_plan(plan, data)
        written += 1
    for line in cover.lines:
        if line.action == CoverAction.VISIT and line.appointment_id is not None:
            appt = db.session.get(Appointment, line.appointment_id)
            if appt is not None and line.receiver_id is not None:
                appt.user_id = line.receiver_id
    cover.status = CoverStatus.APPLIED
    cover.applied_by_id, cover.applied_at = actor.id, now
    db.session.flush()
    _audit(actor, cover, "absence_cover.apply", {**_counts(cover), "plans_written": written})
    return cover


def _write_plan(plan: Plan, data: Mapping[str, Any]) -> None:
    """Keep a day's finished stops first, then the proposal's route; totals from the route."""
    locked = routing.is_locked(plan)
    kept = [s for s in plan.stops if s.status != StopStatus.PENDING]
    for seq, stop in enumerate(kept):
        stop.seq = seq
    plan.stops[:] = kept
    for k, row in enumerate(data["stops"]):
        plan.stops.append(PlanStop(**{**row, "seq": len(kept) + k, "status": StopStatus.PENDING}))
    if not locked:
        plan.start_s = data["departure_s"]
    plan.end_s = data["end_s"]
    plan.total_m, plan.driving_s = data["total_m"], data["driving_s"]
    plan.working_s, plan.prize = data["working_s"], data["prize"]
    plan.source = PlanSource.COVER
    plan.revision = (plan.revision or 0) + 1


def discard(*, actor: User, cover: AbsenceCover) -> None:
    """Set a proposal aside (nothing was written)."""
    if cover.status != CoverStatus.PROPOSED:
        raise CoverError("not_proposed")
    cover.status = CoverStatus.DISCARDED
    db.session.flush()
    _audit(actor, cover, "absence_cover.discard", {})


# --------------------------------------------------------------------------- reading


def get_cover(*, scope: Scope, cover_id: int) -> AbsenceCover | None:
    """Return a cover whose absent rep is in scope, or None."""
    return db.session.scalar(
        sa.select(AbsenceCover).where(
            AbsenceCover.id == cover_id,
            AbsenceCover.company_id == scope.company_id,
            scope.owner_filter(AbsenceCover.absent_user_id),
        )
    )


def _counts(cover: AbsenceCover) -> dict[str, Any]:
    counts = {a.value: 0 for a in CoverAction}
    for line in cover.lines:
        counts[line.action.value] += 1
    return {"absent_user_id": cover.absent_user_id, "day": cover.day.isoformat(), **counts}


def _audit(actor: User, cover: AbsenceCover, action: str, details: dict[str, Any]) -> None:
    db.session.add(
        AuditLog(
            company_id=cover.company_id,
            actor_id=actor.id,
            action=action,
            target=f"absence_cover:{cover.id}",
            details=details,
        )
    )
    db.session.flush()


def today() -> date:
    """The company's today (São Paulo), for the pages."""
    return local_today()
