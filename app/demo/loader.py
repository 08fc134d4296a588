"""Insert the whole demo data set in one transaction, with bulk inserts for the big tables."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.demo import contacts, customers, history, people, settings
from app.demo.people import COMPANY_SLUG, Login
from app.extensions import db
from app.models import (
    Company,
    CompanySettings,
    Contact,
    Customer,
    Order,
    OrderLine,
    Receivable,
)
from app.services.clock import at_local, local_today

DEFAULT_CUSTOMERS = 2500
CHUNK = 5000


@dataclass(frozen=True)
class LoadResult:
    """What was loaded, for the command to print."""

    company_id: int
    today: date
    logins: list[Login]
    rows: dict[str, int]
    seconds: float


def demo_company_id() -> int | None:
    """Id of the demo company, if it has been loaded."""
    return db.session.scalar(sa.select(Company.id).where(Company.slug == COMPANY_SLUG))


def load(*, seed: int = 42, today: date | None = None, customer_count: int = DEFAULT_CUSTOMERS) -> LoadResult:
    """Generate and insert the demo company; flushes but leaves the commit to the caller."""
    started = time.perf_counter()
    today = today or local_today()

    def rng(stage: str) -> random.Random:
        return random.Random(f"roteiro-demo:{seed}:{stage}")

    opened = at_local(today - timedelta(days=900), 9 * 3600)
    staff = people.create_staff(rng("people"), created_at=opened)
    db.session.add(
        CompanySettings(
            company_id=staff.company_id,
            version=1,
            scoring=settings.scoring(),
            planning=settings.planning(),
            policies=settings.policies(),
            note="Configuração inicial (padrões recomendados)",
            created_at=opened,
        )
    )
    plans = customers.plan_customers(rng("customers"), count=customer_count, staff=staff, today=today)
    _insert(Customer, [p.row for p in plans])
    customer_ids = _ids(Customer.erp_code, Customer.id, Customer.company_id, staff.company_id)
    for plan in plans:
        plan.id = customer_ids[plan.row["erp_code"]]
    orders = history.plan_orders(rng("orders"), plans, today)
    history.settle(rng("receivables"), orders, today)
    contact_rows = contacts.plan_contacts(
        rng("contacts"), plans, orders, telesales_ids=staff.telesales_ids, today=today
    )
    _insert(Contact, contact_rows)
    by_uuid = _ids(Contact.client_uuid, Contact.id, Contact.company_id, staff.company_id)
    contact_ids = [by_uuid[row["client_uuid"]] for row in contact_rows]
    order_rows = [_order_row(o, n, contact_rows, contact_ids) for n, o in enumerate(orders)]
    _insert(Order, order_rows)
    order_ids = _ids(Order.erp_code, Order.id, Order.company_id, staff.company_id)
    line_rows = [
        _line_row(line, order_ids[row["erp_code"]])
        for order, row in zip(orders, order_rows, strict=True)
        for line in order.lines
    ]
    _insert(OrderLine, line_rows)
    _insert(Receivable, [_receivable_row(o, n) for n, o in enumerate(orders)])
    db.session.flush()
    rows = {
        "customers": len(plans),
        "orders": len(orders),
        "order_lines": len(line_rows),
        "receivables": len(orders),
        "contacts": len(contact_rows),
    }
    return LoadResult(staff.company_id, today, staff.logins, rows, time.perf_counter() - started)


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert rows in chunks through Core executemany (no per-row ORM bookkeeping)."""
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model.__table__), rows[start : start + CHUNK])


def _ids(key: Any, id_column: Any, company_column: Any, company_id: int) -> dict[Any, int]:
    """Map each inserted row's natural key to its new id (one query instead of RETURNING)."""
    rows = db.session.execute(sa.select(key, id_column).where(company_column == company_id))
    return {k: i for k, i in rows}


def _order_row(
    order: history.OrderPlan, n: int, contact_rows: list[dict[str, Any]], contact_ids: list[int]
) -> dict[str, Any]:
    plan = order.customer
    row = {
        "company_id": plan.row["company_id"],
        "customer_id": plan.id,
        "erp_code": f"P{n + 1:07d}",
        "order_date": order.day,
        "total": order.total,
        "rep_id": plan.owner_id,
        "contact_id": None,
        "created_at": at_local(order.day, 17 * 3600),
    }
    if order.contact_key is not None:
        contact = contact_rows[order.contact_key]
        row.update(
            contact_id=contact_ids[order.contact_key],
            rep_id=contact["user_id"],
            created_at=contact["check_out_at"],
        )
    return row


def _line_row(line: history.LinePlan, order_id: int) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "product_code": line.product_code,
        "product_name": line.product_name,
        "category": line.category,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "total": line.total,
    }


def _receivable_row(order: history.OrderPlan, n: int) -> dict[str, Any]:
    return {
        "company_id": order.customer.row["company_id"],
        "customer_id": order.customer.id,
        "erp_code": f"NF{n + 1:07d}-1",
        "issue_date": order.day,
        "due_date": order.due_date,
        "amount": order.total,
        "paid_date": order.paid_date,
    }

