"""The rep's day as the phone needs it: the plan, each stop's why and what, and the facts
a visit needs (orders, receivables, notes), loaded with a handful of set-based queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.extensions import db
from app.models import (
    Contact,
    ContactKind,
    Customer,
    Order,
    OrderLine,
    Plan,
    PlanStatus,
    PlanStop,
    Receivable,
    ScoreSnapshot,
    User,
)
from app.security.scope import Scope
from app.services import work_calendar
from app.services.errors import NotFound
from app.services.portfolio import latest_score_date
from optimizer.model import Location
from optimizer.travel import geodesic_from_m

ORDERS_PER_CUSTOMER = 3
NOTES_PER_CUSTOMER = 5
WEEK_DAYS = 7


@dataclass
class CustomerFacts:
    """What a stop's detail shows besides the customer row itself."""

    orders: list[Order] = field(default_factory=list)
    categories: dict[int, list[str]] = field(default_factory=dict)
    receivables: list[Receivable] = field(default_factory=list)
    notes: list[Contact] = field(default_factory=list)


@dataclass
class RepDay:
    """A rep's plan for a day with its stops' scores, facts and the day's visits."""

    day: date
    plan: Plan | None
    stops: list[PlanStop]
    snapshots: dict[int, ScoreSnapshot]
    facts: dict[int, CustomerFacts]
    contacts: list[Contact]
    extra_customers: dict[int, Customer]


def get_plan(*, scope: Scope, day: date) -> Plan | None:
    """The rep's own plan of a day, stops and customers loaded."""
    return db.session.scalar(
        sa.select(Plan)
        .where(Plan.user_id == scope.user_id, Plan.plan_date == day)
        .options(selectinload(Plan.stops).joinedload(PlanStop.customer))
    )


def get_stop(*, scope: Scope, stop_id: int) -> PlanStop:
    """A stop of one of the rep's own plans; NotFound for anyone else's (answered 404)."""
    stop = db.session.scalar(
        sa.select(PlanStop)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(PlanStop.id == stop_id, Plan.user_id == scope.user_id)
        .options(joinedload(PlanStop.customer), joinedload(PlanStop.plan))
    )
    if stop is None:
        raise NotFound("stop")
    return stop


def _ranked(model: Any, order_by: Any, ids: list[int], limit: int, *where: Any) -> list[Any]:
    """The first `limit` rows per customer, by a window function (SQLite and PostgreSQL).

    The ranked rows are read whole in the subquery and mapped from it: joining the ranks
    back to the table by id let PostgreSQL hash the *whole* table (a sequential scan of
    every order of the company, ~25 ms per rep's day at 116,000 orders, growing with
    history) where the subquery reads only these customers' rows through their index.
    """
    rank = (
        sa.func.row_number().over(partition_by=model.customer_id, order_by=order_by).label("rank")
    )
    inner = sa.select(model, rank).where(model.customer_id.in_(ids), *where).subquery()
    stmt = (
        sa.select(aliased(model, inner))
        .where(inner.c.rank <= limit)
        .order_by(inner.c.customer_id, inner.c.rank)  # each customer's rows in `order_by` order
    )
    return list(db.session.scalars(stmt))


def _fill_categories(facts: dict[int, CustomerFacts]) -> None:
    """Product categories of the loaded orders, without loading every order line."""
    owner = {o.id: f for f in facts.values() for o in f.orders}
    if not owner:
        return
    rows = db.session.execute(
        sa.select(OrderLine.order_id, OrderLine.category)
        .where(OrderLine.order_id.in_(list(owner)))
        .distinct()
        .order_by(OrderLine.order_id, OrderLine.category)
    )
    for order_id, category in rows:
        owner[order_id].categories.setdefault(order_id, []).append(category)


def load_facts(*, customer_ids: list[int]) -> dict[int, CustomerFacts]:
    """Recent orders, open receivables and notes history of some customers at once."""
    facts = {cid: CustomerFacts() for cid in customer_ids}
    if not customer_ids:
        return facts
    for order in _ranked(
        Order, (Order.order_date.desc(), Order.id.desc()), customer_ids, ORDERS_PER_CUSTOMER
    ):
        facts[order.customer_id].orders.append(order)
    _fill_categories(facts)
    receivables = db.session.scalars(
        sa.select(Receivable)
        .where(Receivable.customer_id.in_(customer_ids), Receivable.paid_date.is_(None))
        .order_by(Receivable.due_date)
    )
    for rec in receivables:
        facts[rec.customer_id].receivables.append(rec)
    notes = _ranked(
        Contact,
        (Contact.contact_date.desc(), Contact.id.desc()),
        customer_ids,
        NOTES_PER_CUSTOMER,
        Contact.notes.is_not(None),
        Contact.notes != "",
    )
    for contact in notes:
        facts[contact.customer_id].notes.append(contact)
    return facts


