"""Insert the whole demo data set in one transaction, with bulk inserts for the big tables."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.demo import contacts, customers, history, past_plans, people, settings
from app.demo.people import COMPANY_SLUG, Login
from app.extensions import db
from app.jobs.work import solve_calendar_work
from app.models import (
    CalendarTrigger,
    Company,
    CompanySettings,
    Contact,
    Customer,
    Order,
    OrderLine,
    Plan,
    PlanStop,
    Receivable,
)
from app.services import planning, visit_calendars
from app.services.clock import at_local, local_today

DEFAULT_CUSTOMERS = 2500
CHUNK = 5000
# CP-SAT's budget per rep for the demo's visit calendars, in its deterministic work units
# (the same seed gives the same calendars on any machine): a unit per 50 customers, between
# half a unit (small test portfolios) and six (the demo's ~300 customers a rep).
CALENDAR_UNITS_PER_CUSTOMER = 1 / 50
CALENDAR_UNITS = (0.5, 6.0)


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


def load(
    *,
    seed: int = 42,
    today: date | None = None,
    customer_count: int = DEFAULT_CUSTOMERS,
    calendars: bool = True,
) -> LoadResult:
    """Generate and insert the demo company; flushes but leaves the commit to the caller.

    The demo runs in ``calendar`` mode, so each rep's visit calendar is computed here (each
    customer gets its regular day); ``calendars=False`` leaves them to the first nightly run.
    """
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
    plans = customers.plan_customers(
        rng("customers"), count=customer_count, staff=staff, today=today
    )
    _insert(Customer, [p.row for p in plans])
    customer_ids = _ids(Customer.erp_code, Customer.id, Customer.company_id, staff.company_id)
    for plan in plans:
        plan.id = customer_ids[plan.row["erp_code"]]
    orders = history.plan_orders(rng("orders"), plans, today)
    history.settle(rng("receivables"), orders, today)
    contact_rows = contacts.plan_contacts(
        rng("contacts"), plans, orders, telesales_ids=staff.telesales_ids, today=today
    )
    past = past_plans.build(
        rng("past-plans"),
        plans,
        contact_rows,
        rep_ids=staff.rep_ids,
        rep_bases=staff.rep_bases,
        today=today,
    )
    stop_count = _insert_past_plans(past, contact_rows, staff.company_id)
    _insert(Contact, _uniform(contact_rows))
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
        "plans": len(past),
        "plan_stops": stop_count,
    }
    if calendars:
        rows["calendar_slots"] = _compute_calendars(staff.company_id)
    return LoadResult(staff.company_id, today, staff.logins, rows, time.perf_counter() - started)


def _insert_past_plans(
    past: list[past_plans.DayPlan], contact_rows: list[dict[str, Any]], company_id: int
) -> int:
    """Insert the past days' plans and stops; point each planned visit at its stop."""
    _insert(Plan, [past_plans.plan_row(p, company_id) for p in past])
    plan_ids = {
        (user_id, day): plan_id
        for user_id, day, plan_id in db.session.execute(
            sa.select(Plan.user_id, Plan.plan_date, Plan.id).where(Plan.company_id == company_id)
        )
    }
    rows = [r for p in past for r in past_plans.stop_rows(p, plan_ids[(p.user_id, p.day)])]
    _insert(PlanStop, rows)
    stop_ids = {
        (plan_id, seq): stop_id
        for plan_id, seq, stop_id in db.session.execute(
            sa.select(PlanStop.plan_id, PlanStop.seq, PlanStop.id)
            .join(Plan, Plan.id == PlanStop.plan_id)
            .where(Plan.company_id == company_id)
        )
    }
    for plan in past:
        plan_id = plan_ids[(plan.user_id, plan.day)]
        for seq, stop in enumerate(plan.stops):
            if stop.contact_key is not None:
                contact_rows[stop.contact_key]["plan_stop_id"] = stop_ids[(plan_id, seq)]
    return len(rows)


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every row every key (executemany inserts one column list for all rows)."""
    keys = {k for row in rows for k in row}
    for row in rows:
        for key in keys - row.keys():
            row[key] = None
    return rows


def _compute_calendars(company_id: int) -> int:
    """Compute every demo rep's visit calendar (deterministic budget); return the slots stored."""
    slots = 0
    low, high = CALENDAR_UNITS
    for rep in planning.planned_reps(company_id=company_id):
        job = visit_calendars.prepare(rep=rep, trigger=CalendarTrigger.SETUP)
        units = min(high, max(low, len(job.work.customers) * CALENDAR_UNITS_PER_CUSTOMER))
        settings = replace(
            job.work.settings, deterministic=True, time_limit=timedelta(seconds=units)
        )
        job = replace(job, work=replace(job.work, settings=settings))
        outcome = visit_calendars.store(job, solve_calendar_work(job.work))
        slots += len(outcome.calendar.slots)
    return slots


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
