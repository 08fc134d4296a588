"""Customers marked lost in a period: counted apart from the base and from churn.

A customer a supervisor marks lost leaves the active base (``Customer.active`` false), so the
coverage, activation, churn and health figures no longer see it. Left at that, marking
customers lost would *lower* churn; the dashboard therefore shows them in a figure of their
own, with the revenue they brought in the 90 days before they were lost and the reasons
(``docs/kpis.md``, "Lost customers").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Order
from app.services.kpis.facts import KpiFilter

REVENUE_DAYS = 90


@dataclass(frozen=True)
class LostCustomers:
    """Customers marked lost in the period, their revenue before, and the reasons by count."""

    customers: int = 0
    revenue_before: Decimal = Decimal("0")
    reasons: list[tuple[str, int]] = field(default_factory=list)


def lost_customers(flt: KpiFilter) -> LostCustomers:
    """Customers in the filter's scope (rep, segment, region) marked lost between its dates."""
    stmt = sa.select(Customer.id, Customer.lost_on, Customer.lost_reason).where(
        flt.scope.customer_filter(),
        Customer.active.is_(False),
        Customer.lost_on.between(flt.start, flt.end),
    )
    if flt.rep_id:
        stmt = stmt.where(Customer.owner_id == flt.rep_id)
    if flt.segment:
        stmt = stmt.where(Customer.segment == flt.segment)
    if flt.zone:
        stmt = stmt.where(Customer.zone == flt.zone)
    rows = db.session.execute(stmt).all()
    if not rows:
        return LostCustomers()
    revenue = Decimal("0")
    lost_on: dict[int, date | str] = {cid: day for cid, day, _reason in rows if day is not None}
    for cid, order_day, total in db.session.execute(
        sa.select(Order.customer_id, Order.order_date, Order.total).where(
            Order.customer_id.in_(list(lost_on)),
            Order.order_date >= flt.start - timedelta(days=REVENUE_DAYS),
            Order.order_date <= flt.end,
        )
    ):
        day = lost_on[cid]
        if _as_date(day) - timedelta(days=REVENUE_DAYS) <= _as_date(order_day) < _as_date(day):
            revenue += Decimal(total or 0)
    reasons = Counter(reason or "" for _cid, _day, reason in rows)
    return LostCustomers(len(rows), revenue, reasons.most_common())


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
