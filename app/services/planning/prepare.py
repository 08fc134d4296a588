"""Read the database into a rep's pure unit of work for the solver.

:func:`prepare_rep` is the first of the three planning steps (prepare, solve in
:func:`app.jobs.work.solve`, write in :mod:`app.services.planning.write`); it never writes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import RepWork, travel_provider
from app.models import Role, User
from app.services import routing, work_calendar
from app.services.planning import calendar_candidates
from app.services.planning.candidates import CompanyFacts, last_visits_of
from app.services.planning.days import week_work
from app.services.routing import CandidateInfo, PlanningConfig, PlanningError


def planned_reps(*, company_id: int, rep_ids: Collection[int] | None = None) -> list[User]:
    """Return the company's active field reps, by id (optionally only some of them)."""
    query = sa.select(User).where(
        User.company_id == company_id, User.role == Role.REP, User.active.is_(True)
    )
    if rep_ids is not None:
        query = query.where(User.id.in_(list(rep_ids)))
    return list(db.session.scalars(query.order_by(User.id)))


@dataclass(frozen=True)
class Prepared:
    """A rep's work for the solver and what the writer needs to store its result."""

    rep_id: int
    day: date
    work: RepWork
    info: Mapping[str, CandidateInfo]
    week_info: Mapping[str, CandidateInfo]
    later_days: bool = True  # write the agenda's later days as drafts


def prepare_rep(
    *,
    rep: User,
    day: date,
    config: PlanningConfig,
    week: bool = True,
    facts: CompanyFacts | None = None,
    later_days: bool = True,
) -> Prepared:
    """Read the database into the rep's pure unit of work; raise PlanningError when impossible."""
    if not rep.active:
        raise PlanningError("inactive_rep")
    template = routing.rep_day(rep.work_profile)
    last_visits: Mapping[int, date] | None = None
    by_calendar = config.nightly_mode == "calendar"
    visit_day: calendar_candidates.DayCalendar | None = None
    if facts is not None:
        customers, scores, last_visits = (
            facts.customers.get(rep.id, []),
            facts.scores,
            facts.last_visits,
        )
        calendar = facts.calendar
        if by_calendar and facts.visit_days is not None:
            visit_day = facts.visit_days.get(rep.id)
    else:
        customers = routing.field_customers(rep=rep)
        scores = routing.scores_for(
            company_id=rep.company_id, day=day, customer_ids=[c.id for c in customers]
        )
        calendar = work_calendar.load(company_id=rep.company_id, since=day, user_ids=[rep.id])
        if by_calendar:
            visit_day = calendar_candidates.day_calendars(
                company_id=rep.company_id,
                day=day,
                last_visits=last_visits_of(rep, day, [c.id for c in customers]),
                user_ids=[rep.id],
            ).get(rep.id)
    cands = routing.build_candidates(
        rep=rep, day=day, config=config, customers=customers, scores=scores, calendar=visit_day
    )
    provider = travel_provider(config.osrm_url)
    problem = routing.day_problem(template, cands.candidates, provider)
    # A calendar day's later days are the calendar's: no score-driven week agenda then.
    agenda, week_info = (
        week_work(rep, day, config, customers, scores, calendar, last_visits, later_days)
        if week and visit_day is None
        else (None, {})
    )
    work = RepWork(
        user_id=rep.id,
        day=day,
        problem=problem,
        day_seconds=config.day_seconds,
        week=agenda,
        osrm_url=config.osrm_url,
        seed=rep.id,
    )
    return Prepared(rep.id, day, work, cands.info, week_info, later_days)
