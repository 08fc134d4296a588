"""Compute a rep's calendar: read it into a pure job, solve it anywhere, store the answer.

Computing is split in three so the nightly run can fan it out like the routes:
:func:`prepare` reads the database into a :class:`CalendarJob` whose pure ``work`` any
process (local pool, Celery worker) solves with :func:`app.jobs.work.solve_calendar_work`,
and :func:`store` writes the answer; :func:`compute` does all three in this process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import CalendarResult, CalendarWork, solve_calendar_work
from app.models import (
    CalendarSlot,
    CalendarStatus,
    CalendarTrigger,
    User,
    VisitCalendar,
    utcnow,
)
from app.models.visit_calendar import weeks_mask
from app.services import company_settings, routing
from app.services.clock import local_today
from app.services.company_settings import CompanySettingsView
from app.services.routing import PlanningError
from app.services.visit_calendars.inputs import calendar_settings, open_weekdays, rep_capacity
from app.services.visit_calendars.reading import cadence_for, calendar_for, cycle_monday
from optimizer.model import Location
from optimizer.visit_calendar import CalendarCustomer, CalendarRep, Pattern


@dataclass(frozen=True)
class CalendarJob:
    """One rep's calendar to solve (``work``, pure: any process can solve it) and what
    storing the answer needs."""

    work: CalendarWork
    company_id: int
    settings_version: int
    trigger: CalendarTrigger
    by_id: int | None = None

    @property
    def user_id(self) -> int:
        """The rep whose calendar this is."""
        return self.work.user_id


def _stored_patterns(calendar: VisitCalendar | None) -> dict[int, tuple[Pattern, bool]]:
    """Return the calendar in force by customer id: its pattern and whether it is pinned.

    The slots are read from the database over whatever this session holds: a pin or move
    written by another session (a supervisor's request) must reach the solver, or it would
    re-optimise a pinned customer as if free.
    """
    if calendar is None:
        return {}
    slots = db.session.scalars(
        sa.select(CalendarSlot)
        .where(CalendarSlot.calendar_id == calendar.id)
        .execution_options(populate_existing=True)
    )
    return {
        s.customer_id: (Pattern(s.weekday, s.week_list), s.pinned) for s in slots if s.week_list
    }


def prepare(
    *,
    rep: User,
    trigger: CalendarTrigger,
    by: User | None = None,
    reoptimise: bool = False,
    seconds: float | None = None,
    settings: CompanySettingsView | None = None,
) -> CalendarJob:
    """Read the rep's field portfolio and calendar in force into a pure job.

    The stored slots are the stability reference; a pinned slot stays pinned while it still
    serves the customer's cadence (a changed frequency frees it). Raises PlanningError when
    the rep cannot be planned at all (no work profile or base position).
    """
    if not rep.active:
        raise PlanningError("inactive_rep")
    view = settings or company_settings.get(company_id=rep.company_id)
    capacity, base = rep_capacity(rep)
    template = routing.rep_day(rep.work_profile)
    calendar = calendar_for(rep_id=rep.id)
    stored = _stored_patterns(calendar)
    customers = []
    for facts in routing.field_customers(rep=rep):
        cadence = cadence_for(facts.visit_frequency_days)
        current, pinned = stored.get(facts.id, (None, False))
        if current is not None and current.cadence != cadence:
            current, pinned = None, False
        customers.append(
            CalendarCustomer(
                id=str(facts.id),
                location=Location(facts.latitude, facts.longitude),
                cadence=cadence,
                open_weekdays=frozenset(open_weekdays(facts, template.start_s, template.end_s)),
                service_s=min(facts.service_minutes * 60, 24 * 3600),
                delivery_weekdays=frozenset(d for d in range(7) if facts.delivers_on(d)),
                current=current,
                pinned=pinned,
            )
        )
    start = calendar.cycle_start if calendar is not None else cycle_monday(local_today())
    work = CalendarWork(
        user_id=rep.id,
        customers=tuple(customers),
        rep=CalendarRep(base, start, capacity),
        settings=calendar_settings(view, reoptimise=reoptimise, seconds=seconds),
    )
    return CalendarJob(
        work=work,
        company_id=rep.company_id,
        settings_version=view.version,
        trigger=trigger,
        by_id=by.id if by is not None else None,
    )


@dataclass(frozen=True)
class CalendarOutcome:
    """What :func:`store` wrote: the calendar row and whether its slots were replaced."""

    calendar: VisitCalendar
    replaced: bool
    changed: int
    left_out: int


def store(job: CalendarJob, result: CalendarResult) -> CalendarOutcome:
    """Write a solved job as the rep's calendar in force; flush only.

    A calendar found (optimal or feasible) replaces the slots, keeping pins and the
    supervisor's marks on customers that stayed put; an infeasible or unknown answer keeps
    the old slots and records the status and conflicts, so the supervisor sees why.
    Raises PlanningError when the solver itself failed (nothing is written).
    """
    solution = result.solution
    if result.error is not None or solution is None:
        raise PlanningError(result.error or "no_calendar")
    calendar = calendar_for(rep_id=job.user_id)
    if calendar is None:
        calendar = VisitCalendar(
            company_id=job.company_id, user_id=job.user_id, cycle_start=job.work.rep.cycle_start
        )
        db.session.add(calendar)
        db.session.flush()
    conflicts = [{"customer_id": int(cid), "reason": reason} for cid, reason in result.left_out]
    conflicts += [
        {"customer_id": int(c.customer_id) if c.customer_id else None, "reason": c.reason}
        for c in solution.conflicts
    ]
    calendar.status = CalendarStatus(solution.status)
    calendar.cycle_start = job.work.rep.cycle_start
    calendar.conflicts = conflicts
    calendar.solve_seconds = round(solution.seconds, 3)
    calendar.settings_version = job.settings_version
    calendar.trigger = job.trigger
    calendar.computed_at = utcnow()
    calendar.computed_by_id = job.by_id
    calendar.stale, calendar.stale_reason, calendar.stale_since = False, None, None
    found = solution.status in ("optimal", "feasible")
    if found:
        calendar.objective = solution.objective
        calendar.best_bound = solution.best_bound
        calendar.gap = solution.gap
        calendar.changed = len(solution.changed)
        _replace_slots(calendar, solution.assignment)
    db.session.flush()
    return CalendarOutcome(
        calendar, found, len(solution.changed) if found else 0, len(result.left_out)
    )


def _replace_slots(calendar: VisitCalendar, assignment: Mapping[str, Pattern]) -> None:
    """Make the calendar's slots the assignment, updating rows in place."""
    old = {s.customer_id: s for s in calendar.slots}
    for key, pattern in assignment.items():
        cid = int(key)
        mask = weeks_mask(pattern.weeks)
        slot = old.pop(cid, None)
        if slot is None:
            calendar.slots.append(
                CalendarSlot(customer_id=cid, weekday=pattern.weekday, weeks=mask)
            )
            continue
        if (slot.weekday, slot.weeks) != (pattern.weekday, mask):
            slot.weekday, slot.weeks = pattern.weekday, mask
            slot.moved_by_id = None
            slot.pinned, slot.pinned_by_id, slot.pinned_at = False, None, None
    for slot in old.values():
        calendar.slots.remove(slot)


def compute(
    *,
    rep: User,
    trigger: CalendarTrigger,
    by: User | None = None,
    reoptimise: bool = False,
    seconds: float | None = None,
) -> CalendarOutcome:
    """Compute and store the rep's calendar in this process; flush only.

    Parameters
    ----------
    rep
        The field rep; his active field customers with a position are the portfolio.
    trigger
        Why (setup, portfolio, supervisor, settings); stored with the calendar.
    by
        Who asked (a supervisor), if anyone.
    reoptimise
        Re-optimise even when the calendar in force still fits everything (a supervisor's
        "re-optimise"); otherwise an unchanged portfolio keeps its calendar as it is.
        Pinned customers stay where they are either way.
    seconds
        CP-SAT's budget; the company's ``calendar_seconds`` when None.

    Raises
    ------
    PlanningError
        When the rep has no work profile or no base position.
    """
    job = prepare(rep=rep, trigger=trigger, by=by, reoptimise=reoptimise, seconds=seconds)
    return store(job, solve_calendar_work(job.work))
