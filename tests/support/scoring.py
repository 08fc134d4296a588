"""Scoring test helpers: a hand-made portfolio and the features computed in plain Python."""

from __future__ import annotations

import itertools
import math
import statistics
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Company,
    CompanySettings,
    Contact,
    Customer,
    Order,
    OrderLine,
    Receivable,
    Role,
    User,
)
from app.services.scoring_features import REVENUE_WINDOW_DAYS, SERVED_OUTCOMES
from optimizer.scoring import ScoringSettings
from tests.factories import (
    make_company,
    make_contact,
    make_customer,
    make_order,
    make_receivable,
    make_team,
    make_user,
)

DAY = date(2026, 11, 23)  # a Monday


def ago(days: int) -> date:
    return DAY - timedelta(days=days)


def small_portfolio() -> dict[str, Any]:
    """Six customers, each exercising a different part of the score, plus data after DAY."""
    from app.models import ContactKind, Outcome

    company = make_company()
    # Version 1 holds the engine's own defaults, as a company created by hand would store.
    db.session.add(
        CompanySettings(company_id=company.id, version=1, scoring=ScoringSettings().to_dict())
    )
    team = make_team(company)
    admin = make_user(company, Role.ADMIN)
    rep = make_user(company, Role.REP, team, with_profile=True)
    rep2 = make_user(company, Role.REP, team, with_profile=True)
    w: dict[str, Any] = {"company": company, "admin": admin, "rep": rep, "rep2": rep2}

    # Regular every 14 days, then silent for 32: "32 dias sem comprar; costuma ... 14".
    lapsed = make_customer(company, rep, trade_name="Mercado Ciclo", segment="mercearia")
    for d in (116, 102, 88, 74, 60, 46, 32):
        make_order(
            lapsed,
            ago(d),
            [("Bebidas", Decimal("300.00")), ("Limpeza", Decimal("120.00"))],
        )
    for d in (200, 186):  # older orders without Limpeza: Bebidas is the regular line
        make_order(lapsed, ago(d), [("Bebidas", Decimal("250.00"))])
    make_order(lapsed, ago(32), [("Frios", Decimal("80.00"))])  # second order, same day
    make_contact(lapsed, rep, ago(40), outcome=Outcome.ORDER)
    make_contact(lapsed, rep, ago(3), outcome=Outcome.SKIPPED)  # not a served contact
    make_order(lapsed, DAY + timedelta(days=2))  # after the reference day: ignored
    w["lapsed"] = lapsed

    # Overdue receivables: R$ 820,00 past due for 12 days, and one not yet due.
    debtor = make_customer(
        company,
        rep,
        trade_name="Bar Devedor",
        segment="bar",
        credit_limit=Decimal("1000.00"),
    )
    for d in (70, 50, 30, 10):
        make_order(debtor, ago(d), [("Bebidas", Decimal("400.00"))])
    make_receivable(debtor, ago(12), Decimal("500.00"), issued=ago(40))
    make_receivable(debtor, ago(5), Decimal("320.00"), issued=ago(35))
    make_receivable(debtor, DAY + timedelta(days=10), Decimal("400.00"), issued=ago(2))
    make_receivable(debtor, ago(60), Decimal("999.00"), paid=ago(55), issued=ago(90))
    make_receivable(
        debtor, ago(20), Decimal("111.00"), paid=DAY + timedelta(days=1), issued=ago(50)
    )
    make_contact(debtor, rep, ago(9), kind=ContactKind.CALL, outcome=Outcome.NO_SALE)
    w["debtor"] = debtor

    # Never bought, created long ago, never contacted, no credit limit configured.
    w["never"] = make_customer(
        company, rep2, trade_name="Loja Nunca", segment="bar", credit_limit=Decimal("0")
    )

    # Old customer long gone: a rescue case.
    lost = make_customer(
        company,
        rep2,
        trade_name="Empório Sumido",
        segment="mercearia",
        delivery_weekdays=0b0000100,
    )
    for d in (400, 380, 361, 340):
        make_order(lost, ago(d), [("Laticínios", Decimal("90.00"))])
    make_contact(lost, rep2, ago(100), outcome=Outcome.NOT_REACHED)
    make_contact(lost, rep2, ago(150), outcome=Outcome.COLLECTED)
    w["lost"] = lost

    # A single recent order.
    w["new"] = make_customer(
        company,
        rep2,
        trade_name="Padaria Nova",
        segment="padaria",
        visit_frequency_days=14,
    )
    make_order(w["new"], ago(6), [("Padaria", Decimal("55.50"))])

    # Inactive customers are not scored; another company's customers neither.
    inactive = make_customer(company, rep, trade_name="Inativo", active=False)
    make_order(inactive, ago(5))
    other = make_company("Outra")
    make_order(make_customer(other, make_user(other, Role.REP)), ago(3))
    return w


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def python_features(company: Company, day: date) -> dict[int, dict[str, Any]]:
    """The features of every active customer, computed row by row in plain Python."""
    customers = db.session.scalars(
        sa.select(Customer)
        .where(Customer.company_id == company.id, Customer.active)
        .order_by(Customer.id)
    ).all()
    by_customer: dict[int, dict[str, list[Any]]] = {
        c.id: {"o": [], "k": [], "r": []} for c in customers
    }
    for model, key in ((Order, "o"), (Contact, "k"), (Receivable, "r")):
        for row in db.session.scalars(sa.select(model).where(model.company_id == company.id)):
            if row.customer_id in by_customer:
                by_customer[row.customer_id][key].append(row)
    lines: dict[int, list[str]] = {}
    for order_id, category in db.session.execute(sa.select(OrderLine.order_id, OrderLine.category)):
        lines.setdefault(order_id, []).append(category)
    out: dict[int, dict[str, Any]] = {}
    for c in customers:
        rows = by_customer[c.id]
        orders = [o for o in rows["o"] if o.order_date <= day]
        days = sorted({o.order_date for o in orders})
        logs = [math.log(max((b - a).days, 1)) for a, b in itertools.pairwise(days)]
        center = _median(logs)
        scale = 1.4826 * _median([abs(x - center) for x in logs]) if logs else math.nan
        window = [o for o in orders if (day - o.order_date).days < REVENUE_WINDOW_DAYS]
        contacts = [
            k.contact_date
            for k in rows["k"]
            if k.contact_date <= day and k.outcome in SERVED_OUTCOMES
        ]
        open_recs = [
            r
            for r in rows["r"]
            if r.issue_date <= day and (r.paid_date is None or r.paid_date > day)
        ]
        overdue = [r for r in open_recs if r.due_date < day]
        mix: dict[str, list[date]] = {}
        for o in orders:
            for category in lines.get(o.id, []):
                mix.setdefault(category, []).append(o.order_date)
        out[c.id] = {
            "purchase_days": len(days),
            "days_since_first": (day - days[0]).days if days else math.nan,
            "days_since_last": (day - days[-1]).days if days else math.nan,
            "gap_log_center": center,
            "gap_log_scale": scale,
            "avg_ticket": _ticket(orders, day),
            "revenue": float(sum((o.total for o in window), Decimal(0))),
            "days_since_contact": (day - max(contacts)).days if contacts else math.nan,
            "visit_frequency_days": float(c.visit_frequency_days)
            if c.visit_frequency_days
            else math.nan,
            "overdue_amount": float(sum((r.amount for r in overdue), Decimal(0))),
            "overdue_days": float(max(((day - r.due_date).days for r in overdue), default=0)),
            "open_receivables": float(sum((r.amount for r in open_recs), Decimal(0))),
            "credit_limit": float(c.credit_limit)
            if c.credit_limit and c.credit_limit > 0
            else math.nan,
            "delivery_weekdays": c.delivery_weekdays & 0x7F,
            "mix": {
                cat: (len(set(ds)) / len(days), (day - max(ds)).days) for cat, ds in mix.items()
            },
        }
    return out


def owner_of(customer_id: int) -> User | None:
    customer = db.session.get(Customer, customer_id)
    return db.session.get(User, customer.owner_id) if customer and customer.owner_id else None


def _ticket(orders: list, day: date) -> float:
    """The average ticket by its definition (docs/kpis.md): orders of the 365 days up to ``day``,
    else all orders up to it; NaN without orders."""
    recent = [o for o in orders if (day - o.order_date).days < 365]
    pool = recent or orders
    return float(sum(o.total for o in pool) / len(pool)) if pool else math.nan
