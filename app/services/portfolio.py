"""Portfolio listing and the customer card's facts, with set-based queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Contact, Customer, Order, Receivable, ScoreSnapshot, User
from app.security.scope import Scope
from app.services import score_retention
from app.services.ticket import average_tickets

PAGE_SIZE = 50


@dataclass(frozen=True)
class PortfolioQuery:
    """Filters of the portfolio list."""

    text: str = ""
    segment: str | None = None
    owner_id: int | None = None
    page: int = 1
    lost: bool = False  # the customers marked lost (out of the active base) instead


@dataclass
class CustomerRow:
    """One line of the portfolio list: the customer and its key facts."""

    customer: Customer
    owner_name: str | None
    score: float | None = None
    flags: int = 0
    reasons: list[Any] = field(default_factory=list)
    last_order: date | None = None
    last_contact: date | None = None
    overdue: Decimal = Decimal("0")
    revenue_90d: Decimal = Decimal("0")

    def days_since(self, day: date | None, today: date) -> int | None:
        return None if day is None else (today - day).days


@dataclass
class PortfolioPage:
    """A page of the portfolio list."""

    rows: list[CustomerRow]
    total: int
    page: int
    pages: int
    score_date: date | None


def latest_score_date(*, company_id: int, today: date) -> date | None:
    """The most recent scoring day on or before today."""
    return db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date <= today
        )
    )


def _filtered(scope: Scope, query: PortfolioQuery) -> sa.Select[Any]:
    if query.lost:
        stmt = scope.customers().where(Customer.active.is_(False), Customer.lost_on.is_not(None))
    else:
        stmt = scope.customers().where(Customer.active.is_(True))
    if query.text:
        like = f"%{query.text.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Customer.trade_name).like(like),
                sa.func.lower(Customer.legal_name).like(like),
                sa.func.lower(Customer.erp_code).like(like),
                sa.func.lower(Customer.district).like(like),
            )
        )
    if query.segment:
        stmt = stmt.where(Customer.segment == query.segment)
    if query.owner_id:
        stmt = stmt.where(Customer.owner_id == query.owner_id)
    return stmt


def list_customers(*, scope: Scope, query: PortfolioQuery, today: date) -> PortfolioPage:
    """Customers in scope, highest score first, with last order/contact and overdue."""
    filtered = _filtered(scope, query)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(filtered.subquery())) or 0
    score_day = latest_score_date(company_id=scope.company_id, today=today)
    snap = sa.orm.aliased(ScoreSnapshot)
    stmt = (
        filtered.add_columns(User.name, snap.total, snap.flags, snap.reasons)
        .outerjoin(User, User.id == Customer.owner_id)
        .outerjoin(
            snap,
            # The company lets PostgreSQL read only the day's rows through
            # ix_score_snapshots_company_day_total instead of the whole window.
            sa.and_(
                snap.company_id == scope.company_id,
                snap.customer_id == Customer.id,
                snap.score_date == score_day,
            ),
        )
        .order_by(snap.total.desc().nulls_last(), Customer.trade_name, Customer.id)
        .limit(PAGE_SIZE)
        .offset((query.page - 1) * PAGE_SIZE)
    )
    rows = [
        CustomerRow(
            customer=c, owner_name=owner, score=score, flags=flags or 0, reasons=reasons or []
        )
        for c, owner, score, flags, reasons in db.session.execute(stmt)
    ]
    _fill_facts(rows, today)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return PortfolioPage(rows=rows, total=total, page=query.page, pages=pages, score_date=score_day)


def _fill_facts(rows: list[CustomerRow], today: date) -> None:
    """Add last order, last contact, overdue and 90-day revenue for a page at once."""
    by_id = {r.customer.id: r for r in rows}
    if not by_id:
        return
    ids = list(by_id)
    orders = db.session.execute(
        sa.select(
            Order.customer_id,
            sa.func.max(Order.order_date),
            sa.func.sum(
                sa.case((Order.order_date > today - timedelta(days=90), Order.total), else_=0)
            ),
        )
        .where(Order.customer_id.in_(ids))
        .group_by(Order.customer_id)
    )
    for cid, last, revenue in orders:
        by_id[cid].last_order = last
        by_id[cid].revenue_90d = Decimal(revenue or 0)
    contacts = db.session.execute(
        sa.select(Contact.customer_id, sa.func.max(Contact.contact_date))
        .where(Contact.customer_id.in_(ids), Contact.outcome.is_not(None))
        .group_by(Contact.customer_id)
    )
    for cid, last in contacts:
        by_id[cid].last_contact = last
    overdue = db.session.execute(
        sa.select(Receivable.customer_id, sa.func.sum(Receivable.amount))
        .where(
            Receivable.customer_id.in_(ids),
            Receivable.paid_date.is_(None),
            Receivable.due_date < today,
        )
        .group_by(Receivable.customer_id)
    )
    for cid, amount in overdue:
        by_id[cid].overdue = Decimal(amount or 0)


def list_segments(*, scope: Scope) -> list[str]:
    """Segments present in the scope, for the filter."""
    stmt = (
        sa.select(Customer.segment)
        .where(scope.customer_filter())
        .distinct()
        .order_by(Customer.segment)
    )
    return list(db.session.scalars(stmt))


def list_owners(*, scope: Scope) -> list[User]:
    """Portfolio owners the scope can filter by (empty for reps and telesales)."""
    if not (scope.is_admin or scope.is_supervisor):
        return []
    stmt = (
        sa.select(User)
        .where(scope.user_filter(), User.id.in_(sa.select(Customer.owner_id)))
        .order_by(User.name)
    )
    return list(db.session.scalars(stmt))


@dataclass
class CustomerDetail:
    """Everything the customer card shows."""

    customer: Customer
    owner_name: str | None
    snapshot: ScoreSnapshot | None
    orders: list[Order]
    open_receivables: list[Receivable]
    contacts: list[Contact]
    today: date

    @property
    def overdue_total(self) -> Decimal:
        return sum(
            (r.amount for r in self.open_receivables if r.due_date < self.today), Decimal("0")
        )

    @property
    def open_total(self) -> Decimal:
        return sum((r.amount for r in self.open_receivables), Decimal("0"))

    @property
    def available_credit(self) -> Decimal:
        return self.customer.credit_limit - self.open_total

    ticket: float | None = None

    @property
    def average_ticket(self) -> Decimal | None:
        """The one average ticket (app/services/ticket.py): the score's, else as of today."""
        if self.snapshot is not None and self.snapshot.avg_ticket is not None:
            return Decimal(str(self.snapshot.avg_ticket))
        return None if self.ticket is None else Decimal(str(self.ticket))


