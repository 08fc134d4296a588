"""What the optimiser needs from the company and the rep: settings, capacity, open weekdays.

Shared by computing a calendar (:mod:`.compute`) and checking a supervisor's move
(:mod:`.editing`), so both apply the same hard rules.
"""

from __future__ import annotations

from datetime import timedelta

from app.models import User
from app.services import routing
from app.services.company_settings import CompanySettingsView
from optimizer.model import Location
from optimizer.visit_calendar import CalendarSettings

MAX_LEAD_TIME_DAYS = 6  # the calendar's delivery rule looks one week ahead at most


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


def rep_capacity(rep: User) -> tuple[tuple[int, ...], Location]:
    """Return the rep's working seconds for each weekday and his base (PlanningError if none)."""
    day = routing.rep_day(rep.work_profile)
    length = day.end_s - day.start_s - (day.lunch.duration_s if day.lunch else 0)
    seconds = max(0, min(day.max_working_s, length))
    profile = rep.work_profile
    assert profile is not None
    return tuple(seconds if profile.works_on(d) else 0 for d in range(7)), day.start


def open_weekdays(facts: routing.CustomerFacts, day_start_s: int, day_end_s: int) -> set[int]:
    """Return the weekdays a visit fits the customer's opening hours within the rep's day."""
    service_s = facts.service_minutes * 60
    out = set()
    for weekday in range(7):
        windows = routing.service_windows(facts.opening_hours, weekday, service_s)
        if any(w.start_s <= day_end_s - service_s and w.end_s >= day_start_s for w in windows):
            out.add(weekday)
    return out
