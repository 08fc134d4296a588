"""Re-plan the rest of a day under way: propose (a preview), then apply.

The rep's "Replanejar" button and the replan flow (:mod:`app.services.replan_flow`) call
:func:`propose_replan` and :func:`apply_replan`; :func:`replan_rest_of_day` does both.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import travel_provider
from app.models import (
    Contact,
    ContactKind,
    Customer,
    Plan,
    PlanSource,
    PlanStatus,
    StopStatus,
    User,
)
from app.services import routing, visit_calendars
from app.services.planning import calendar_candidates
from app.services.routing import CandidateInfo, PlanningConfig
from optimizer.model import Candidate, Location
from optimizer.replan import Replan, RouteDiff
from optimizer.replan import replan_rest_of_day as _replan


@dataclass(frozen=True)
class ReplanOutcome:
    """The re-planned plan (revision bumped) and what changed for the rep."""

    plan: Plan
    diff: RouteDiff
    changed: bool


def _replan_candidates(plan: Plan, config: PlanningConfig) -> routing.CandidateSet:
    """Rebuild the day's candidates from the plan's stops, its dropped list and appointments."""
    rep = db.session.get(User, plan.user_id)
    assert rep is not None
    scores = {s.customer_id: s.score or 0.0 for s in plan.stops if s.customer_id is not None}
    scores.update({int(d["customer_id"]): float(d.get("score") or 0.0) for d in plan.dropped or []})
    base = routing.build_candidates(rep=rep, day=plan.plan_date, config=config)
    appts = {
        k: c
        for k, c in zip(base.info, base.candidates, strict=True)
        if base.info[k].purpose == "appointment"
    }
    cands, info = dict(appts), {k: base.info[k] for k in appts}
    for cust in db.session.scalars(sa.select(Customer).where(Customer.id.in_(list(scores)))):
        key = str(cust.id)
        position = cust.position
        if key in cands or position is None:
            continue
        service_s = cust.service_minutes * 60
        windows = routing.service_windows(cust.opening_hours, plan.plan_date.weekday(), service_s)
        cands[key] = Candidate(
            key,
            Location(*position),
            max(scores[cust.id], 0.0),
            service_s,
            windows,
        )
        info[key] = CandidateInfo(cust.id, scores[cust.id])
    if config.nightly_mode == "calendar":
        regular = visit_calendars.customers_on(rep_id=rep.id, day=plan.plan_date)
        cands, info = calendar_candidates.calendar_first(cands, info, set(regular))
    return routing.CandidateSet(tuple(cands.values()), info)


@dataclass(frozen=True)
class ReplanProposal:
    """A re-plan computed but not written: the optimiser's answer and what writing it needs."""

    plan: Plan
    result: Replan
    info: Mapping[str, CandidateInfo]
    pinned: frozenset[str]


def propose_replan(
    *,
    plan: Plan,
    now_s: int,
    position: tuple[float, float] | None = None,
    visited_customer_ids: Collection[int] = (),
    pinned_customer_ids: Collection[int] = (),
    config: PlanningConfig | None = None,
    seconds: float = 0.5,
    keep_order_unless_gain: bool = False,
) -> ReplanProposal:
    """Re-plan what is left of ``plan`` without writing anything (a preview).

    ``keep_order_unless_gain`` keeps the rep's remaining order (times updated) unless the
    solver's route visits more customers or clearly drives less
    (:func:`optimizer.replan.choose_route`). Other parameters: :func:`replan_rest_of_day`.
    """
    rep = db.session.get(User, plan.user_id)
    assert rep is not None
    config = config or routing.load_config(company_id=plan.company_id)
    cset = _replan_candidates(plan, config)
    template = routing.rep_day(rep.work_profile)
    provider = travel_provider(config.osrm_url)
    problem = routing.day_problem(template, cset.candidates, provider)
    known = {c.id for c in cset.candidates}
    done_stops = [s for s in plan.stops if s.status != StopStatus.PENDING]
    visited = {str(s.customer_id) for s in done_stops if s.customer_id is not None}
    visited |= {str(c) for c in visited_customer_ids} | _visited_today(plan)
    visited &= known
    pinned = (
        {str(s.customer_id) for s in plan.stops if s.pinned and s.customer_id}
        | {str(c) for c in pinned_customer_ids}
    ) & known
    current = _current_position(plan, position, template.start)
    result = _replan(
        problem,
        routing.route_from_plan(plan),
        now_s=now_s,
        current=current,
        provider=provider,
        visited_ids=visited,
        pinned_ids=pinned - visited,
        time_limit=timedelta(seconds=seconds),
        seed=plan.user_id,
        keep_order_unless_gain=keep_order_unless_gain,
    )
    return ReplanProposal(plan, result, cset.info, frozenset(pinned))


def apply_replan(proposal: ReplanProposal) -> ReplanOutcome:
    """Write a proposed re-plan into its plan (finished stops kept first); flush only."""
    plan, result = proposal.plan, proposal.result
    routing.fill_plan(plan, result.route, proposal.info, pinned=proposal.pinned, keep_done=True)
    plan.status = PlanStatus.STARTED
    plan.source = PlanSource.REPLAN
    plan.revision = (plan.revision or 0) + 1
    db.session.flush()
    return ReplanOutcome(plan, result.diff, result.diff.changed)


def replan_rest_of_day(
    *,
    plan: Plan,
    now_s: int,
    position: tuple[float, float] | None = None,
    visited_customer_ids: Collection[int] = (),
    pinned_customer_ids: Collection[int] = (),
    config: PlanningConfig | None = None,
    seconds: float = 0.5,
) -> ReplanOutcome:
    """Re-plan what is left of ``plan`` from ``position`` at ``now_s``; flush only.

    Parameters
    ----------
    plan
        The rep's plan of the day (status PLANNED or STARTED); it becomes STARTED.
    now_s
        Seconds since local midnight of the plan's date (``app.services.clock.seconds_of_day``).
    position
        ``(lat, lon)`` of the rep now; None uses the last finished stop, else the start place.
    visited_customer_ids
        Customers already visited today, beyond the stops marked DONE (e.g. from contacts).
    pinned_customer_ids
        Customers that must stay on the route; stops already pinned stay pinned.
    config, seconds
        Company planning settings (read when None) and the solver's time budget.

    Returns
    -------
    ReplanOutcome
        The plan with its new stops (finished stops kept first), revision + 1, and the diff
        (kept / moved / added / dropped with reasons / pinned / visited).
    """
    return apply_replan(
        propose_replan(
            plan=plan,
            now_s=now_s,
            position=position,
            visited_customer_ids=visited_customer_ids,
            pinned_customer_ids=pinned_customer_ids,
            config=config,
            seconds=seconds,
        )
    )


def _visited_today(plan: Plan) -> set[str]:
    """Return customers the rep has visit contacts with on the plan's date."""
    rows = db.session.scalars(
        sa.select(Contact.customer_id).where(
            Contact.user_id == plan.user_id,
            Contact.kind == ContactKind.VISIT,
            Contact.contact_date == plan.plan_date,
        )
    )
    return {str(c) for c in rows}


def _current_position(
    plan: Plan, position: tuple[float, float] | None, start: Location
) -> Location:
    """Return where the rep is: given, else the last finished stop's customer, else the start."""
    if position is not None:
        return Location(float(position[0]), float(position[1]))
    for stop in sorted(plan.stops, key=lambda s: s.seq, reverse=True):
        cust = stop.customer
        if stop.status != StopStatus.PENDING and cust is not None and cust.has_position:
            return Location(cust.latitude, cust.longitude)  # type: ignore[arg-type]
    return start