def _snapshots(company_id: int, day: date, customer_ids: list[int]) -> dict[int, ScoreSnapshot]:
    score_day = latest_score_date(company_id=company_id, today=day)
    if score_day is None or not customer_ids:
        return {}
    rows = db.session.scalars(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.customer_id.in_(customer_ids), ScoreSnapshot.score_date == score_day
        )
    )
    return {s.customer_id: s for s in rows}


def get_rep_day(*, scope: Scope, day: date) -> RepDay:
    """Everything today's screen and its offline copy need, for the rep of the scope."""
    plan = get_plan(scope=scope, day=day)
    stops = [s for s in plan.stops if s.kind == "visit" and s.customer] if plan else []
    contacts = list(
        db.session.scalars(
            sa.select(Contact)
            .where(
                Contact.user_id == scope.user_id,
                Contact.contact_date == day,
                Contact.kind == ContactKind.VISIT,
            )
            .order_by(Contact.created_at, Contact.id)
        )
    )
    planned_ids = {s.customer_id for s in stops}
    extra_ids = sorted({c.customer_id for c in contacts} - planned_ids)
    extra = (
        {c.id: c for c in db.session.scalars(scope.customers().where(Customer.id.in_(extra_ids)))}
        if extra_ids
        else {}
    )
    ids = [s.customer_id for s in stops if s.customer_id] + list(extra)
    return RepDay(
        day=day,
        plan=plan,
        stops=stops,
        snapshots=_snapshots(scope.company_id, day, ids),
        facts=load_facts(customer_ids=ids),
        contacts=contacts,
        extra_customers=extra,
    )


def list_week(*, scope: Scope, after: date, days: int = WEEK_DAYS) -> list[Plan]:
    """The rep's plans of the coming days (drafts included), stops and customers loaded."""
    return list(
        db.session.scalars(
            sa.select(Plan)
            .where(
                Plan.user_id == scope.user_id,
                Plan.plan_date > after,
                Plan.plan_date <= after + timedelta(days=days),
                Plan.status.in_([PlanStatus.DRAFT, PlanStatus.PLANNED]),
            )
            .order_by(Plan.plan_date)
            .options(selectinload(Plan.stops).joinedload(PlanStop.customer))
        )
    )


def search_customers(*, scope: Scope, text: str, limit: int = 12) -> list[Customer]:
    """Active portfolio customers matching a name, code or district (unplanned visits)."""
    like = f"%{text.lower()}%"
    stmt = (
        scope.customers()
        .where(
            Customer.active.is_(True),
            sa.or_(
                sa.func.lower(Customer.trade_name).like(like),
                sa.func.lower(Customer.legal_name).like(like),
                sa.func.lower(Customer.erp_code).like(like),
                sa.func.lower(Customer.district).like(like),
            ),
        )
        .order_by(Customer.trade_name, Customer.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class NoPlanReason:
    """Why a rep has no route on a day: a calendar reason (``work_calendar.OffReason``) with its
    words, or ``not_planned`` on a working day nobody planned yet."""

    code: str
    label: str = ""


def why_no_plan(*, rep: User, day: date) -> NoPlanReason:
    """Say why there is no plan: the company calendar's reason (holiday, company day off, time
    off, weekly day off), else that the working day was not planned yet."""
    off = work_calendar.why_not_working(rep, day)
    if off is None:
        return NoPlanReason("not_planned")
    return NoPlanReason(off.reason.value, off.label())


def nearby_customers(
    *, scope: Scope, lat: float, lon: float, limit: int = 15
) -> list[tuple[Customer, float]]:
    """Active portfolio customers with a position, nearest first, with their distance in metres.

    A portfolio holds hundreds to a few thousand customers: their positions are read in
    one query and ranked here, all at once (:func:`optimizer.travel.geodesic_from_m`).
    """
    rows = db.session.execute(
        scope.customers()
        .with_only_columns(Customer.id, Customer.latitude, Customer.longitude)
        .where(
            Customer.active.is_(True),
            Customer.latitude.is_not(None),
            Customer.longitude.is_not(None),
        )
    ).all()
    placed = [
        (cid, Location(clat, clon))
        for cid, clat, clon in rows
        if clat is not None and clon is not None  # excluded by the query; narrows the type
    ]
    metres = geodesic_from_m(Location(lat, lon), [where for _, where in placed])
    ranked = sorted((float(m), cid) for m, (cid, _) in zip(metres, placed, strict=True))[:limit]
    found = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Customer).where(Customer.id.in_([cid for _, cid in ranked]))
        )
    }
    return [(found[cid], metres) for metres, cid in ranked if cid in found]
