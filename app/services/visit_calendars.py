"""Stored visit calendars: compute a rep's calendar, read a date's customers, move and pin.

The optimiser (:mod:`optimizer.visit_calendar`) chooses each customer's regular slot in the
rep's four-week cycle; this service feeds it the rep's portfolio with the calendar in force
as its stability reference (pins kept), and stores the answer (:class:`VisitCalendar`,
:class:`CalendarSlot`). Computing is split in three so the nightly run can fan it out like
the routes: :func:`prepare` reads the database into a :class:`CalendarJob` whose pure
``work`` any process (local pool, Celery worker) solves with
:func:`app.jobs.work.solve_calendar_work`, and :func:`store` writes the answer. Services flush,
never commit.

Calendars are recomputed when a portfolio changes (a customer added, moved, lost, or its
cadence, opening hours or position changed: :func:`mark_stale`, called by
``app/services/calendar_triggers.py``) or a supervisor asks, never every night; the nightly
run in ``calendar`` mode reads them.

The calendar is a recurring pattern: the rep's working weekdays and the customers' opening
days shape it, while one-off days off (holidays, vacation) do not — a calendar customer
whose regular day falls on a day off is not visited that day and its growing score brings
it back on the next days.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa
from babel.lists import format_list
from flask import has_request_context
from flask_babel import get_locale, ngettext, pgettext
from flask_babel import gettext as _

from app.extensions import db
from app.jobs.work import CalendarResult, CalendarWork, solve_calendar_work
from app.models import (
    CalendarSlot,
    CalendarStatus,
    CalendarTrigger,
    Channel,
    Customer,
    User,
    VisitCalendar,
    utcnow,
)
from app.models.visit_calendar import CYCLE_WEEKS, weeks_mask
from app.services import company_settings, routing
from app.services.clock import local_today
from app.services.company_settings import CompanySettingsView
from app.services.routing import PlanningError
from optimizer.model import Location
from optimizer.visit_calendar import (
    Cadence,
    CalendarCustomer,
    CalendarDay,
    CalendarRep,
    CalendarSettings,
    Pattern,
    allowed_patterns,
    evaluate_calendar,
)

MAX_LEAD_TIME_DAYS = 6  # the calendar's delivery rule looks one week ahead at most


class CalendarError(ValueError):
    """A calendar change that cannot be made; ``code`` names why (for the API and pages)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------- reading


def cadence_for(frequency_days: int) -> Cadence:
    """Return the calendar cadence closest to a visit frequency in days.

    Up to 10 days is weekly, up to 21 fortnightly, anything longer monthly: a four-week
    cycle cannot hold a customer less than once, and visiting more often than weekly is the
    score's job (urgent extras on top of the calendar).
    """
    if frequency_days <= 10:
        return "weekly"
    if frequency_days <= 21:
        return "fortnightly"
    return "monthly"


def calendar_for(*, rep_id: int) -> VisitCalendar | None:
    """Return the rep's stored calendar (None before the first computation)."""
    return db.session.scalar(sa.select(VisitCalendar).where(VisitCalendar.user_id == rep_id))


def cycle_monday(day: date) -> date:
    """Return the Monday of the week of ``day`` (where a new cycle starts)."""
    return day - timedelta(days=day.weekday())


def week_of(calendar: VisitCalendar, day: date) -> int:
    """Return the week of the cycle (0-3) a date falls in; the cycle repeats every 4 weeks."""
    return calendar.week_of(day)


def slots_on(*, rep_id: int, day: date) -> list[CalendarSlot]:
    """Return the slots of the rep's calendar visited on ``day``, customers still his.

    A customer moved to another rep, lost (inactive) or turned to telesales since the last
    computation is left out: the calendar is stale until recomputed, never wrong.
    """
    calendar = calendar_for(rep_id=rep_id)
    if calendar is None:
        return []
    week = calendar.week_of(day)
    rows = db.session.scalars(
        sa.select(CalendarSlot)
        .join(Customer, Customer.id == CalendarSlot.customer_id)
        .where(
            CalendarSlot.calendar_id == calendar.id,
            CalendarSlot.weekday == day.weekday(),
            CalendarSlot.weeks.op("&")(1 << week) != 0,
            Customer.owner_id == rep_id,
            Customer.active.is_(True),
            Customer.channel == Channel.FIELD,
        )
        .order_by(CalendarSlot.customer_id)
    )
    return list(rows)


def customers_on(*, rep_id: int, day: date) -> list[int]:
    """Return the ids of the customers whose regular day is ``day`` in the rep's calendar."""
    return [slot.customer_id for slot in slots_on(rep_id=rep_id, day=day)]


