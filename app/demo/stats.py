"""Figures that show the demo portfolio looks like a real one (lapses, losses, overdue)."""

from __future__ import annotations

import hashlib
import itertools
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from app import formatting
from app.extensions import db
from app.models import (
    Contact,
    ContactKind,
    Customer,
    Order,
    OrderLine,
    Outcome,
    Receivable,
    User,
)

LAPSE_MULTIPLE = 1.5
LOST_MULTIPLE = 4.0
LOST_DAYS = 120
OVERDUE_LONG_DAYS = 30


@dataclass(frozen=True)
class DemoStats:
    """Counts and shares of a company's portfolio on a given day."""

    today: date
    customers: int
    orders: int
    order_lines: int
    lapsing: int
    lost: int
    overdue_customers: int
    overdue_long_customers: int
    overdue_amount: Decimal
    visits: int
    calls: int
    service_gaps: int

    def share(self, count: int) -> float:
        """A count as a share of all customers."""
        return count / self.customers if self.customers else 0.0

    def percent(self, count: int) -> str:
        """A share of customers in the locale's notation, e.g. "12,3%" in pt-BR."""
        return format_percent(self.share(count), "#,##0.0%")

    def lines(self) -> list[str]:
        """Human-readable figures, one per line, in the command line's language."""
        return [
            _("Reference day: %(day)s", day=self.today.isoformat()),
            _("Customers: %(count)s", count=self.customers),
            _("Orders: %(orders)s (%(lines)s lines)", orders=self.orders, lines=self.order_lines),
            _(
                "Lapsing (%(low)sx to %(high)sx the cycle): %(count)s (%(share)s)",
                low=format_decimal(LAPSE_MULTIPLE),
                high=format_decimal(LOST_MULTIPLE),
                count=self.lapsing,
                share=self.percent(self.lapsing),
            ),
            _(
                "Lost (over %(multiple)sx the cycle or over %(days)s days): %(count)s (%(share)s)",
                multiple=format_decimal(LOST_MULTIPLE),
                days=LOST_DAYS,
                count=self.lost,
                share=self.percent(self.lost),
            ),
            _(
                "With overdue receivables: %(count)s (%(share)s), %(long)s over %(days)s days",
                count=self.overdue_customers,
                share=self.percent(self.overdue_customers),
                long=self.overdue_long_customers,
                days=OVERDUE_LONG_DAYS,
            ),
            _("Overdue amount: %(amount)s", amount=formatting.money(self.overdue_amount)),
            _(
                "Contacts (90 days): %(total)s (%(visits)s visits, %(calls)s calls)",
                total=self.visits + self.calls,
                visits=self.visits,
                calls=self.calls,
            ),
            _(
                "No contact within the visit frequency: %(count)s (%(share)s)",
                count=self.service_gaps,
                share=self.percent(self.service_gaps),
            ),
        ]


def classify(days: list[date], today: date) -> str | None:
    """Say whether sorted purchase days make a customer "lapsing", "lost" or neither (None)."""
    if not days:
        return None
    since = (today - days[-1]).days
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    cycle = statistics.median(gaps) if len(gaps) >= 2 else None
    if since > LOST_DAYS or (cycle and since > LOST_MULTIPLE * cycle):
        return "lost"
    if cycle and since >= LAPSE_MULTIPLE * cycle:
        return "lapsing"
    return None


