"""What an orders import changes, its writing in bulk, and the export in the same columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Order, OrderLine, User
from app.services.imports import values as v
from app.services.imports.base import ChangeLog, Context, Progress, chunks
from app.services.imports.orders.columns import LINE_FIELDS
from app.services.imports.orders.grouping import rep_ids
from app.services.imports.orders.lines import OrderIn, normal_line, order_total, resolve_lines
from app.services.imports.receivables import customer_ids


@dataclass
class OrderChanges:
    """New orders, changed orders (id + order) with their resolved lines, and the
    unchanged count."""

    creates: list[tuple[OrderIn, list[tuple[Any, ...]]]] = field(default_factory=list)
    updates: list[tuple[int, OrderIn, list[tuple[Any, ...]]]] = field(default_factory=list)
    unchanged: int = 0
    log: ChangeLog = field(default_factory=ChangeLog)

    @property
    def changed_rows(self) -> int:
        return len(self.updates)

    @property
    def new_rows(self) -> int:
        return len(self.creates)


def plan(orders: list[OrderIn], ctx: Context) -> OrderChanges:
    """Compare with the stored orders: new, changed (header or any line) or unchanged."""
    company_id = ctx.company_id
    # Keyed by optional ids: an order without a rep looks up None and finds no code.
    customers: dict[int | None, str] = {cid: code for code, cid in customer_ids(company_id).items()}
    reps: dict[int | None, str] = {uid: code for code, uid in rep_ids(company_id).items()}
    changes = OrderChanges()
    for order in orders:
        old = order.stored  # loaded once, when the lines were grouped
        lines = resolve_lines(order, old)
        if old is None:
            changes.creates.append((order, lines))
            continue
        fields = [
            ("customer_code", customers.get(old.customer_id), customers.get(order.customer_id))
            if old.customer_id != order.customer_id
            else None,
            ("order_date", old.order_date, order.order_date)
            if old.order_date != order.order_date
            else None,
            ("rep_code", reps.get(old.rep_id), reps.get(order.rep_id))
            if old.rep_id != order.rep_id
            else None,
            ("order_total", old.total, order_total(lines))
            if old.total != order_total(lines)
            else None,
            ("lines", _describe(old.lines, lines), _describe(lines, old.lines))
            if old.lines != lines
            else None,
        ]
        if any(fields):
            changes.updates.append((old.id, order, lines))
            changes.log.add(order.row, order.code, [f for f in fields if f])
        else:
            changes.unchanged += 1
    return changes


def _describe(lines: list[tuple[Any, ...]], other: list[tuple[Any, ...]]) -> str:
    """The lines not in `other`, as `code name qty × price`, shortened for the preview."""
    text = "; ".join(
        f"{c} {n} {v.cell_text(q)} × {v.cell_text(p)}"
        for c, n, _cat, q, p, _t in lines
        if (c, n, _cat, q, p, _t) not in other
    )
    return text if len(text) <= 160 else text[:159] + "…"


def _head(order: OrderIn, lines: list[tuple[Any, ...]], company_id: int) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "erp_code": order.code,
        "customer_id": order.customer_id,
        "order_date": order.order_date,
        "rep_id": order.rep_id,
        "total": order_total(lines),
    }


def _lines(order_id: int, lines: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(("order_id", *LINE_FIELDS), (order_id, *line), strict=True)) for line in lines]


def apply(changes: OrderChanges, ctx: Context, progress: Progress | None) -> None:
    """Insert new orders (ids by RETURNING), rewrite changed ones, insert all their
    lines in bulk."""
    company_id = ctx.company_id
    total = sum(len(lines) for _o, lines in changes.creates) + sum(
        len(lines) for *_x, lines in changes.updates
    )
    done = 0
    line_table = cast(sa.Table, OrderLine.__table__)  # declarative tables are Tables
    for batch in chunks(changes.creates, 1000):
        ids = db.session.scalars(
            sa.insert(Order).returning(Order.id, sort_by_parameter_order=True),
            [_head(o, lines, company_id) for o, lines in batch],
        ).all()
        rows = [
            line for oid, (_o, lines) in zip(ids, batch, strict=True) for line in _lines(oid, lines)
        ]
        db.session.execute(sa.insert(line_table), rows)
        done += len(rows)
        if progress:
            progress(done, total)
    for batch in chunks(changes.updates, 1000):
        ids = [oid for oid, _order, _lines in batch]
        db.session.execute(sa.delete(line_table).where(line_table.c.order_id.in_(ids)))
        db.session.execute(
            sa.update(Order),
            [{"id": oid, **_head(o, lines, company_id)} for oid, o, lines in batch],
        )
        rows = [line for oid, _o, lines in batch for line in _lines(oid, lines)]
        db.session.execute(sa.insert(line_table), rows)
        done += len(rows)
        if progress:
            progress(done, total)


def export_rows(company_id: int) -> list[list[Any]]:
    """Every order line of the company as template cells, by order code and line."""
    query = (
        sa.select(
            Order.erp_code,
            Customer.erp_code,
            Order.order_date,
            User.erp_code,
            *(getattr(OrderLine, f) for f in LINE_FIELDS),
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Customer, Customer.id == Order.customer_id)
        .outerjoin(User, User.id == Order.rep_id)
        .where(Order.company_id == company_id)
        .order_by(Order.erp_code, OrderLine.id)
    )
    return [[*row[:4], *normal_line(row[4:])] for row in db.session.execute(query)]
