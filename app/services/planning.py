"""Plan a rep's day, the week agenda after it, and re-plan the rest of a day under way.

The same three steps serve the nightly pipeline, the ``flask plan`` command and the rep's
"Replanejar" button: :func:`prepare_rep` reads the database into a pure
:class:`~app.jobs.work.RepWork`, :func:`app.jobs.work.solve` solves it (here, in a local
process or on a Celery worker), :func:`write_result` stores plans. Services flush, never commit.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import holidays
import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import RepResult, RepWork, WeekWork, solve, travel_provider
from app.models import (
    Appointment,
    Channel,
    Contact,
    ContactKind,
    Customer,
    Plan,
    PlanStatus,
    PlanStop,
    Role,
    StopStatus,
    User,
)
from app.services import routing
from app.services.routing import CandidateInfo, PlanningConfig, PlanningError
from optimizer.agenda import AgendaCustomer, WorkDay
from optimizer.agenda import Appointment as AgendaAppointment
from optimizer.model import DayRoute, Location, TimeWindow
from optimizer.replan import RouteDiff
from optimizer.replan import replan_rest_of_day as _replan


@functools.lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    """Return Brazil's national holidays of a year (cached: asked once per date per rep)."""
    return holidays.country_holidays("BR", years=year)


def is_working_day(day: date) -> bool:
    """Tell whether a date is a company working day: weekdays that are not national holidays."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    """Return ``day`` itself when it is a working day, else the next one."""
    return day if is_working_day(day) else routing.working_days_after(day, 1, is_working_day)[0]


def rep_works(rep: User, day: date) -> bool:
    """Tell whether the rep works on a date (company calendar and own weekdays)."""
    profile = rep.work_profile
    return is_working_day(day) and (profile is None or profile.works_on(day.weekday()))


def planned_reps(*, company_id: int, rep_ids: Collection[int] | None = None) -> list[User]:
    """Return the company's active field reps, by id (optionally only some of them)."""
    query = sa.select(User).where(User.company_id == company_id, User.role == Role.REP, User.active.is_(True))
    if rep_ids is not None:
        query = query.where(User.id.in_(list(rep_ids)))
    return list(db.session.scalars(query.order_by(User.id)))


# --------------------------------------------------------------------------- company facts


@dataclass(frozen=True)
class CompanyFacts:
    """What every rep's preparation reads, loaded for the whole company in three queries."""

    customers: Mapping[int, list[routing.CustomerFacts]]  # by owner id
    scores: Mapping[int, routing.ScoreFacts]
    last_visits: Mapping[int, date]


def company_facts(*, company_id: int, day: date) -> CompanyFacts:
    """Load the field customers, the day's scores and the last visits of a whole company."""
    by_owner: dict[int, list[routing.CustomerFacts]] = {}
    rows = db.session.execute(
        sa.select(Customer.owner_id, *routing.FACT_COLUMNS)
        .where(
            Customer.company_id == company_id,
            Customer.owner_id.is_not(None),
            Customer.active.is_(True),
            Customer.channel == Channel.FIELD,
            Customer.latitude.is_not(None),
            Customer.longitude.is_not(None),
        )
        .order_by(Customer.id)
    )
    for owner_id, *facts in rows:
        by_owner.setdefault(owner_id, []).append(routing.CustomerFacts(*facts))
    last = db.session.execute(
        sa.select(Contact.customer_id, sa.func.max(Contact.contact_date))
        .where(Contact.company_id == company_id, Contact.kind == ContactKind.VISIT, Contact.contact_date < day)
        .group_by(Contact.customer_id)
    )
    return CompanyFacts(by_owner, routing.scores_for(company_id=company_id, day=day), dict(last.all()))


# --------------------------------------------------------------------------- week inputs


def _last_visits(rep: User, day: date, customer_ids: list[int]) -> dict[int, date]:
    """Return the last visit date before ``day`` of each customer."""
    rows = db.session.execute(
        sa.select(Contact.customer_id, sa.func.max(Contact.contact_date))
        .where(
            Contact.company_id == rep.company_id,
            Contact.kind == ContactKind.VISIT,
            Contact.contact_date < day,
            Contact.customer_id.in_(customer_ids),
        )
        .group_by(Contact.customer_id)
    )
    return {cid: last for cid, last in rows}


def _week_appointments(rep: User, days: list[date]) -> dict[int, list[AgendaAppointment]]:
    """Return the rep's appointments of the week by customer id."""
    out: dict[int, list[AgendaAppointment]] = {}
    rows = db.session.scalars(
        sa.select(Appointment).where(Appointment.user_id == rep.id, Appointment.day.in_(days))
    )
    for appt in rows:
        window = TimeWindow(appt.window_start_s, max(appt.window_start_s, appt.window_end_s))
        out.setdefault(appt.customer_id, []).append(AgendaAppointment(appt.day, window))
    return out


def _weekly_opening(hours: Mapping[str, Any] | None) -> tuple[tuple[TimeWindow, ...], ...]:
    """Return seven days of up to two opening intervals (Monday first)."""
    return _opening_windows(routing.week_intervals(hours))


