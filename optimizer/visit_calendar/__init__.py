"""The four-week visit calendar: each customer's regular slot, chosen with CP-SAT.

See :func:`solve_calendar` for the model; everything in and out is a frozen dataclass.
"""

from optimizer.visit_calendar.model import (
    VISITS_PER_CYCLE,
    WEEKS,
    Cadence,
    CalendarConflict,
    CalendarCustomer,
    CalendarDay,
    CalendarRep,
    CalendarSettings,
    CalendarSolution,
    DeliveryRule,
    Pattern,
    patterns_for,
)
from optimizer.visit_calendar.slots import allowed_patterns, delivery_wait_days, working_days
from optimizer.visit_calendar.solve import evaluate_calendar, solve_calendar

__all__ = [
    "VISITS_PER_CYCLE",
    "WEEKS",
    "Cadence",
    "CalendarConflict",
    "CalendarCustomer",
    "CalendarDay",
    "CalendarRep",
    "CalendarSettings",
    "CalendarSolution",
    "DeliveryRule",
    "Pattern",
    "allowed_patterns",
    "delivery_wait_days",
    "evaluate_calendar",
    "patterns_for",
    "solve_calendar",
    "working_days",
]
