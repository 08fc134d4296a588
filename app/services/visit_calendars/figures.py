"""The stored cycle day by day with each day's estimated workload, for the pages."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.models import CalendarTrigger, User
from app.services.clock import local_today
from app.services.visit_calendars.compute import prepare
from app.services.visit_calendars.reading import calendar_for
from optimizer.visit_calendar import CalendarDay, Pattern, evaluate_calendar


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