@functools.lru_cache(maxsize=4096)
def _opening_windows(table: tuple[tuple[tuple[int, int], ...], ...]) -> tuple[tuple[TimeWindow, ...], ...]:
    """Build the agenda's opening windows once per distinct weekly table."""
    week = []
    for spans in table:
        if len(spans) > 2:
            spans = (spans[0], (spans[1][0], spans[-1][1]))
        week.append(tuple(TimeWindow(a, b) for a, b in spans))
    return tuple(week)


def week_customers(
    *,
    rep: User,
    day: date,
    days: list[date],
    config: PlanningConfig,
    customers: list[routing.CustomerFacts] | None = None,
    scores: Mapping[int, routing.ScoreFacts] | None = None,
    last_visits: Mapping[int, date] | None = None,
) -> tuple[tuple[AgendaCustomer, ...], dict[str, CandidateInfo]]:
    """Map the rep's field portfolio to the agenda's customers, with their scores."""
    if customers is None:
        customers = routing.field_customers(rep=rep)
    ids = [c.id for c in customers]
    if scores is None:
        scores = routing.scores_for(company_id=rep.company_id, day=day, customer_ids=ids)
    last = _last_visits(rep, day, ids) if last_visits is None else last_visits
    appts = _week_appointments(rep, days)
    out, info = [], {}
    for cust in customers:
        snap = scores.get(cust.id)
        if snap is not None and snap.flags & routing.COLLECTION and config.collection_policy == "skip":
            continue
        seen = last.get(cust.id)
        out.append(
            AgendaCustomer(
                id=str(cust.id),
                location=Location(cust.latitude, cust.longitude),
                priority=max(snap.total if snap else 0.0, 0.0),
                frequency_days=max(1, cust.visit_frequency_days),
                days_since_visit=None if seen is None else (day - seen).days,
                opening=_weekly_opening(cust.opening_hours),
                service_s=cust.service_minutes * 60,
                delivery_weekdays=frozenset(d for d in range(7) if cust.delivers_on(d)),
                appointments=tuple(appts.get(cust.id, ())),
            )
        )
        info[str(cust.id)] = CandidateInfo(cust.id, snap.total if snap else 0.0)
    return tuple(out), info


def _week_work(
    rep: User,
    day: date,
    config: PlanningConfig,
    customers: list[routing.CustomerFacts],
    scores: Mapping[int, routing.ScoreFacts],
    last_visits: Mapping[int, date] | None = None,
) -> tuple[WeekWork | None, dict[str, CandidateInfo]]:
    """Return the week agenda's inputs for the working days after ``day``."""
    if not config.week_agenda or config.horizon_days < 2:
        return None, {}
    template = routing.rep_day(rep.work_profile)
    later = routing.working_days_after(day, config.horizon_days - 1, lambda d: rep_works(rep, d))
    dates = [day, *later]
    agenda, info = week_customers(
        rep=rep, day=day, days=dates, config=config, customers=customers, scores=scores, last_visits=last_visits
    )
    frozen = tuple(
        (plan.plan_date, routing.route_from_plan(plan))
        for plan in db.session.scalars(sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date.in_(later)))
        if routing.is_locked(plan)
    )
    work = WeekWork(
        days=tuple(WorkDay(d, template) for d in dates),
        customers=agenda,
        frozen=frozen,
        seconds_per_day=config.agenda_seconds_per_day,
    )
    return work, info


# --------------------------------------------------------------------------- one rep


@dataclass(frozen=True)
class Prepared:
    """A rep's work for the solver and what the writer needs to store its result."""

    rep_id: int
    day: date
    work: RepWork
    info: Mapping[str, CandidateInfo]
    week_info: Mapping[str, CandidateInfo]


def prepare_rep(
    *, rep: User, day: date, config: PlanningConfig, week: bool = True, facts: CompanyFacts | None = None
) -> Prepared:
    """Read the database into the rep's pure unit of work; raise PlanningError when impossible."""
    if not rep.active:
        raise PlanningError("inactive_rep")
    template = routing.rep_day(rep.work_profile)
    last_visits: Mapping[int, date] | None = None
    if facts is not None:
        customers, scores, last_visits = facts.customers.get(rep.id, []), facts.scores, facts.last_visits
    else:
        customers = routing.field_customers(rep=rep)
        scores = routing.scores_for(company_id=rep.company_id, day=day, customer_ids=[c.id for c in customers])
    cands = routing.build_candidates(rep=rep, day=day, config=config, customers=customers, scores=scores)
    provider = travel_provider(config.osrm_url)
    problem = routing.day_problem(template, cands.candidates, provider)
    week_work, week_info = _week_work(rep, day, config, customers, scores, last_visits) if week else (None, {})
    work = RepWork(
        user_id=rep.id,
        day=day,
        problem=problem,
        day_seconds=config.day_seconds,
        week=week_work,
        osrm_url=config.osrm_url,
        seed=rep.id,
    )
    return Prepared(rep.id, day, work, cands.info, week_info)


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
    source: str


