"""Which dates a run plans: the next working day, and the rep's working days of the week agenda.

The working calendar itself (days off, weekdays worked) lives in
:mod:`app.services.work_calendar`; this module turns it into the dates one planning run covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import WeekWork
from app.models import Plan, PlanStatus, User
from app.services import routing, work_calendar
from app.services.planning.candidates import week_customers
from app.services.routing import CandidateInfo, PlanningConfig
from optimizer.agenda import WorkDay


def next_working_day(*, company_id: int, day: date) -> date:
    """Return ``day`` when some rep of the company works on it, else the next such date."""
    return work_calendar.next_planning_day(company_id=company_id, today=day)


def week_work(
    rep: User,
    day: date,
    config: PlanningConfig,
    customers: list[routing.CustomerFacts],
    scores: Mapping[int, routing.ScoreFacts],
    calendar: work_calendar.CompanyCalendar,
    last_visits: Mapping[int, date] | None = None,
    later_days: bool = True,
) -> tuple[WeekWork | None, dict[str, CandidateInfo]]:
    """Return the week agenda's inputs for the rep's working days after ``day`` (same calendar).

    A later day's plan is fixed input, never rewritten, when it is under way or was planned
    by a run of its own date (PLANNED); with ``later_days`` False every later plan is fixed.
    """
    if not config.week_agenda or config.horizon_days < 2:
        return None, {}
    template = routing.rep_day(rep.work_profile)
    later = calendar.working_days_after(rep, day, config.horizon_days - 1)
    dates = [day, *later]
    agenda, info = week_customers(
        rep=rep,
        day=day,
        days=dates,
        config=config,
        customers=customers,
        scores=scores,
        last_visits=last_visits,
    )
    frozen = tuple(
        (plan.plan_date, routing.route_from_plan(plan))
        for plan in db.session.scalars(
            sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date.in_(later))
        )
        if not later_days or plan.status != PlanStatus.DRAFT or routing.is_locked(plan)
    )
    work = WeekWork(
        days=tuple(WorkDay(d, template) for d in dates),
        customers=agenda,
        frozen=frozen,
        seconds_per_day=config.agenda_seconds_per_day,
    )
    return work, info
