"""The figures computed from the customers' facts: coverage, activation, retention, risk, trends.

Every function here is pure over :class:`~app.services.kpis.facts.CustomerFacts` (except
:func:`owner_names`, one query for the names shown next to the figures).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.security.scope import Scope
from app.services.kpis.facts import ACTIVE_WINDOW_DAYS, STATUSES, CustomerFacts, week_ends


@dataclass
class Coverage:
    """Ruptura de atendimento of one portfolio (or the whole base when owner is None)."""

    owner_id: int | None
    owner_name: str
    customers: int = 0
    in_gap: int = 0

    @property
    def in_frequency(self) -> int:
        return self.customers - self.in_gap

    @property
    def share(self) -> float:
        """Share of the portfolio contacted within its frequency (0–1)."""
        return self.in_frequency / self.customers if self.customers else 0.0


def owner_names(scope: Scope) -> dict[int, str]:
    """Names of the people in scope, by id."""
    return dict(db.session.execute(sa.select(User.id, User.name).where(scope.user_filter())).all())


def coverage_by_owner(facts: dict[int, CustomerFacts], names: dict[int, str]) -> list[Coverage]:
    """Coverage per portfolio, worst share first."""
    by_owner: dict[int | None, Coverage] = {}
    for f in facts.values():
        cov = by_owner.setdefault(f.owner_id, Coverage(f.owner_id, names.get(f.owner_id or 0, "—")))
        cov.customers += 1
        cov.in_gap += f.in_gap
    return sorted(by_owner.values(), key=lambda c: (c.share, c.owner_name))


def coverage_total(facts: dict[int, CustomerFacts]) -> Coverage:
    """Coverage of the whole filtered base."""
    return Coverage(None, "", customers=len(facts), in_gap=sum(f.in_gap for f in facts.values()))


@dataclass(frozen=True)
class Activation:
    """Positivação: share of the base that bought this month to date vs the same days last month."""

    base: int
    this_month: int
    last_month: int

    @property
    def this_share(self) -> float:
        return self.this_month / self.base if self.base else 0.0

    @property
    def last_share(self) -> float:
        return self.last_month / self.base if self.base else 0.0


def activation(facts: dict[int, CustomerFacts]) -> Activation:
    """Positivação of the filtered base."""
    values = facts.values()
    return Activation(
        base=len(facts),
        this_month=sum(f.bought_this_month for f in values),
        last_month=sum(f.bought_last_month for f in values),
    )


@dataclass(frozen=True)
class Retention:
    """Churn and expansion over the period, on the base active before it."""

    active_at_start: int
    churned: int
    revenue_lost: float
    retained_revenue_before: float
    retained_revenue_now: float

    @property
    def churn_rate(self) -> float:
        return self.churned / self.active_at_start if self.active_at_start else 0.0

    @property
    def expansion(self) -> float:
        """Revenue growth of the retained base (0.05 = +5 %)."""
        before = self.retained_revenue_before
        return (self.retained_revenue_now - before) / before if before else 0.0


def retention(facts: dict[int, CustomerFacts]) -> Retention:
    """Churn (customers and revenue lost) and expansion of the base."""
    active = [f for f in facts.values() if f.active_at_start]
    churned = [f for f in active if f.churned]
    retained = [f for f in active if not f.churned]
    return Retention(
        active_at_start=len(active),
        churned=len(churned),
        revenue_lost=sum(f.revenue_before for f in churned),
        retained_revenue_before=sum(f.revenue_before for f in retained),
        retained_revenue_now=sum(f.revenue_now for f in retained),
    )


@dataclass(frozen=True)
class Risk:
    """Purchase lapses and rescue cases, with the monthly value at risk."""

    lapses: int
    lapse_value: float
    rescues: int
    rescue_value: float
    at_risk: int


def risk(facts: dict[int, CustomerFacts]) -> Risk:
    """Lapse, rescue and at-risk counts of the filtered base."""
    lapsed = [f for f in facts.values() if f.lapsed]
    rescue = [f for f in facts.values() if f.rescue]
    return Risk(
        lapses=len(lapsed),
        lapse_value=sum(f.value_at_risk for f in lapsed),
        rescues=len(rescue),
        rescue_value=sum(f.value_at_risk for f in rescue),
        at_risk=sum(f.at_risk for f in facts.values()),
    )


def status_counts(facts: dict[int, CustomerFacts]) -> dict[str, int]:
    """Customers per map status."""
    counts = Counter(f.status for f in facts.values())
    return {s: counts.get(s, 0) for s in STATUSES}


@dataclass(frozen=True)
class TrendPoint:
    """One week of the trend charts."""

    week_end: date
    coverage: float
    activation: float
    churned: int


def trends(facts: dict[int, CustomerFacts], end: date) -> list[TrendPoint]:
    """Coverage, weekly positivação and customers churned per week, over the last weeks."""
    ends = week_ends(end)
    days = [d.toordinal() for d in ends]
    n = len(days)
    covered, bought, churned = [0] * n, [0] * n, [0] * n
    for f in facts.values():
        contacts = [d.toordinal() if d else None for d in f.week_last_contact]
        orders = [d.toordinal() if d else None for d in f.week_last_order]
        for k, day in enumerate(days):
            last = contacts[k] if contacts else None
            covered[k] += last is not None and day - last <= f.frequency
            bought[k] += bool(f.week_bought and f.week_bought[k])
            if orders:
                was = _active(orders[k], day - 7)
                churned[k] += was and not _active(orders[k + 1], day)
    total = len(facts) or 1
    return [
        TrendPoint(ends[k], covered[k] / total, bought[k] / total, churned[k]) for k in range(n)
    ]


def _active(last: int | None, day: int) -> bool:
    """Bought within the 90-day window ending on `day` (ordinals)."""
    return last is not None and day - last < ACTIVE_WINDOW_DAYS


def group_counts(facts: dict[int, CustomerFacts], key: str) -> dict[Any, int]:
    """Count facts by an attribute (owner_id, segment...)."""
    out: dict[Any, int] = defaultdict(int)
    for f in facts.values():
        out[getattr(f, key)] += 1
    return dict(out)
