"""Store plans: a solved rep's day (PLANNED) and week agenda (DRAFT), or drop unstarted ones.

Plans under way (locked) are never rewritten. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import RepResult, solve
from app.models import Plan, PlanSource, PlanStatus, PlanStop, StopKind, User
from app.services import routing
from app.services.planning.prepare import Prepared, prepare_rep
from app.services.routing import CandidateInfo, PlanningConfig, PlanningError
from optimizer.model import DayRoute


def discard_unstarted_plans(
    *, first: date, last: date, user_id: int | None = None, company_id: int | None = None
) -> int:
    """Delete the plans of a person (or of a whole company) in a date range that nobody started.

    A day that became a day off (time off, a company day off added later) must not keep
    the route planned before; routes under way are the rep's and stay. Returns how many.
    """
    query = sa.select(Plan).where(Plan.plan_date >= first, Plan.plan_date <= last)
    if user_id is not None:
        query = query.where(Plan.user_id == user_id)
    if company_id is not None:
        query = query.where(Plan.company_id == company_id)
    gone = 0
    for plan in db.session.scalars(query):
        if not routing.is_locked(plan):
            db.session.delete(plan)
            gone += 1
    db.session.flush()
    return gone


@dataclass(frozen=True)
class RepOutcome:
    """What was written for one rep: the day plan (or why it was kept) and draft days."""

    rep_id: int
    plan: Plan | None
    kept: bool
    stops: int
    dropped: int
    drafts: int


@dataclass(frozen=True)
class _Draft:
    """One date to write: its route, the candidates' facts, and the plan status it gets."""

    day: date
    route: DayRoute
    info: Mapping[str, CandidateInfo]
    status: PlanStatus
    source: PlanSource


def _drafts(prepared: Prepared, result: RepResult, source: PlanSource) -> list[_Draft]:
    """Return the day (PLANNED) and the later days of the week agenda (DRAFT) to write."""
    assert result.route is not None
    out = [_Draft(prepared.day, result.route, prepared.info, PlanStatus.PLANNED, source)]
    if not prepared.later_days:
        return out
    for agenda_day in result.week.days if result.week is not None else ():
        if not agenda_day.frozen and agenda_day.date != prepared.day:
            out.append(
                _Draft(
                    agenda_day.date,
                    agenda_day.route,
                    prepared.week_info,
                    PlanStatus.DRAFT,
                    PlanSource.AGENDA,
                )
            )
    return out


def _write_plans(
    rep: User, drafts: list[_Draft], *, config: PlanningConfig, run_id: int | None
) -> tuple[dict[date, Plan], set[date]]:
    """Replace the rep's plans of these dates in a few statements; keep plans under way."""
    existing = {
        p.plan_date: p
        for p in db.session.scalars(
            sa.select(Plan).where(
                Plan.user_id == rep.id, Plan.plan_date.in_([d.day for d in drafts])
            )
        )
    }
    written: dict[date, Plan] = {}
    kept: set[date] = set()
    for d in drafts:
        plan = existing.get(d.day)
        if plan is not None and routing.is_locked(plan):
            kept.add(d.day)
            continue
        if plan is None:
            plan = Plan(company_id=rep.company_id, user_id=rep.id, plan_date=d.day, revision=0)
            db.session.add(plan)
        routing.set_totals(plan, d.route, d.info)
        plan.status, plan.source = d.status, d.source
        plan.revision = (plan.revision or 0) + 1
        plan.settings_version, plan.run_id = config.settings_version, run_id
        written[d.day] = plan
    db.session.flush()
    rows = {
        written[d.day].id: routing.stop_rows(d.route, d.info) for d in drafts if d.day in written
    }
    _replace_stops(rows)
    for plan in written.values():
        db.session.expire(plan, ["stops"])
    return written, kept


def _replace_stops(rows_by_plan: Mapping[int, list[dict[str, Any]]]) -> None:
    """Make each plan's stops exactly ``rows``, reusing the old rows in place.

    Updating rows by id instead of deleting them matters: every deleted stop makes the
    database check ``contacts.plan_stop_id`` (ON DELETE SET NULL), a scan of the contacts.
    Plans of reps who checked in are started and never reach this function.
    """
    if not rows_by_plan:
        return
    old: dict[int, list[int]] = {pid: [] for pid in rows_by_plan}
    for stop_id, plan_id in db.session.execute(
        sa.select(PlanStop.id, PlanStop.plan_id)
        .where(PlanStop.plan_id.in_(list(rows_by_plan)))
        .order_by(PlanStop.id)
    ):
        old[plan_id].append(stop_id)
    updates, inserts, surplus = [], [], []
    for plan_id, rows in rows_by_plan.items():
        ids = old[plan_id]
        updates += [
            {**row, "id": sid, "plan_id": plan_id} for sid, row in zip(ids, rows, strict=False)
        ]
        inserts += [{**row, "plan_id": plan_id} for row in rows[len(ids) :]]
        surplus += ids[len(rows) :]
    if surplus:
        db.session.execute(sa.delete(PlanStop).where(PlanStop.id.in_(surplus)))
    if updates:
        db.session.execute(sa.update(PlanStop), updates)
    if inserts:
        db.session.execute(sa.insert(PlanStop), inserts)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, PlanStop) and obj.plan_id in rows_by_plan:
            db.session.expire(obj)


def write_result(
    *,
    rep: User,
    prepared: Prepared,
    result: RepResult,
    config: PlanningConfig,
    run_id: int | None = None,
    source: PlanSource = PlanSource.NIGHTLY,
) -> RepOutcome:
    """Store a solved rep: the day as PLANNED, the following days as DRAFT; flush only."""
    if result.error is not None or result.route is None:
        raise PlanningError(result.error or "no_route")
    drafts = _drafts(prepared, result, source)
    written, kept = _write_plans(rep, drafts, config=config, run_id=run_id)
    if prepared.day in kept:
        plan = routing.get_or_new_plan(rep=rep, day=prepared.day)
        visits, dropped = (
            sum(1 for s in plan.stops if s.kind == StopKind.VISIT),
            len(plan.dropped or []),
        )
    else:
        plan = written[prepared.day]
        visits = sum(1 for s in result.route.stops if s.kind == "visit")
        dropped = len(result.route.dropped)
    return RepOutcome(
        rep.id,
        plan,
        prepared.day in kept,
        visits,
        dropped,
        len(written) - (prepared.day in written),
    )


def plan_rep(
    *,
    rep: User,
    day: date,
    config: PlanningConfig | None = None,
    run_id: int | None = None,
    source: PlanSource = PlanSource.MANUAL,
    week: bool = True,
) -> RepOutcome:
    """Plan one rep for a date in this process (the day route, then the week agenda)."""
    config = config or routing.load_config(company_id=rep.company_id)
    prepared = prepare_rep(rep=rep, day=day, config=config, week=week)
    return write_result(
        rep=rep,
        prepared=prepared,
        result=solve(prepared.work),
        config=config,
        run_id=run_id,
        source=source,
    )