def _drafts(prepared: Prepared, result: RepResult, source: str) -> list[_Draft]:
    """Return the day (PLANNED) and the later days of the week agenda (DRAFT) to write."""
    assert result.route is not None
    out = [_Draft(prepared.day, result.route, prepared.info, PlanStatus.PLANNED, source)]
    for agenda_day in result.week.days if result.week is not None else ():
        if not agenda_day.frozen and agenda_day.date != prepared.day:
            out.append(_Draft(agenda_day.date, agenda_day.route, prepared.week_info, PlanStatus.DRAFT, "agenda"))
    return out


def _write_plans(rep: User, drafts: list[_Draft], *, config: PlanningConfig, run_id: int | None) -> tuple[dict[date, Plan], set[date]]:
    """Replace the rep's plans of these dates in a few statements; keep plans under way."""
    existing = {
        p.plan_date: p
        for p in db.session.scalars(
            sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date.in_([d.day for d in drafts]))
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
        sa.select(PlanStop.id, PlanStop.plan_id).where(PlanStop.plan_id.in_(list(rows_by_plan))).order_by(PlanStop.id)
    ):
        old[plan_id].append(stop_id)
    updates, inserts, surplus = [], [], []
    for plan_id, rows in rows_by_plan.items():
        ids = old[plan_id]
        updates += [{**row, "id": sid, "plan_id": plan_id} for sid, row in zip(ids, rows, strict=False)]
        inserts += [{**row, "plan_id": plan_id} for row in rows[len(ids):]]
        surplus += ids[len(rows):]
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
    *, rep: User, prepared: Prepared, result: RepResult, config: PlanningConfig, run_id: int | None = None, source: str = "nightly"
) -> RepOutcome:
    """Store a solved rep: the day as PLANNED, the following days as DRAFT; flush only."""
    if result.error is not None or result.route is None:
        raise PlanningError(result.error or "no_route")
    drafts = _drafts(prepared, result, source)
    written, kept = _write_plans(rep, drafts, config=config, run_id=run_id)
    if prepared.day in kept:
        plan = routing.get_or_new_plan(rep=rep, day=prepared.day)
        visits, dropped = sum(1 for s in plan.stops if s.kind == "visit"), len(plan.dropped or [])
    else:
        plan = written[prepared.day]
        visits = sum(1 for s in result.route.stops if s.kind == "visit")
        dropped = len(result.route.dropped)
    return RepOutcome(rep.id, plan, prepared.day in kept, visits, dropped, len(written) - (prepared.day in written))


def plan_rep(*, rep: User, day: date, config: PlanningConfig | None = None, run_id: int | None = None, source: str = "manual", week: bool = True) -> RepOutcome:
    """Plan one rep for a date in this process (the day route, then the week agenda)."""
    config = config or routing.load_config(company_id=rep.company_id)
    prepared = prepare_rep(rep=rep, day=day, config=config, week=week)
    return write_result(rep=rep, prepared=prepared, result=solve(prepared.work), config=config, run_id=run_id, source=source)


# --------------------------------------------------------------------------- re-plan


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
    appts = {k: c for k, c in zip(base.info, base.candidates, strict=True) if base.info[k].purpose == "appointment"}
    cands, info = dict(appts), {k: base.info[k] for k in appts}
    for cust in db.session.scalars(sa.select(Customer).where(Customer.id.in_(list(scores)))):
        key = str(cust.id)
        if key in cands or not cust.has_position:
            continue
        service_s = cust.service_minutes * 60
        windows = routing.service_windows(cust.opening_hours, plan.plan_date.weekday(), service_s)
        cands[key] = routing.Candidate(key, Location(cust.latitude, cust.longitude), max(scores[cust.id], 0.0), service_s, windows)  # type: ignore[arg-type]
        info[key] = CandidateInfo(cust.id, scores[cust.id])
    return routing.CandidateSet(tuple(cands.values()), info)


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
    pinned = ({str(s.customer_id) for s in plan.stops if s.pinned and s.customer_id} | {str(c) for c in pinned_customer_ids}) & known
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
    )
    routing.fill_plan(plan, result.route, cset.info, pinned=pinned, keep_done=True)
    plan.status = PlanStatus.STARTED
    plan.source = "replan"
    plan.revision = (plan.revision or 0) + 1
    db.session.flush()
    return ReplanOutcome(plan, result.diff, result.diff.changed)


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


def _current_position(plan: Plan, position: tuple[float, float] | None, start: Location) -> Location:
    """Return where the rep is: given, else the last finished stop's customer, else the start."""
    if position is not None:
        return Location(float(position[0]), float(position[1]))
    for stop in sorted(plan.stops, key=lambda s: s.seq, reverse=True):
        cust = stop.customer
        if stop.status != StopStatus.PENDING and cust is not None and cust.has_position:
            return Location(cust.latitude, cust.longitude)  # type: ignore[arg-type]
    return start
