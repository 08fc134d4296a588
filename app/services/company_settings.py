"""A company's settings as one frozen, typed view: the only way the app reads them.

Settings are versioned rows (``company_settings``: scoring, planning and policies JSON);
the newest version is in force. :func:`get` reads it and :func:`parse` turns it into
:class:`CompanySettingsView`, checking every value once, here. A key a version does not
store takes the default of its dataclass field (the one place defaults live); reading
never writes, so a company without any version gets the defaults as version 0.
Renamed keys were moved by a data migration; one found again is an error, not an alias.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, CompanySettings
from optimizer.scoring import ScoringSettings
from optimizer.scoring.settings import COLLECTION_POLICIES, REACTIVATION_POLICIES

if TYPE_CHECKING:
    from app.security.scope import Scope

# Keys renamed by migration 7b3e9c4d2a10; finding one means a writer still uses the old name.
RENAMED = {
    "checkin_radius_m": "check_in_radius_m",
    "push_skipped_to_telesales": "telesales_push_skipped",
}


class SettingsError(ValueError):
    """A stored or proposed setting is not valid; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class NoSaleReason:
    """One reason a visit or call sold nothing, with its labels in both languages."""

    key: str
    label: str
    label_en: str = ""

    def label_for(self, locale: str) -> str:
        """Return the label in the user's language (pt-BR unless English is chosen)."""
        if locale.startswith("en") and self.label_en:
            return self.label_en
        return self.label or self.key


# Why a customer is marked lost; a company lists its own under the planning key "lost_reasons".
LOST_REASONS = (
    NoSaleReason("fechou", "Fechou as portas", "Went out of business"),
    NoSaleReason("concorrencia", "Passou para a concorrência", "Went to a competitor"),
    NoSaleReason("inadimplencia", "Inadimplência", "Bad debt"),
    NoSaleReason("mudou", "Mudou para fora da região", "Moved out of the area"),
    NoSaleReason("outro", "Outro motivo", "Other reason"),
)


@dataclass(frozen=True)
class PlanningSettings:
    """Nightly planning, the visit flow and the telesales lists."""

    nightly_time: str = "02:00"
    plan_horizon_days: int = 5
    lead_time_days: int = 1
    candidates_per_day: int = 60
    day_seconds: float = 0.5
    agenda_seconds_per_day: float = 0.25
    week_agenda: bool = True
    visit_request_days: int = 30
    osrm_url: str | None = None
    check_in_radius_m: float = 300.0
    no_sale_reasons: tuple[NoSaleReason, ...] = ()
    lost_reasons: tuple[NoSaleReason, ...] = LOST_REASONS
    telesales_push_skipped: bool = True
    telesales_daily_calls: int = 60
    reactivation_daily_calls: int = 10
    reactivation_retry_days: int = 30
    # Days of score snapshots kept with their explanations; older days are compacted
    # (app/services/score_retention.py). At least a week: the rep page, telesales and
    # re-runs read the last days' explanations.
    snapshot_full_days: int = 90
    # How the nightly run fills a day: "score" re-decides it from the day's scores;
    # "calendar" starts from the customers whose regular day it is (the stored visit
    # calendar, app/services/visit_calendars.py) and adds urgent extras while time allows.
    nightly_mode: str = "score"
    # Whether a customer's regular day must let its orders reach the next delivery day
    # within lead_time_days ("hard") or only prefers to ("preferred").
    delivery_rule: str = "preferred"
    # CP-SAT's budget to compute one rep's calendar (nightly, portfolio change, supervisor).
    calendar_seconds: float = 30.0
    # The capacity page's and the move preview's bands, in percent of a rep's available
    # hours: below the first the rep has room to spare, above the second the rep is
    # overloaded (app/services/capacity.py). A company with long days may want others.
    capacity_under_pct: int = 70
    capacity_over_pct: int = 100


NIGHTLY_MODES = ("score", "calendar")
DELIVERY_RULES = ("preferred", "hard")
CALENDAR_SECONDS_RANGE = (1, 600)
SNAPSHOT_FULL_DAYS_RANGE = (7, 3650)
CAPACITY_UNDER_PCT_RANGE = (0, 100)
CAPACITY_OVER_PCT_RANGE = (50, 300)


@dataclass(frozen=True)
class Policies:
    """Collection and reactivation rules planning shares with the score."""

    collection_policy: str = "skip"
    overdue_tolerance_days: float = 5.0
    reactivation_policy: str | None = None  # None: the score's own reactivation policy


