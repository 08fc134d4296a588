"""Solve a proposal's lines over the receiving days and store the answer on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from app.extensions import db
from app.jobs.work import travel_provider
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    Appointment,
    CoverAction,
    CoverKind,
    User,
)
from app.security.scope import Scope
from app.services import routing, telesales
from app.services.absence_cover.limits import SOLVE_SECONDS
from app.services.absence_cover.receivers import Receiver, build_receiver, receiving_reps
from app.services.routing import CandidateInfo, PlanningConfig
from optimizer.absence_cover import (
    CoverPlan,
    CoverProblem,
    CoverSettings,
    OrphanVisit,
    solve_cover,
)
from optimizer.model import Candidate, Location, TimeWindow


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
        if (r := build_receiver(rep, cover.day, now)) is not None
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
