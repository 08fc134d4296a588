"""Stored visit calendars: compute a rep's calendar, read a date's customers, move and pin.

The optimiser (:mod:`optimizer.visit_calendar`) chooses each customer's regular slot in the
rep's four-week cycle; this service feeds it the rep's portfolio with the calendar in force
as its stability reference (pins kept), and stores the answer (:class:`VisitCalendar`,
:class:`CalendarSlot`). Services flush, never commit.

Calendars are recomputed when a portfolio changes (a customer added, moved, lost, or its
cadence, opening hours or position changed: :func:`mark_stale`, called by
``app/services/calendar_triggers.py``) or a supervisor asks, never every night; the nightly
run in ``calendar`` mode reads them.

The calendar is a recurring pattern: the rep's working weekdays and the customers' opening
days shape it, while one-off days off (holidays, vacation) do not — a calendar customer
whose regular day falls on a day off is not visited that day and its growing score brings
it back on the next days.

One module per job:

- :mod:`.reading`: the stored calendar, a date's customers, a customer's slot;
- :mod:`.wording`: a slot in words ("terça, semanas 1 e 3");
- :mod:`.inputs`: the optimiser's settings, the rep's capacity, a customer's open weekdays;
- :mod:`.compute`: prepare a pure job, store its answer, or both in this process;
- :mod:`.staleness`: mark calendars due, list the reps whose calendar is due;
- :mod:`.editing`: a supervisor's move and pin;
- :mod:`.figures`: the cycle's days with their estimated workload.
"""

from app.services.visit_calendars.compute import (
    CalendarJob,
    CalendarOutcome,
    compute,
    prepare,
    store,
)
from app.services.visit_calendars.editing import CalendarError, move, set_pinned
from app.services.visit_calendars.figures import CycleDayView, DayLoad, cycle_days
from app.services.visit_calendars.inputs import MAX_LEAD_TIME_DAYS, calendar_settings
from app.services.visit_calendars.reading import (
    cadence_for,
    calendar_for,
    company_day_customers,
    customers_on,
    cycle_monday,
    slot_for_customer,
    slots_on,
    week_of,
)
from app.services.visit_calendars.staleness import mark_stale, pending_trigger, reps_to_compute
from app.services.visit_calendars.wording import describe, describe_slot

__all__ = [
    "MAX_LEAD_TIME_DAYS",
    "CalendarError",
    "CalendarJob",
    "CalendarOutcome",
    "CycleDayView",
    "DayLoad",
    "cadence_for",
    "calendar_for",
    "calendar_settings",
    "company_day_customers",
    "compute",
    "customers_on",
    "cycle_days",
    "cycle_monday",
    "describe",
    "describe_slot",
    "mark_stale",
    "move",
    "pending_trigger",
    "prepare",
    "reps_to_compute",
    "set_pinned",
    "slot_for_customer",
    "slots_on",
    "store",
    "week_of",
]