def company_day_customers(*, company_id: int, day: date) -> dict[int, set[int]]:
    """Return, by rep id, the customers of every stored calendar of the company on ``day``.

    One query for the nightly run; the same filters as :func:`slots_on`.
    """
    out: dict[int, set[int]] = {}
    rows = db.session.execute(
        sa.select(VisitCalendar.user_id, VisitCalendar.cycle_start, CalendarSlot.customer_id)
        .join(CalendarSlot, CalendarSlot.calendar_id == VisitCalendar.id)
        .join(Customer, Customer.id == CalendarSlot.customer_id)
        .where(
            VisitCalendar.company_id == company_id,
            CalendarSlot.weekday == day.weekday(),
            Customer.owner_id == VisitCalendar.user_id,
            Customer.active.is_(True),
            Customer.channel == Channel.FIELD,
        )
        .add_columns(CalendarSlot.weeks)
    )
    for user_id, start, customer_id, weeks in rows:
        week = (day - start).days // 7 % CYCLE_WEEKS
        if weeks >> week & 1:
            out.setdefault(user_id, set()).add(customer_id)
    return out


def slot_for_customer(*, customer_id: int) -> CalendarSlot | None:
    """Return the customer's slot in its owner's calendar, if it has one."""
    return db.session.scalar(
        sa.select(CalendarSlot)
        .join(VisitCalendar, VisitCalendar.id == CalendarSlot.calendar_id)
        .join(Customer, Customer.id == CalendarSlot.customer_id)
        .where(CalendarSlot.customer_id == customer_id, VisitCalendar.user_id == Customer.owner_id)
    )


def _weekday_name(weekday: int) -> str:
    """Return the weekday's short spoken name ("terça", "Tuesday")."""
    names = (
        pgettext("regular weekday", "Monday"),
        pgettext("regular weekday", "Tuesday"),
        pgettext("regular weekday", "Wednesday"),
        pgettext("regular weekday", "Thursday"),
        pgettext("regular weekday", "Friday"),
        pgettext("regular weekday", "Saturday"),
        pgettext("regular weekday", "Sunday"),
    )
    return names[weekday]


def _every_weekday(weekday: int) -> str:
    """Return "toda terça", "todo sábado": whole phrases, as the article's gender varies."""
    phrases = (
        pgettext("regular weekday", "every Monday"),
        pgettext("regular weekday", "every Tuesday"),
        pgettext("regular weekday", "every Wednesday"),
        pgettext("regular weekday", "every Thursday"),
        pgettext("regular weekday", "every Friday"),
        pgettext("regular weekday", "every Saturday"),
        pgettext("regular weekday", "every Sunday"),
    )
    return phrases[weekday]


def describe(weekday: int, weeks: Iterable[int]) -> str:
    """Say a regular slot in the user's language: "terça, semanas 1 e 3", "toda terça".

    ``weeks`` are the cycle's weeks 0-3; people count them from 1.
    """
    listed = sorted(set(weeks))
    if listed == list(range(CYCLE_WEEKS)):
        return _every_weekday(weekday)
    name = _weekday_name(weekday)
    locale = str(get_locale()) if has_request_context() else "pt_BR"
    numbers = format_list([str(w + 1) for w in listed], locale=locale or "pt_BR")
    return ngettext(
        "%(weekday)s, week %(weeks)s",
        "%(weekday)s, weeks %(weeks)s",
        len(listed),
        weekday=name,
        weeks=numbers,
    )


def describe_slot(slot: CalendarSlot) -> str:
    """Say a stored slot in the user's language (see :func:`describe`)."""
    return describe(slot.weekday, slot.week_list)


# --------------------------------------------------------------------------- computing


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


def calendar_settings(
    view: CompanySettingsView, *, reoptimise: bool = False, seconds: float | None = None
) -> CalendarSettings:
    """Return the optimiser's settings from the company's: delivery rule, lead time, budget."""
    planning = view.planning
    # The lead time admins edit is the score's (settings page, "Delivery lead time"), the
    # same the score's delivery fit uses.
    lead = view.scoring.lead_time_days
    return CalendarSettings(
        lead_time_days=min(max(int(lead), 0), MAX_LEAD_TIME_DAYS),
        delivery_rule="hard" if planning.delivery_rule == "hard" else "preferred",
        time_limit=timedelta(seconds=seconds if seconds is not None else planning.calendar_seconds),
        reoptimise=reoptimise,
    )


def _capacity(rep: User) -> tuple[tuple[int, ...], Location]:
    """Return the rep's working seconds for each weekday and his base (PlanningError if none)."""
    day = routing.rep_day(rep.work_profile)
    length = day.end_s - day.start_s - (day.lunch.duration_s if day.lunch else 0)
    seconds = max(0, min(day.max_working_s, length))
    profile = rep.work_profile
    assert profile is not None
    return tuple(seconds if profile.works_on(d) else 0 for d in range(7)), day.start


