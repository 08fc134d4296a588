"""The admin's visit-calendar rules: nightly mode, delivery rule, lead time and solve budget.

They live in the planning section of the company's versioned settings
(:mod:`app.services.company_settings`). The lead time is one company fact read in two
places: the visit calendar's delivery rule (planning) and the score's delivery fit
(scoring), so saving it here writes both and the score's own form no longer edits it.
Saving creates the next settings version, audited; the calendars of the company are then
marked for recomputation by ``app/services/calendar_triggers.py`` when a rule changed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from app.models import CompanySettings
from app.security.scope import Scope
from app.services import company_settings

MAX_LEAD_TIME_DAYS = 6  # the calendar's delivery rule looks one week ahead at most
KEYS = ("nightly_mode", "delivery_rule", "lead_time_days", "calendar_seconds")


@dataclass(frozen=True)
class DeliveryRules:
    """The values the admin edits together.

    ``calendar_seconds`` is CP-SAT's budget for one rep's calendar: more finds tighter
    calendars (smaller gap), less keeps a first night of many reps short.
    """

    nightly_mode: str
    delivery_rule: str
    lead_time_days: int
    calendar_seconds: float = company_settings.PlanningSettings.calendar_seconds


def current(*, company_id: int) -> DeliveryRules:
    """Return the rules in force (the defaults before any settings version)."""
    planning = company_settings.get(company_id=company_id).planning
    return DeliveryRules(
        planning.nightly_mode,
        planning.delivery_rule,
        planning.lead_time_days,
        planning.calendar_seconds,
    )


def save(*, scope: Scope, rules: DeliveryRules, note: str | None = None) -> CompanySettings | None:
    """Save the rules as the next settings version (None when nothing changed); flush only.

    Raises
    ------
    PermissionError
        When the user is not an admin.
    company_settings.SettingsError
        When a value is refused (its ``key`` names the field).
    """
    if not scope.is_admin:
        raise PermissionError("only an admin changes the company's settings")
    if not 0 <= rules.lead_time_days <= MAX_LEAD_TIME_DAYS:
        raise company_settings.SettingsError(
            "lead_time_days", f"must be between 0 and {MAX_LEAD_TIME_DAYS}"
        )
    low, high = company_settings.CALENDAR_SECONDS_RANGE
    if not low <= rules.calendar_seconds <= high:
        raise company_settings.SettingsError(
            "calendar_seconds", f"must be between {low} and {high}"
        )
    view = company_settings.get(company_id=scope.company_id)
    before = {k: getattr(view.planning, k) for k in KEYS}
    after = dataclasses.asdict(rules)
    if before == after and view.scoring.lead_time_days == rules.lead_time_days:
        return None
    return company_settings.add_planning_version(
        scope=scope,
        view=view,
        scoring=dataclasses.replace(view.scoring, lead_time_days=rules.lead_time_days).to_dict(),
        planning=company_settings.planning_dict(dataclasses.replace(view.planning, **after)),
        note=note,
        before=before,
        after=after,
    )
