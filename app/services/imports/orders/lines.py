"""An order's lines as given, as stored and resolved: a blank keeps the stored line's value."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Order, OrderLine
from app.services.imports.base import chunks
from app.services.imports.orders.columns import LINE_FIELDS

CENTS, QTY, PRICE = Decimal("0.01"), Decimal("0.001"), Decimal("0.0001")


@dataclass
class OrderIn:
    """An order assembled from its lines (line values as given: blanks are absent)."""

    code: str
    row: int
    customer_id: int | None
    order_date: date | None
    rep_id: int | None
    lines: list[dict[str, Any]] = field(default_factory=list)
    stored: StoredOrder | None = None


@dataclass
class StoredOrder:
    """An order as stored: header and normalised lines."""

    id: int
    customer_id: int
    order_date: date
    rep_id: int | None
    total: Decimal
    lines: list[tuple[Any, ...]]


def stored_orders(codes: list[str], company_id: int) -> dict[str, StoredOrder]:
    """Existing orders with these codes, with their lines in stored order."""
    found: dict[str, StoredOrder] = {}
    for batch in chunks(sorted(set(codes)), 5000):
        heads = db.session.execute(
            sa.select(
                Order.id,
                Order.erp_code,
                Order.customer_id,
                Order.order_date,
                Order.rep_id,
                Order.total,
            ).where(Order.company_id == company_id, Order.erp_code.in_(batch))
        ).all()
        if not heads:
            continue
        lines: dict[int, list[tuple[Any, ...]]] = {h.id: [] for h in heads}
        for row in db.session.execute(
            sa.select(OrderLine.order_id, *(getattr(OrderLine, f) for f in LINE_FIELDS))
            .where(OrderLine.order_id.in_(list(lines)))
            .order_by(OrderLine.order_id, OrderLine.id)
        ):
            lines[row[0]].append(normal_line(row[1:]))
        for h in heads:
            found[h.erp_code] = StoredOrder(
                h.id,
                h.customer_id,
                h.order_date,
                h.rep_id,
                Decimal(h.total).quantize(CENTS),
                lines[h.id],
            )
    return found


def normal_line(line: Any) -> tuple[Any, ...]:
    """A line with its numbers at the columns' scales, so equal lines compare equal."""
    code, name, category, quantity, price, total = line
    return (
        code,
        name,
        category,
        Decimal(quantity).quantize(QTY),
        Decimal(price).quantize(PRICE),
        Decimal(total).quantize(CENTS),
    )


def resolve_lines(order: OrderIn, old: StoredOrder | None) -> list[tuple[Any, ...]]:
    """Fill each line's blank description, category and total from the stored line it replaces."""
    pool: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for line in old.lines if old else ():
        pool[line[0]].append(line)
    resolved = []
    for given in order.lines:
        code, quantity, price = given["product_code"], given["quantity"], given["unit_price"]
        before = pool[code].pop(0) if pool[code] else None
        total = given.get("total")
        if total is None:
            same = before is not None and before[3] == quantity and before[4] == price
            total = before[5] if same and before else (quantity * price).quantize(CENTS)
        name = given.get("product_name") or (before[1] if before else code)
        category = given.get("category") or (before[2] if before else "Geral")
        resolved.append(normal_line((code, name, category, quantity, price, total)))
    return resolved


def order_total(lines: list[tuple[Any, ...]]) -> Decimal:
    """The order's total: the sum of its line totals, in cents."""
    return sum((line[5] for line in lines), Decimal("0")).quantize(CENTS)
