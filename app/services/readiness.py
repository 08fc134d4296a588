"""What blocks or degrades a company's planning, each finding with where to fix it.

Shared by the admin's readiness page and ``flask doctor``. Built for a company of
200,000 customers: every customer check is one aggregate pass plus a capped list of
examples; the per-rep checks read one row per rep.

Levels: ``block`` (planning cannot use the rep or customer at all), ``degrade`` (planning
runs, but worse than it could), ``check`` (a default value is in use: confirm it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Channel, Customer, GeocodeStatus, Role, User, WorkProfile
from app.services import company_settings, routing

BLOCK, DEGRADE, CHECK = "block", "degrade", "check"
LEVELS = (BLOCK, DEGRADE, CHECK)
DEFAULT_FREQUENCY_DAYS = Customer.visit_frequency_days.default.arg
DEFAULT_SERVICE_MINUTES = Customer.service_minutes.default.arg
# Driving between two visits, for the weekly load estimate (urban distributor, ~5-8 km).
TRAVEL_MINUTES_PER_VISIT = 15
CAP = 20


@dataclass(frozen=True)
class Link:
    """Where to fix something: an endpoint with its arguments (rendered by the page or the CLI)."""

    endpoint: str
    args: dict[str, Any] = field(default_factory=dict)
    anchor: str = ""


@dataclass(frozen=True)
class Example:
    """One rep or customer a finding is about."""

    label: str
    link: Link
    note: str = ""


@dataclass
class Finding:
    """One kind of problem: how many, how bad, what it means, and where to fix it."""

    key: str
    level: str
    title: Any
    count: int
    explanation: Any = ""
    fix: Link | None = None
    fix_label: Any = ""
    examples: list[Example] = field(default_factory=list)


@dataclass
class Report:
    """Every finding of a company, worst first."""

    company_id: int
    findings: list[Finding]
    customers: int
    reps: int

    @property
    def blocking(self) -> bool:
        """Tell whether something keeps a rep or customer out of planning."""
        return any(f.level == BLOCK for f in self.findings)


def _scan(column: Any) -> Any:
    """Return ``column`` as SQLite should read it in a pass over most of a company's customers.

    SQLite otherwise walks an index that does not cover the pass ((company_id, segment) for
    the filter, (owner_id, active) for a GROUP BY owner) and pays a table lookup per row;
    ``+ 0`` makes it read the table in primary-key order instead: 3-4x faster on 200,000
    customers, and an ordered walk that stops early for the capped example lists.
    PostgreSQL's planner chooses well on its own, so the column stays as it is there.
    """
    return column + 0 if db.session.get_bind().dialect.name == "sqlite" else column


def _company_customers(company_id: int) -> tuple[sa.ColumnElement[bool], ...]:
    """Filter on a company's active customers for passes that read most of them."""
    return (_scan(Customer.company_id) == company_id, Customer.active.is_(True))


def _user_link(user_id: int, anchor: str = "") -> Link:
    return Link("admin_users.edit", {"user_id": user_id}, anchor)


def _customer_link(customer_id: int) -> Link:
    return Link("portfolio.customer_edit", {"customer_id": customer_id})


# --------------------------------------------------------------------------- reps