@dataclass(frozen=True)
class CompanySettingsView:
    """The settings version in force for a company, typed and checked."""

    company_id: int
    version: int
    created_at: datetime | None = None
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    planning: PlanningSettings = field(default_factory=PlanningSettings)
    policies: Policies = field(default_factory=Policies)

    @property
    def reactivation_policy(self) -> str:
        """Return the reactivation policy in force (policies first, then the score's)."""
        return self.policies.reactivation_policy or self.scoring.reactivation_policy

    def no_sale_reasons(self, locale: str = "pt_BR") -> list[tuple[str, str]]:
        """Return the no-sale reasons as (key, label) in the user's language."""
        return [(r.key, r.label_for(locale)) for r in self.planning.no_sale_reasons]

    def lost_reasons(self, locale: str = "pt_BR") -> list[tuple[str, str]]:
        """Return why a customer may be marked lost, as (key, label) in the user's language."""
        return [(r.key, r.label_for(locale)) for r in self.planning.lost_reasons]


# --------------------------------------------------------------------------- parsing


def _integer(key: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise SettingsError(key, "must be a whole number")
    if value < minimum:
        raise SettingsError(key, f"must be at least {minimum}")
    return int(value)


def _integer_between(key: str, value: Any, bounds: tuple[int, int]) -> int:
    low, high = bounds
    number = _integer(key, value, low)
    if number > high:
        raise SettingsError(key, f"must be at most {high}")
    return number


def _number(key: str, value: Any, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(key, "must be a number")
    if value < minimum:
        raise SettingsError(key, f"must be at least {minimum}")
    return float(value)


def _number_between(key: str, value: Any, bounds: tuple[float, float]) -> float:
    low, high = bounds
    number = _number(key, value, low)
    if number > high:
        raise SettingsError(key, f"must be at most {high}")
    return number


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(key, "must be true or false")
    return value


def _time_of_day(key: str, value: Any) -> str:
    parts = str(value).split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise SettingsError(key, "must be HH:MM")
    hour, minute = int(parts[0]), int(parts[1])
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise SettingsError(key, "must be HH:MM")
    return f"{hour:02d}:{minute:02d}"


def _choice(key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise SettingsError(key, f"must be one of {', '.join(choices)}")
    return str(value)


def _reasons(key: str, value: Any) -> tuple[NoSaleReason, ...]:
    if not isinstance(value, list | tuple):
        raise SettingsError(key, "must be a list")
    out = []
    for item in value:
        if not isinstance(item, Mapping) or not str(item.get("key") or "").strip():
            raise SettingsError(key, "each reason needs a key")
        out.append(
            NoSaleReason(
                str(item["key"]).strip(),
                str(item.get("label") or item["key"]),
                str(item.get("label_en") or ""),
            )
        )
    if len({r.key for r in out}) != len(out):
        raise SettingsError(key, "two reasons share a key")
    return tuple(out)


def _url(key: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise SettingsError(key, "must be an http(s) URL")
    return value


_PLANNING_CHECKS: dict[str, Any] = {
    "nightly_time": _time_of_day,
    "plan_horizon_days": lambda k, v: _integer(k, v, 1),
    "lead_time_days": lambda k, v: _integer(k, v, 0),
    "candidates_per_day": lambda k, v: _integer(k, v, 1),
    "day_seconds": lambda k, v: _number(k, v, 0.01),
    "agenda_seconds_per_day": lambda k, v: _number(k, v, 0.01),
    "week_agenda": _boolean,
    "visit_request_days": lambda k, v: _integer(k, v, 0),
    "osrm_url": _url,
    "check_in_radius_m": lambda k, v: _number(k, v, 1),
    "no_sale_reasons": _reasons,
    "lost_reasons": _reasons,
    "telesales_push_skipped": _boolean,
    "telesales_daily_calls": lambda k, v: _integer(k, v, 1),
    "reactivation_daily_calls": lambda k, v: _integer(k, v, 0),
    "reactivation_retry_days": lambda k, v: _integer(k, v, 0),
    "snapshot_full_days": lambda k, v: _integer_between(k, v, SNAPSHOT_FULL_DAYS_RANGE),
    "nightly_mode": lambda k, v: _choice(k, v, NIGHTLY_MODES),
    "delivery_rule": lambda k, v: _choice(k, v, DELIVERY_RULES),
    "calendar_seconds": lambda k, v: _number_between(k, v, CALENDAR_SECONDS_RANGE),
    "capacity_under_pct": lambda k, v: _integer_between(k, v, CAPACITY_UNDER_PCT_RANGE),
    "capacity_over_pct": lambda k, v: _integer_between(k, v, CAPACITY_OVER_PCT_RANGE),
}
_POLICY_CHECKS: dict[str, Any] = {
    "collection_policy": lambda k, v: _choice(k, v, COLLECTION_POLICIES),
    "overdue_tolerance_days": lambda k, v: _number(k, v, 0),
    "reactivation_policy": lambda k, v: _choice(k, v, REACTIVATION_POLICIES),
}


def _section(raw: Mapping[str, Any] | None, checks: dict[str, Any], cls: type) -> Any:
    """Check the keys a version stores and build the section (other keys keep defaults)."""
    raw = raw or {}
    for old, new in RENAMED.items():
        if old in raw:
            raise SettingsError(old, f"renamed to {new}")
    values = {key: check(key, raw[key]) for key, check in checks.items() if key in raw}
    return cls(**values)


def check_capacity_bands(planning: PlanningSettings) -> None:
    """Refuse bands that leave no "balanced" load between room to spare and overloaded."""
    if planning.capacity_under_pct >= planning.capacity_over_pct:
        raise SettingsError(
            "capacity_under_pct",
            f"must be below capacity_over_pct ({planning.capacity_over_pct})",
        )


def parse(
    *,
    company_id: int,
    version: int,
    scoring: Mapping[str, Any] | None,
    planning: Mapping[str, Any] | None,
    policies: Mapping[str, Any] | None,
    created_at: datetime | None = None,
) -> CompanySettingsView:
    """Check a version's three sections and return their typed view.

    Raises
    ------
    SettingsError
        When a value is of the wrong type or out of range, or a renamed key is used.
    """
    try:
        engine = ScoringSettings.from_dict(dict(scoring or {}))
    except (TypeError, ValueError) as exc:
        raise SettingsError("scoring", str(exc)) from exc
    checked = _section(planning, _PLANNING_CHECKS, PlanningSettings)
    check_capacity_bands(checked)
    return CompanySettingsView(
        company_id=company_id,
        version=version,
        created_at=created_at,
        scoring=engine,
        planning=checked,
        policies=_section(policies, _POLICY_CHECKS, Policies),
    )


def latest_row(*, company_id: int) -> CompanySettings | None:
    """Return the company's newest settings version row (None before the first one)."""
    return db.session.scalar(
        sa.select(CompanySettings)
        .where(CompanySettings.company_id == company_id)
        .order_by(CompanySettings.version.desc())
        .limit(1)
    )


def get(*, company_id: int) -> CompanySettingsView:
    """Return the company's settings in force; the defaults (version 0) before any version."""
    row = latest_row(company_id=company_id)
    if row is None:
        return CompanySettingsView(company_id=company_id, version=0)
    return parse(
        company_id=company_id,
        version=row.version,
        scoring=row.scoring,
        planning=row.planning,
        policies=row.policies,
        created_at=row.created_at,
    )


def planning_dict(settings: PlanningSettings) -> dict[str, Any]:
    """Return the planning section as stored JSON (every key, reasons as dicts)."""
    out = dataclasses.asdict(settings)
    out["no_sale_reasons"] = [dataclasses.asdict(r) for r in settings.no_sale_reasons]
    out["lost_reasons"] = [dataclasses.asdict(r) for r in settings.lost_reasons]
    return out


def policies_dict(policies: Policies) -> dict[str, Any]:
    """Return the policies section as stored JSON (an unset reactivation policy left out)."""
    out = dataclasses.asdict(policies)
    if out["reactivation_policy"] is None:
        del out["reactivation_policy"]
    return out


def add_planning_version(
    *,
    scope: Scope,
    view: CompanySettingsView,
    scoring: dict[str, Any],
    planning: dict[str, Any],
    note: str | None,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> CompanySettings:
    """Add the next settings version after an admin's planning change, audited; flush only.

    The version is parsed first, as every reader parses it, so a value that would not read back
    is refused now (SettingsError), not at night. ``before``/``after`` are the edited keys.
    """
    policies = policies_dict(view.policies)
    parse(
        company_id=scope.company_id,
        version=view.version + 1,
        scoring=scoring,
        planning=planning,
        policies=policies,
    )
    row = CompanySettings(
        company_id=scope.company_id,
        version=view.version + 1,
        scoring=scoring,
        planning=planning,
        policies=policies,
        note=(note or "").strip() or None,
        created_by_id=scope.user_id,
    )
    db.session.add(row)
    db.session.add(
        AuditLog(
            company_id=scope.company_id,
            actor_id=scope.user_id,
            action="settings.planning.update",
            target=f"company_settings:v{row.version}",
            details={
                "changed": sorted(k for k in after if before[k] != after[k]),
                "before": dict(before),
                "after": dict(after),
            },
        )
    )
    db.session.flush()
    return row
