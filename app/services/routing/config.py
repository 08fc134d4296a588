"""A company's planning knobs, read once per run, and the error a rep's planning raises."""

from __future__ import annotations

from dataclasses import dataclass

from app.services import company_settings
from optimizer.scoring import ScoringSettings


class PlanningError(Exception):
    """A rep cannot be planned (missing work profile, no position...): recorded, not fatal."""


_PLANNING = company_settings.PlanningSettings()
_POLICIES = company_settings.Policies()


@dataclass(frozen=True)
class PlanningConfig:
    """The company's planning knobs, read once per run from its settings in force.

    Defaults are the typed settings' own (`company_settings`), for tests that build one.
    """

    company_id: int
    settings_version: int = 0
    candidates_per_day: int = _PLANNING.candidates_per_day
    collection_policy: str = _POLICIES.collection_policy
    osrm_url: str | None = None
    horizon_days: int = _PLANNING.plan_horizon_days
    nightly_time: str = _PLANNING.nightly_time
    timezone: str = "America/Sao_Paulo"
    day_seconds: float = _PLANNING.day_seconds
    agenda_seconds_per_day: float = _PLANNING.agenda_seconds_per_day
    carry_over_boost: float = 1.25
    week_agenda: bool = _PLANNING.week_agenda
    reactivation_policy: str = ScoringSettings.reactivation_policy
    # How long a call's "visit requested" waits for the visit.
    visit_request_days: int = _PLANNING.visit_request_days
    # "score": the day's candidates are the best scores; "calendar": the customers whose
    # regular day it is, plus urgent extras (app/services/planning/calendar_candidates.py).
    nightly_mode: str = _PLANNING.nightly_mode


def load_config(*, company_id: int, osrm_url: str | None = None) -> PlanningConfig:
    """Read the company's settings in force (the app-wide OSRM URL as the fallback)."""
    settings = company_settings.get(company_id=company_id)
    planning = settings.planning
    return PlanningConfig(
        company_id=company_id,
        settings_version=settings.version,
        candidates_per_day=planning.candidates_per_day,
        collection_policy=settings.policies.collection_policy,
        osrm_url=planning.osrm_url or osrm_url,
        horizon_days=planning.plan_horizon_days,
        nightly_time=planning.nightly_time,
        day_seconds=planning.day_seconds,
        agenda_seconds_per_day=planning.agenda_seconds_per_day,
        week_agenda=planning.week_agenda,
        reactivation_policy=settings.reactivation_policy,
        visit_request_days=planning.visit_request_days,
        nightly_mode=planning.nightly_mode,
    )
