"""The one average ticket (ticket médio) of the product: score, card, KPIs and exports use it.

Definition (docs/kpis.md, docs/scoring.md): the mean order total of the customer's orders in
the ``TICKET_WINDOW_DAYS`` days ending on the reference day; a customer with no order in that
window uses all its orders up to the reference day, so a customer gone for longer keeps the
ticket it used to have. No order at all: no ticket.

The SQL aggregates and the way they combine live only here; every caller groups by customer
over its own set of customers and passes the rows through ``combine``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from app.models import Order

TICKET_WINDOW_DAYS = 365


def window_start(day: date) -> date:
    """First order date inside the ticket window ending on ``day``."""
    return day - timedelta(days=TICKET_WINDOW_DAYS - 1)


def aggregates(day: date) -> tuple[Any, Any, Any, Any]:
    """Window total, window orders, total and orders (to group by customer, orders <= day)."""
    inside = Order.order_date >= window_start(day)
    return (
        sa.cast(sa.func.sum(sa.case((inside, Order.total), else_=0)), sa.Float),
        sa.func.sum(sa.case((inside, 1), else_=0)),
        sa.cast(sa.func.sum(Order.total), sa.Float),
        sa.func.count(),
    )


def combine(window_total: Any, window_orders: Any, total: Any, orders: Any) -> Any:
    """The ticket from the four aggregates (numbers or numpy arrays; NaN when no order)."""
    w_total, w_orders = (
        np.asarray(window_total, dtype=np.float64),
        np.asarray(window_orders, dtype=np.float64),
    )
    a_total, a_orders = np.asarray(total, dtype=np.float64), np.asarray(orders, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        recent = w_total / np.where(w_orders > 0, w_orders, np.nan)
        ever = a_total / np.where(a_orders > 0, a_orders, np.nan)
    return np.where(w_orders > 0, recent, ever)


def average_tickets(*, customer_ids: Any, day: date, session: Any) -> dict[int, float]:
    """Ticket of each customer with an order up to ``day``; ``customer_ids`` a list or a select."""
    ids = (
        list(customer_ids)
        if isinstance(customer_ids, Iterable) and not hasattr(customer_ids, "subquery")
        else customer_ids
    )
    stmt = (
        sa.select(Order.customer_id, *aggregates(day))
        .where(Order.customer_id.in_(ids), Order.order_date <= day)
        .group_by(Order.customer_id)
    )
    out: dict[int, float] = {}
    for cid, w_total, w_orders, total, orders in session.execute(stmt):
        value = float(combine(w_total or 0.0, w_orders or 0, total or 0.0, orders or 0))
        if np.isfinite(value):
            out[int(cid)] = round(value, 2)
    return out
