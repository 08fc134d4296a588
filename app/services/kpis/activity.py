"""What the reps did: plan versus done per rep and day, no-sale reasons, and who is behind them.

These figures come from plans, stops and contacts of the period rather than from the
customers' facts; :func:`contact_customer_ids` lists the customers behind each of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Contact, ContactKind, Customer, Outcome, Plan, PlanStop, StopKind, StopStatus
from app.security.scope import Scope
from app.services.kpis.facts import KpiFilter


@dataclass
class DayRow:
    """Plan versus done for one rep on one day."""

    user_id: int
    day: date
    planned: int = 0
    visited: int = 0
    skipped: int = 0
    unplanned: int = 0
    orders: int = 0
    order_value: float = 0.0
    km: float = 0.0
    far_check_ins: int = 0
    # Recorded without check-in, or with the phone's clock off (app.services.visits).
    flagged_visits: int = 0


def _flagged_visit() -> Any:
    return sa.or_(Contact.no_check_in.is_(True), Contact.time_flagged.is_(True))


def _segment_rep(stmt: Any, flt: KpiFilter, customer_col: Any, user_col: Any) -> Any:
    stmt = stmt.where(flt.scope.owner_filter(user_col))
    if flt.rep_id:
        stmt = stmt.where(user_col == flt.rep_id)
    if flt.by_customer:
        customers = sa.select(Customer.id)
        if flt.segment:
            customers = customers.where(Customer.segment == flt.segment)
        if flt.zone:
            customers = customers.where(Customer.zone == flt.zone)
        stmt = stmt.where(customer_col.in_(customers))
    return stmt


def plan_vs_done(flt: KpiFilter) -> list[DayRow]:
    """Per rep and day: planned and skipped stops; visits made (and how many off the plan),
    orders and their value, planned km and far check-ins."""
    rows: dict[tuple[int, date], DayRow] = {}

    def row(uid: int, day: date) -> DayRow:
        return rows.setdefault((uid, day), DayRow(uid, day))

    stops = _segment_rep(
        sa.select(Plan.user_id, Plan.plan_date, PlanStop.status, sa.func.count())
        .join(PlanStop, PlanStop.plan_id == Plan.id)
        .where(PlanStop.kind == StopKind.VISIT, Plan.plan_date.between(flt.start, flt.end))
        .group_by(Plan.user_id, Plan.plan_date, PlanStop.status),
        flt,
        PlanStop.customer_id,
        Plan.user_id,
    )
    for uid, day, status, n in db.session.execute(stops):
        r = row(uid, day)
        r.planned += n
        r.skipped += n if status == StopStatus.SKIPPED else 0
    if not flt.by_customer:  # a route's kilometres cannot be split by segment or region
        km = sa.select(Plan.user_id, Plan.plan_date, Plan.total_m).where(
            flt.scope.owner_filter(Plan.user_id),
            Plan.plan_date.between(flt.start, flt.end),
        )
        if flt.rep_id:
            km = km.where(Plan.user_id == flt.rep_id)
        for uid, day, metres in db.session.execute(km):
            row(uid, day).km = (metres or 0) / 1000
    visits = _segment_rep(
        sa.select(
            Contact.user_id,
            Contact.contact_date,
            sa.func.sum(sa.case((_visited(), 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(Contact.planned.is_(False), _visited()), 1), else_=0)),
            sa.func.sum(sa.case((Contact.outcome == Outcome.ORDER, 1), else_=0)),
            sa.cast(
                sa.func.sum(
                    sa.case((Contact.outcome == Outcome.ORDER, Contact.order_value), else_=0)
                ),
                sa.Float,
            ),
            sa.func.sum(sa.case((Contact.check_in_flagged.is_(True), 1), else_=0)),
            sa.func.sum(sa.case((_flagged_visit(), 1), else_=0)),
        )
        .where(
            Contact.kind == ContactKind.VISIT,
            Contact.contact_date.between(flt.start, flt.end),
        )
        .group_by(Contact.user_id, Contact.contact_date),
        flt,
        Contact.customer_id,
        Contact.user_id,
    )
    for uid, day, visited, unplanned, orders, value, far, flagged in db.session.execute(visits):
        r = row(uid, day)
        r.visited, r.unplanned, r.orders, r.order_value, r.far_check_ins = (
            visited,
            unplanned,
            orders,
            value or 0.0,
            far,
        )
        r.flagged_visits = flagged
    return sorted(rows.values(), key=lambda r: (r.day, r.user_id), reverse=True)


def _visited() -> Any:
    return sa.and_(Contact.outcome.is_not(None), Contact.outcome != Outcome.SKIPPED)


def no_sale_reasons(flt: KpiFilter) -> list[tuple[str, int]]:
    """Contacts that ended without a sale in the period, counted per reason, most frequent first."""
    stmt = _segment_rep(
        sa.select(Contact.no_sale_reason, sa.func.count())
        .where(
            Contact.outcome == Outcome.NO_SALE,
            Contact.contact_date.between(flt.start, flt.end),
        )
        .group_by(Contact.no_sale_reason),
        flt,
        Contact.customer_id,
        Contact.user_id,
    )
    counts: Counter[str] = Counter()
    for reason, n in db.session.execute(stmt):
        counts[reason or ""] += n
    return sorted(counts.items(), key=lambda x: (-x[1], x[0]))


def contact_customer_ids(
    flt: KpiFilter,
    *,
    kind: str,
    day: date | None = None,
    user_id: int | None = None,
    reason: str | None = None,
) -> dict[int, int]:
    """Customers behind a plan-versus-done or no-sale figure, with how many contacts/stops each."""
    first, last = (day, day) if day else (flt.start, flt.end)
    stmt: Any
    if kind in ("planned", "skipped"):
        stmt = (
            sa.select(PlanStop.customer_id, sa.func.count())
            .join(Plan, Plan.id == PlanStop.plan_id)
            .where(PlanStop.kind == StopKind.VISIT, Plan.plan_date.between(first, last))
        )
        if kind == "skipped":
            stmt = stmt.where(PlanStop.status == StopStatus.SKIPPED)
        stmt = _segment_rep(stmt, flt, PlanStop.customer_id, Plan.user_id)
        if user_id:
            stmt = stmt.where(Plan.user_id == user_id)
        stmt = stmt.group_by(PlanStop.customer_id)
    else:
        conditions = {
            "visited": sa.and_(Contact.kind == ContactKind.VISIT, _visited()),
            "unplanned": sa.and_(
                Contact.kind == ContactKind.VISIT,
                Contact.planned.is_(False),
                _visited(),
            ),
            "orders": sa.and_(Contact.kind == ContactKind.VISIT, Contact.outcome == Outcome.ORDER),
            "far": sa.and_(Contact.kind == ContactKind.VISIT, Contact.check_in_flagged.is_(True)),
            "flagged": sa.and_(Contact.kind == ContactKind.VISIT, _flagged_visit()),
            "no_sale": sa.and_(
                Contact.outcome == Outcome.NO_SALE,
                sa.func.coalesce(Contact.no_sale_reason, "") == (reason or ""),
            ),
        }
        stmt = _segment_rep(
            sa.select(Contact.customer_id, sa.func.count()).where(
                conditions[kind], Contact.contact_date.between(first, last)
            ),
            flt,
            Contact.customer_id,
            Contact.user_id,
        )
        if user_id:
            stmt = stmt.where(Contact.user_id == user_id)
        stmt = stmt.group_by(Contact.customer_id)
    return dict(db.session.execute(stmt).all())


def list_zones(*, scope: Scope) -> list[str]:
    """Regions (delivery zones) present in the scope, for the filter."""
    stmt = (
        sa.select(Customer.zone)
        .where(scope.customer_filter(), Customer.zone.is_not(None))
        .distinct()
        .order_by(Customer.zone)
    )
    return [z for z in db.session.scalars(stmt) if z]
