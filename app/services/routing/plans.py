"""Solved routes into ``Plan``/``PlanStop`` rows, and a saved plan back into a route."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Plan, PlanStatus, PlanStop, StopKind, StopStatus, User
from app.services.routing.facts import CandidateInfo
from optimizer.model import DROP_REASONS, DayRoute, DroppedCandidate, ScheduledStop


def dropped_rows(route: DayRoute, info: Mapping[str, CandidateInfo]) -> list[dict[str, Any]]:
    """Return ``Plan.dropped``: every left-out candidate with its reason and score."""
    return [
        {
            "customer_id": int(d.candidate_id),
            "reason": d.reason,
            "score": info[d.candidate_id].score if d.candidate_id in info else None,
        }
        for d in route.dropped
    ]


def stop_rows(
    route: DayRoute,
    info: Mapping[str, CandidateInfo],
    *,
    pinned: Iterable[str] = (),
    first_seq: int = 0,
) -> list[dict[str, Any]]:
    """Return the ``plan_stops`` values of a route, in order (without ``plan_id``)."""
    pinned_ids = set(pinned)
    rows = []
    for seq, stop in enumerate(route.stops, start=first_seq):
        cid = stop.candidate_id
        meta = info.get(cid) if cid else None
        rows.append(
            {
                "seq": seq,
                "kind": stop.kind,
                "customer_id": int(cid) if cid else None,
                "arrival_s": stop.arrival_s,
                "wait_s": stop.wait_s,
                "start_s": stop.start_s,
                "departure_s": stop.departure_s,
                "travel_s": stop.travel_s,
                "travel_m": stop.travel_m,
                "score": meta.score if meta else None,
                "pinned": bool(cid and cid in pinned_ids),
                "appointment": bool(meta and meta.purpose == "appointment"),
                "status": StopStatus.PENDING,
            }
        )
    return rows


def set_totals(
    plan: Plan, route: DayRoute, info: Mapping[str, CandidateInfo], *, keep_start: bool = False
) -> None:
    """Copy the route's totals and dropped candidates onto the plan."""
    if not keep_start:
        plan.start_s = route.departure_s
    plan.end_s = route.end_arrival_s
    plan.total_m = route.total_m
    plan.driving_s = route.driving_s
    plan.working_s = route.working_s
    plan.prize = route.prize
    plan.dropped = dropped_rows(route, info)


def fill_plan(
    plan: Plan,
    route: DayRoute,
    info: Mapping[str, CandidateInfo],
    *,
    pinned: Iterable[str] = (),
    keep_done: bool = False,
) -> None:
    """Write a route into a plan (ORM): totals, dropped list and stops, finished ones kept first."""
    kept = [s for s in plan.stops if keep_done and s.status != StopStatus.PENDING]
    for seq, stop in enumerate(kept):
        stop.seq = seq
    plan.stops[:] = kept
    for row in stop_rows(route, info, pinned=pinned, first_seq=len(kept)):
        plan.stops.append(PlanStop(**row))
    set_totals(plan, route, info, keep_start=keep_done)


def get_or_new_plan(*, rep: User, day: date) -> Plan:
    """Return the rep's plan for a date, or a new (not yet added) one."""
    plan = db.session.scalar(sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == day))
    if plan is None:
        plan = Plan(company_id=rep.company_id, user_id=rep.id, plan_date=day, revision=0, stops=[])
    return plan


def is_locked(plan: Plan) -> bool:
    """Tell whether a plan is under way (or done): nightly runs never replace it."""
    return plan.status in (PlanStatus.STARTED, PlanStatus.DONE) or plan.started_at is not None


def route_from_plan(plan: Plan) -> DayRoute:
    """Rebuild the solver's view of a saved plan (to freeze it or re-plan from it)."""
    stops = tuple(
        ScheduledStop(
            kind="lunch" if s.kind == StopKind.LUNCH else "visit",
            candidate_id=None
            if s.kind == StopKind.LUNCH or s.customer_id is None
            else str(s.customer_id),
            arrival_s=s.arrival_s,
            wait_s=s.start_s - s.arrival_s,
            start_s=s.start_s,
            departure_s=s.departure_s,
            travel_s=s.travel_s,
            travel_m=s.travel_m,
        )
        for s in sorted(plan.stops, key=lambda s: s.seq)
    )
    return DayRoute(
        stops=stops,
        dropped=tuple(
            DroppedCandidate(str(d["customer_id"]), d["reason"])
            for d in plan.dropped or []
            if d.get("reason") in DROP_REASONS
        ),
        total_m=plan.total_m,
        driving_s=plan.driving_s,
        working_s=plan.working_s,
        prize=plan.prize,
        end_arrival_s=max(plan.end_s, 0),
        departure_s=plan.start_s,
    )