def _rep_rows(company_id: int) -> list[Any]:
    """One row per active field rep: profile columns and the weekly load of their portfolio."""
    frequency = sa.case((Customer.visit_frequency_days < 1, 1), else_=Customer.visit_frequency_days)
    owner = _scan(Customer.owner_id)
    load = (
        sa.select(
            owner.label("owner_id"),
            sa.func.count().label("customers"),
            sa.func.sum(
                (Customer.service_minutes + TRAVEL_MINUTES_PER_VISIT) * 7.0 / frequency
            ).label("weekly_minutes"),
        )
        .where(
            *_company_customers(company_id),
            Customer.channel == Channel.FIELD,
            Customer.latitude.is_not(None),
            Customer.longitude.is_not(None),
        )
        .group_by(owner)
        .subquery()
    )
    return list(
        db.session.execute(
            sa.select(User.id, User.name, WorkProfile, load.c.customers, load.c.weekly_minutes)
            .outerjoin(WorkProfile, WorkProfile.user_id == User.id)
            .outerjoin(load, load.c.owner_id == User.id)
            .where(User.company_id == company_id, User.role == Role.REP, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def _weekly_capacity(profile: WorkProfile) -> float:
    """Minutes a rep can work in a week: working days x (day length capped, minus lunch)."""
    day = routing.seconds_of(profile.day_end) - routing.seconds_of(profile.day_start)
    lunch = profile.lunch_minutes if profile.lunch_earliest and profile.lunch_latest else 0
    per_day = max(0.0, min(profile.max_working_minutes, day / 60) - (lunch or 0))
    return per_day * bin(profile.working_weekdays & 0b1111111).count("1")


def _profile_problem(profile: WorkProfile | None) -> str | None:
    if profile is None:
        return "missing"
    if (
        routing.seconds_of(profile.day_end) <= routing.seconds_of(profile.day_start)
        or not profile.working_weekdays & 0b1111111
    ):
        return "unusable"
    if not profile.has_base_position:
        return "base"
    return None


def rep_findings(company_id: int) -> tuple[list[Finding], int]:
    """Reps without a profile, without a base position, with nothing to visit, or overloaded."""
    rows = _rep_rows(company_id)
    found = {
        "missing": Finding(
            "reps_without_profile",
            BLOCK,
            _l("Field reps without a work profile"),
            0,
            _l("They are never planned until their base, hours and weekdays are saved."),
            fix_label=_l("Fill in the profile"),
        ),
        "unusable": Finding(
            "reps_unusable_profile",
            BLOCK,
            _l("Field reps whose profile cannot be used"),
            0,
            _l("The day ends before it starts, or no weekday is a working day."),
            fix_label=_l("Fix the profile"),
        ),
        "base": Finding(
            "reps_without_base",
            BLOCK,
            _l("Field reps whose base has no coordinates"),
            0,
            _l(
                "Routes start and end at the base: set it on the map, "
                "or run `flask geocode` for its address."
            ),
            fix_label=_l("Set the base"),
        ),
        "empty": Finding(
            "reps_without_customers",
            DEGRADE,
            _l("Field reps with no customer to visit"),
            0,
            _l("No active field customer with a position is in their portfolio."),
            fix_label=_l("Assign customers"),
        ),
        "overloaded": Finding(
            "reps_overloaded",
            DEGRADE,
            _l("Field reps with more visits due than working hours"),
            0,
            _l(
                "Their customers' visit frequencies ask for more hours a week than they work "
                "(visit length plus %(travel)s min of driving per visit); the lowest priorities "
                "will keep dropping.",
                travel=TRAVEL_MINUTES_PER_VISIT,
            ),
            fix_label=_l("Review the portfolio"),
        ),
    }
    for user_id, name, profile, customers, weekly_load in rows:
        weekly = float(weekly_load or 0)
        problem = _profile_problem(profile)
        if problem is not None:
            _add(found[problem], Example(name, _user_link(user_id, "profile")))
        if not customers:
            _add(found["empty"], Example(name, Link("portfolio.index", {"owner": user_id})))
        elif problem is None and weekly and weekly > (capacity := _weekly_capacity(profile)):
            note = _l(
                "%(need)s h/week needed for %(n)s customers, %(have)s h/week worked",
                need=round(weekly / 60, 1),
                n=customers,
                have=round(capacity / 60, 1),
            )
            _add(
                found["overloaded"],
                Example(name, Link("portfolio.index", {"owner": user_id}), str(note)),
            )
    return [f for f in found.values() if f.count], len(rows)


def _add(finding: Finding, example: Example) -> None:
    finding.count += 1
    if len(finding.examples) < CAP:
        finding.examples.append(example)


# --------------------------------------------------------------------------- customers


def _customer_conditions(company_id: int) -> dict[str, sa.ColumnElement[bool]]:
    """The customer problems as SQL conditions on customers alone (no join: one cheap pass)."""

    def not_serving(role: Role) -> sa.Select[Any]:
        return sa.select(User.id).where(
            User.company_id == company_id,
            sa.not_(sa.and_(User.role == role, User.active.is_(True))),
        )

    owner = _scan(Customer.owner_id)
    return {
        "customers_without_owner": Customer.owner_id.is_(None),
        "customers_owner_mismatch": sa.or_(
            sa.and_(Customer.channel == Channel.FIELD, owner.in_(not_serving(Role.REP))),
            sa.and_(Customer.channel == Channel.TELESALES, owner.in_(not_serving(Role.TELESALES))),
        ),
        "customers_failed_geocode": sa.and_(
            Customer.channel == Channel.FIELD,
            Customer.latitude.is_(None),
            Customer.geocode_status == GeocodeStatus.FAILED,
        ),
        "customers_without_position": sa.and_(
            Customer.channel == Channel.FIELD,
            Customer.latitude.is_(None),
            sa.or_(
                Customer.geocode_status.is_(None), Customer.geocode_status != GeocodeStatus.FAILED
            ),
        ),
        "customers_default_frequency": Customer.visit_frequency_days == DEFAULT_FREQUENCY_DAYS,
        "customers_default_service": Customer.service_minutes == DEFAULT_SERVICE_MINUTES,
    }


CUSTOMER_TEXT = {
    "customers_without_owner": (
        BLOCK,
        _l("Customers in no portfolio"),
        _l("Nobody owns them, so nobody visits or calls them."),
        _l("Choose the owner"),
    ),
    "customers_owner_mismatch": (
        BLOCK,
        _l("Customers whose owner cannot serve them"),
        _l(
            "A field customer must belong to an active field rep, a telesales customer to an "
            "active telesales seat."
        ),
        _l("Change owner or channel"),
    ),
    "customers_failed_geocode": (
        BLOCK,
        _l("Field customers whose address was not found"),
        _l("The geocoder could not find the address: fix it, or set the position on the map."),
        _l("Set the position"),
    ),
    "customers_without_position": (
        BLOCK,
        _l("Field customers waiting for a position"),
        _l("Not on any route until geocoded: run `flask geocode`, or set the position by hand."),
        _l("Set the position"),
    ),
    "customers_default_frequency": (
        CHECK,
        _l("Customers with the default visit frequency"),
        _l(
            "Every %(n)s days is the default; if it was not set from your data, set the real "
            "frequency (import or edit).",
            n=DEFAULT_FREQUENCY_DAYS,
        ),
        _l("Edit"),
    ),
    "customers_default_service": (
        CHECK,
        _l("Customers with the default visit length"),
        _l(
            "%(n)s minutes is the default; if it was not set from your data, set the real "
            "visit length (import or edit).",
            n=DEFAULT_SERVICE_MINUTES,
        ),
        _l("Edit"),
    ),
}


def customer_findings(company_id: int) -> tuple[list[Finding], int]:
    """Count every customer problem in one pass, then list the first few of each."""
    conditions = _customer_conditions(company_id)
    in_company = _company_customers(company_id)
    counts = (
        db.session.execute(
            sa.select(
                sa.func.count().label("total"),
                *(
                    sa.func.sum(sa.case((cond, 1), else_=0)).label(key)
                    for key, cond in conditions.items()
                ),
            ).where(*in_company)
        )
        .mappings()
        .one()
    )
    findings = []
    for key, condition in conditions.items():
        count = int(counts[key] or 0)
        if not count:
            continue
        level, title, explanation, fix_label = CUSTOMER_TEXT[key]
        rows = db.session.execute(
            sa.select(Customer.id, Customer.trade_name, Customer.erp_code)
            .where(*in_company, condition)
            .order_by(Customer.id)
            .limit(CAP)
        )
        geocode = key in ("customers_failed_geocode", "customers_without_position")
        examples = [
            Example(
                f"{name} ({code})",
                Link("geocoding.customer", {"customer_id": cid})
                if geocode
                else _customer_link(cid),
            )
            for cid, name, code in rows
        ]
        fix = Link("geocoding.index") if geocode else None
        findings.append(Finding(key, level, title, count, explanation, fix, fix_label, examples))
    return findings, int(counts["total"] or 0)


# --------------------------------------------------------------------------- company


def company_findings(company_id: int) -> list[Finding]:
    """Settings that were never saved (no no-sale reasons, engine defaults)."""
    if company_settings.latest_row(company_id=company_id) is not None:
        return []
    return [
        Finding(
            "no_settings",
            DEGRADE,
            _l("No company settings saved"),
            1,
            _l(
                "Scoring runs on the engine's defaults "
                "and reps have no no-sale reasons to choose from."
            ),
            Link("settings_admin.index"),
            _l("Open the settings"),
        )
    ]


def check(*, company_id: int) -> Report:
    """Return every finding of a company, worst first."""
    reps, rep_count = rep_findings(company_id)
    customers, customer_count = customer_findings(company_id)
    findings: list[Finding] = [*company_findings(company_id), *reps, *customers]
    if rep_count == 0:
        findings.insert(
            0,
            Finding(
                "no_reps",
                BLOCK,
                _l("No active field rep"),
                1,
                _l("Nobody can be planned: create the reps (or import them)."),
                Link("admin_users.create"),
                _l("Create a user"),
            ),
        )
    findings.sort(key=lambda f: LEVELS.index(f.level))
    return Report(company_id, findings, customer_count, rep_count)


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    """Count findings by level."""
    return {level: sum(1 for f in findings if f.level == level) for level in LEVELS}
