"""A supervisor's edits: move a customer to another slot, pin it or free it.

Every edit keeps the hard rules the optimiser keeps (cadence, opening days, the rep's
working weekdays, the company's hard delivery rule); a refused edit raises
:class:`CalendarError` with a code the API and pages show.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from app.extensions import db
from app.models import CalendarSlot, Channel, Customer, User, VisitCalendar, utcnow
from app.models.visit_calendar import weeks_mask
from app.services import company_settings, routing
from app.services.clock import local_today
from app.services.visit_calendars.inputs import calendar_settings, open_weekdays, rep_capacity
from app.services.visit_calendars.reading import cadence_for, calendar_for, cycle_monday
from optimizer.model import Location
from optimizer.visit_calendar import CalendarCustomer, CalendarRep, Pattern, allowed_patterns


class CalendarError(ValueError):
    """A calendar change that cannot be made; ``code`` names why (for the API and pages)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


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
    job_rep = CalendarRep(Location(0.0, 0.0), cycle_monday(local_today()), rep_capacity(rep)[0])
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
        open_weekdays=frozenset(open_weekdays(facts, template.start_s, template.end_s)),
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