def _open_weekdays(facts: routing.CustomerFacts, day_start_s: int, day_end_s: int) -> set[int]:
    """Return the weekdays a visit fits the customer's opening hours within the rep's day."""
    service_s = facts.service_minutes * 60
    out = set()
    for weekday in range(7):
        windows = routing.service_windows(facts.opening_hours, weekday, service_s)
        if any(w.start_s <= day_end_s - service_s and w.end_s >= day_start_s for w in windows):
            out.add(weekday)
    return out


def _stored_patterns(calendar: VisitCalendar | None) -> dict[int, tuple[Pattern, bool]]:
    """Return the calendar in force by customer id: its pattern and whether it is pinned."""
    if calendar is None:
        return {}
    return {
        s.customer_id: (Pattern(s.weekday, s.week_list), s.pinned)
        for s in calendar.slots
        if s.week_list
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
    capacity, base = _capacity(rep)
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
                open_weekdays=frozenset(_open_weekdays(facts, template.start_s, template.end_s)),
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


def mark_stale(*, user_ids: Iterable[int], reason: CalendarTrigger) -> int:
    """Mark these reps' calendars for recomputation by the next nightly run; flush only.

    The first reason since the last computation is kept. Returns how many were marked.
    """
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return 0
    marked = 0
    for calendar in db.session.scalars(
        sa.select(VisitCalendar).where(VisitCalendar.user_id.in_(ids))
    ):
        if not calendar.stale:
            calendar.stale, calendar.stale_reason = True, reason
            calendar.stale_since = utcnow()
            marked += 1
    db.session.flush()
    return marked


def pending_trigger(*, rep_id: int) -> CalendarTrigger:
    """Return why the rep's calendar is due: its stale reason, or SETUP when it has none."""
    calendar = calendar_for(rep_id=rep_id)
    if calendar is None or calendar.stale_reason is None:
        return CalendarTrigger.SETUP
    return calendar.stale_reason


def reps_to_compute(*, company_id: int, rep_ids: Iterable[int]) -> list[int]:
    """Return the reps among ``rep_ids`` whose calendar is stale or was never computed."""
    wanted = set(rep_ids)
    fresh = set(
        db.session.scalars(
            sa.select(VisitCalendar.user_id).where(
                VisitCalendar.company_id == company_id,
                VisitCalendar.stale.is_(False),
                VisitCalendar.status.in_(
                    [CalendarStatus.OPTIMAL, CalendarStatus.FEASIBLE, CalendarStatus.INFEASIBLE]
                ),
            )
        )
    )
    return sorted(wanted - fresh)


# --------------------------------------------------------------------------- editing


def _own_slot(rep: User, customer_id: int) -> tuple[VisitCalendar, CalendarSlot | None, Customer]:
    """Return the rep's calendar, the customer's slot in it, and the customer (or raise)."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.company_id != rep.company_id:
        raise CalendarError("unknown_customer", _("Unknown customer."))
    if customer.owner_id != rep.id or not customer.active or customer.channel != Channel.FIELD:
        raise CalendarError(
            "not_in_portfolio", _("This customer is not in this rep's field portfolio.")
        )
    calendar = calendar_for(rep_id=rep.id)
    if calendar is None:
        raise CalendarError("no_calendar", _("This rep has no visit calendar yet."))
    slot = next((s for s in calendar.slots if s.customer_id == customer_id), None)
    return calendar, slot, customer


def _check_pattern(rep: User, customer: Customer, pattern: Pattern) -> None:
    """Raise CalendarError unless the slot keeps the customer's cadence and every hard rule."""
    cadence = cadence_for(customer.visit_frequency_days)
    if pattern.cadence != cadence:
        raise CalendarError(
            "wrong_cadence",
            _("These weeks do not match the customer's visit frequency."),
        )
    job_rep = CalendarRep(Location(0.0, 0.0), cycle_monday(local_today()), _capacity(rep)[0])
    template = routing.rep_day(rep.work_profile)
    facts = routing.CustomerFacts(
        customer.id,
        customer.latitude or 0.0,
        customer.longitude or 0.0,
        customer.opening_hours,
        customer.service_minutes,
        customer.visit_frequency_days,
        customer.delivery_weekdays,
    )
    candidate = CalendarCustomer(
        id=str(customer.id),
        location=Location(0.0, 0.0),
        cadence=cadence,
        open_weekdays=frozenset(_open_weekdays(facts, template.start_s, template.end_s)),
        service_s=min(customer.service_minutes * 60, 24 * 3600),
        delivery_weekdays=frozenset(d for d in range(7) if customer.delivers_on(d)),
    )
    view = company_settings.get(company_id=rep.company_id)
    allowed, _conflict = allowed_patterns(candidate, job_rep, calendar_settings(view))
    if pattern in allowed:
        return
    if not rep.work_profile or not rep.work_profile.works_on(pattern.weekday):
        raise CalendarError("rep_off", _("The rep does not work on that weekday."))
    if pattern.weekday not in candidate.open_weekdays:
        raise CalendarError("customer_closed", _("The customer is closed on that weekday."))
    raise CalendarError(
        "no_delivery_fit",
        _("Orders taken on that weekday miss the customer's delivery day."),
    )


def move(
    *,
    rep: User,
    customer_id: int,
    weekday: int,
    weeks: Sequence[int],
    by: User,
    pin: bool = True,
) -> CalendarSlot:
    """Move a customer of the rep's calendar to ``weekday`` on ``weeks`` (0-3); flush only.

    The slot must keep the customer's cadence, its opening days, the rep's working weekdays
    and the company's hard delivery rule. A move by hand is pinned by default, so the next
    re-optimisation keeps it. Raises CalendarError with a code otherwise.
    """
    if not 0 <= weekday <= 6:
        raise CalendarError("bad_weekday", _("Unknown weekday."))
    try:
        pattern = Pattern(weekday, tuple(weeks))
    except ValueError as exc:
        raise CalendarError("bad_weeks", _("Choose weeks between 1 and 4.")) from exc
    calendar, slot, customer = _own_slot(rep, customer_id)
    _check_pattern(rep, customer, pattern)
    if slot is None:
        slot = CalendarSlot(customer_id=customer.id, weekday=weekday, weeks=0)
        calendar.slots.append(slot)
    slot.weekday, slot.weeks = weekday, weeks_mask(pattern.weeks)
    slot.moved_by_id = by.id
    if pin:
        slot.pinned, slot.pinned_by_id, slot.pinned_at = True, by.id, utcnow()
    db.session.flush()
    return slot


def set_pinned(*, rep: User, customer_id: int, pinned: bool, by: User) -> CalendarSlot:
    """Pin a customer where it is (every recomputation keeps it) or free it; flush only."""
    _calendar, slot, _customer = _own_slot(rep, customer_id)
    if slot is None:
        raise CalendarError("no_slot", _("This customer has no regular day yet."))
    if pinned:
        if not slot.pinned:
            slot.pinned, slot.pinned_by_id, slot.pinned_at = True, by.id, utcnow()
    else:
        slot.pinned, slot.pinned_by_id, slot.pinned_at = False, None, None
    db.session.flush()
    return slot


# --------------------------------------------------------------------------- figures


class DayLoad(enum.StrEnum):
    """How full a day of the cycle is against the rep's working time."""

    LIGHT = "light"
    OK = "ok"
    FULL = "full"
    OVER = "over"


@dataclass(frozen=True)
class CycleDayView:
    """One working date of the stored cycle with its customers and estimated workload."""

    date: date
    week: int
    weekday: int
    customer_ids: tuple[int, ...]
    load_s: int
    capacity_s: int

    @property
    def load(self) -> DayLoad:
        """Say how full the day is (over capacity, full from 90 %, light under 60 %)."""
        if self.capacity_s <= 0 or self.load_s > self.capacity_s:
            return DayLoad.OVER
        share = self.load_s / self.capacity_s
        if share >= 0.9:
            return DayLoad.FULL
        return DayLoad.LIGHT if share < 0.6 else DayLoad.OK


def cycle_days(*, rep: User, first: date | None = None) -> list[CycleDayView]:
    """Return the four weeks of the rep's stored calendar with each day's estimated load.

    ``first`` is any date of the cycle to show (default: today); the weeks shown are the
    cycle's four weeks containing it, with real dates. Loads are the optimiser's estimates
    (service plus a share of driving), the same the solver fits into each day.
    """
    calendar = calendar_for(rep_id=rep.id)
    if calendar is None:
        return []
    work = prepare(rep=rep, trigger=CalendarTrigger.SETUP).work
    day = first or local_today()
    start = calendar.cycle_start + timedelta(days=28 * ((day - calendar.cycle_start).days // 28))
    cycle_rep = replace(work.rep, cycle_start=start)
    owned = {c.id for c in work.customers}
    assignment = {
        str(s.customer_id): Pattern(s.weekday, s.week_list)
        for s in calendar.slots
        if str(s.customer_id) in owned and s.week_list
    }
    days: tuple[CalendarDay, ...] = evaluate_calendar(
        work.customers, cycle_rep, assignment, work.settings
    )
    return [
        CycleDayView(
            d.date, d.week, d.weekday, tuple(int(c) for c in d.customer_ids), d.load_s, d.capacity_s
        )
        for d in days
    ]
