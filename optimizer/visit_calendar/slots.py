"""The cycle's working days and each customer's allowed slots, before any optimisation.

Everything here is a hard rule: a slot is allowed only when the customer is open that
weekday, the rep works every date of it (time off removed), a pinned customer keeps its
pin, and, under the "hard" delivery rule, orders taken that weekday wait for no truck.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.visit_calendar.model import (
    WEEKS,
    CalendarConflict,
    CalendarCustomer,
    CalendarRep,
    CalendarSettings,
    Pattern,
    patterns_for,
)


@dataclass(frozen=True, slots=True)
class CycleDay:
    """A working date of the cycle: its week, weekday and capacity in seconds."""

    week: int
    weekday: int
    capacity_s: int


def working_days(rep: CalendarRep) -> tuple[CycleDay, ...]:
    """Return the cycle's working days ordered by weekday, then week.

    Weekday-major order keeps a weekday's four dates next to each other, which is what the
    initial sweep wants: a weekly customer is on all four.
    """
    return tuple(
        CycleDay(week, weekday, rep.capacity_s[weekday])
        for weekday in range(7)
        for week in range(WEEKS)
        if rep.works(week, weekday)
    )


def delivery_wait_days(weekday: int, delivery_weekdays: frozenset[int], lead: int) -> int:
    """Return the days an order taken on ``weekday`` waits for a truck past the lead time.

    0 is a fit: ``lead`` days after the visit is a delivery day. Customers without delivery
    restrictions always fit.
    """
    if not delivery_weekdays:
        return 0
    for extra in range(7):
        if (weekday + lead + extra) % 7 in delivery_weekdays:
            return extra
    return 0


def _works_all(rep: CalendarRep, pattern: Pattern) -> bool:
    """Tell whether the rep works every date of ``pattern``."""
    return all(rep.works(w, pattern.weekday) for w in pattern.weeks)


def allowed_patterns(
    customer: CalendarCustomer, rep: CalendarRep, settings: CalendarSettings
) -> tuple[tuple[Pattern, ...], CalendarConflict | None]:
    """Return the customer's allowed patterns, or none and the reason why."""
    open_ok = [
        p
        for p in patterns_for(customer.cadence)
        if p.weekday in customer.open_weekdays and _works_all(rep, p)
    ]
    if not open_ok:
        return (), CalendarConflict(customer.id, "closed_on_working_days")
    allowed = open_ok
    if settings.delivery_rule == "hard":
        lead = settings.lead_time_days
        allowed = [
            p
            for p in open_ok
            if delivery_wait_days(p.weekday, customer.delivery_weekdays, lead) == 0
        ]
        if not allowed:
            return (), CalendarConflict(customer.id, "no_delivery_fit")
    if customer.pinned:
        if customer.current not in allowed:
            return (), CalendarConflict(customer.id, "pin_not_allowed")
        allowed = [p for p in allowed if p == customer.current]
    return tuple(allowed), None


def all_allowed(
    customers: Sequence[CalendarCustomer], rep: CalendarRep, settings: CalendarSettings
) -> tuple[list[tuple[Pattern, ...]], list[CalendarConflict]]:
    """Return every customer's allowed patterns and the conflicts of those with none."""
    out: list[tuple[Pattern, ...]] = []
    conflicts: list[CalendarConflict] = []
    for c in customers:
        patterns, conflict = allowed_patterns(c, rep, settings)
        out.append(patterns)
        if conflict is not None:
            conflicts.append(conflict)
    return out, conflicts