def compute(*, company_id: int, today: date) -> DemoStats:
    """Measure the company's portfolio as the stats command prints it."""
    count = db.session.scalar
    customers = count(sa.select(sa.func.count()).where(Customer.company_id == company_id)) or 0
    orders = count(sa.select(sa.func.count()).where(Order.company_id == company_id)) or 0
    lines = (
        count(
            sa.select(sa.func.count())
            .select_from(OrderLine)
            .join(Order)
            .where(Order.company_id == company_id)
        )
        or 0
    )
    days: dict[int, list[date]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(Order.customer_id, Order.order_date)
        .where(Order.company_id == company_id, Order.order_date <= today)
        .distinct()
        .order_by(Order.customer_id, Order.order_date)
    )
    for customer_id, day in rows:
        days[customer_id].append(day)
    states = [classify(d, today) for d in days.values()]
    overdue = db.session.execute(
        sa.select(
            Receivable.customer_id, sa.func.min(Receivable.due_date), sa.func.sum(Receivable.amount)
        )
        .where(
            Receivable.company_id == company_id,
            Receivable.paid_date.is_(None),
            Receivable.due_date < today,
        )
        .group_by(Receivable.customer_id)
    ).all()
    kinds = dict(
        db.session.execute(
            sa.select(Contact.kind, sa.func.count())
            .where(Contact.company_id == company_id, _made())
            .group_by(Contact.kind)
        ).all()
    )
    return DemoStats(
        today=today,
        customers=customers,
        orders=orders,
        order_lines=lines,
        lapsing=states.count("lapsing"),
        lost=states.count("lost"),
        overdue_customers=len(overdue),
        overdue_long_customers=sum(
            1 for _, oldest, _ in overdue if (today - oldest).days > OVERDUE_LONG_DAYS
        ),
        overdue_amount=sum(
            (Decimal(str(amount)) for _, _, amount in overdue), Decimal("0")
        ).quantize(Decimal("0.01")),
        visits=kinds.get(ContactKind.VISIT, 0),
        calls=kinds.get(ContactKind.CALL, 0),
        service_gaps=_service_gaps(company_id, today),
    )


def _made() -> sa.ColumnElement[bool]:
    """A visit or call that happened: a stop the rep skipped is on record but is no contact."""
    return sa.or_(Contact.outcome.is_(None), Contact.outcome != Outcome.SKIPPED)


def _service_gaps(company_id: int, today: date) -> int:
    """Active customers not visited or called within their frequency (nor new enough to wait)."""
    last = (
        sa.select(Contact.customer_id, sa.func.max(Contact.contact_date).label("day"))
        .where(Contact.company_id == company_id, Contact.contact_date <= today, _made())
        .group_by(Contact.customer_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Customer.visit_frequency_days, Customer.created_at, last.c.day)
        .outerjoin(last, last.c.customer_id == Customer.id)
        .where(Customer.company_id == company_id, Customer.active.is_(True))
    )
    gaps = 0
    for frequency, created_at, day in rows:
        since = (today - day).days if day else (today - created_at.date()).days
        gaps += since > frequency
    return gaps


def fingerprint(*, company_id: int) -> str:
    """A checksum of the company's demo rows by natural keys (ids and clocks left out)."""
    digest = hashlib.sha256()
    customer = aliased(Customer)
    queries = [
        sa.select(
            Customer.erp_code,
            Customer.trade_name,
            Customer.latitude,
            Customer.longitude,
            User.email,
        )
        .join(User, User.id == Customer.owner_id)
        .where(Customer.company_id == company_id)
        .order_by(Customer.erp_code),
        sa.select(Order.erp_code, customer.erp_code, Order.order_date, Order.total)
        .join(customer, customer.id == Order.customer_id)
        .where(Order.company_id == company_id)
        .order_by(Order.erp_code),
        sa.select(Order.erp_code, OrderLine.product_code, OrderLine.quantity, OrderLine.total)
        .join(Order)
        .where(Order.company_id == company_id)
        .order_by(Order.erp_code, OrderLine.product_code),
        sa.select(Receivable.erp_code, Receivable.due_date, Receivable.amount, Receivable.paid_date)
        .where(Receivable.company_id == company_id)
        .order_by(Receivable.erp_code),
        sa.select(
            Contact.client_uuid,
            customer.erp_code,
            Contact.contact_date,
            Contact.outcome,
            Contact.check_in_at,
        )
        .join(customer, customer.id == Contact.customer_id)
        .where(Contact.company_id == company_id)
        .order_by(Contact.client_uuid),
    ]
    for query in queries:
        for row in db.session.execute(query):
            digest.update("|".join(_canonical(v) for v in row).encode())
    return digest.hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)