def get_customer_detail(
    *, scope: Scope, customer_id: int, today: date, orders: int = 10
) -> CustomerDetail:
    """Load a customer in scope (404 otherwise) with its recent history."""
    customer = scope.get_customer(customer_id)
    owner = db.session.get(User, customer.owner_id) if customer.owner_id else None
    # Past the company's full-detail window only the numbers remain (no reasons to show).
    snapshot = score_retention.latest_snapshot(db.session(), customer.id, today)
    recent_orders = list(
        db.session.scalars(
            sa.select(Order)
            .where(Order.customer_id == customer.id)
            .order_by(Order.order_date.desc(), Order.id.desc())
            .limit(orders)
            .options(sa.orm.selectinload(Order.lines))
        )
    )
    receivables = list(
        db.session.scalars(
            sa.select(Receivable)
            .where(Receivable.customer_id == customer.id, Receivable.paid_date.is_(None))
            .order_by(Receivable.due_date)
        )
    )
    contacts = list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.customer_id == customer.id)
            .order_by(Contact.contact_date.desc(), Contact.id.desc())
            .limit(15)
        )
    )
    ticket = average_tickets(customer_ids=[customer.id], day=today, session=db.session).get(
        customer.id
    )
    return CustomerDetail(
        customer=customer,
        owner_name=owner.name if owner else None,
        snapshot=snapshot,
        orders=recent_orders,
        open_receivables=receivables,
        contacts=contacts,
        today=today,
        ticket=ticket,
    )
