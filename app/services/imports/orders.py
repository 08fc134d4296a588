"""Orders import: one row per order line, lines grouped by order code; upsert by order code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Order, OrderLine, User
from app.services.imports import values as v
from app.services.imports.base import Column, Problem, Progress, Record, chunks
from app.services.imports.receivables import customer_ids

CENTS, QTY, PRICE = Decimal("0.01"), Decimal("0.001"), Decimal("0.0001")


def _quantity(value: Any) -> Decimal:
    number = v.decimal(value).quantize(QTY)
    if number <= 0:
        raise v.CellError(_l("must be greater than zero"))
    return number


def _price(value: Any) -> Decimal:
    number = v.decimal(value).quantize(PRICE)
    if number < 0:
        raise v.CellError(_l("must not be negative"))
    return number


def _total(value: Any) -> Decimal:
    return v.decimal(value).quantize(CENTS)


COLUMNS: tuple[Column, ...] = (
    Column("order_code", "Pedido", aliases=("número do pedido", "numero pedido", "código do pedido", "order code"),
           required=True, max_length=60, example="P000981"),
    Column("customer_code", "Código do cliente", aliases=("cliente", "cod cliente", "customer code"),
           required=True, max_length=60, example="C00123"),
    Column("order_date", "Data", parse=v.day, aliases=("data do pedido", "emissão", "emissao", "order date"),
           required=True, example="23/11/2026", api="date"),
    Column("rep_code", "Representante", aliases=("código do representante", "vendedor", "cod vendedor",
                                                 "rep code"), max_length=60, example="R010"),
    Column("product_code", "Código do produto", aliases=("produto", "sku", "cod produto", "product code"),
           required=True, max_length=60, example="7891000100103"),
    Column("product_name", "Descrição", aliases=("descrição do produto", "descricao", "nome do produto",
                                                 "product name"), max_length=200, example="Refrigerante 2 L"),
    Column("category", "Categoria", aliases=("grupo", "família", "familia", "category"), max_length=80,
           example="Bebidas"),
    Column("quantity", "Quantidade", parse=_quantity, aliases=("qtd", "qtde", "quantity"), required=True,
           example="12", api="number"),
    Column("unit_price", "Preço unitário", parse=_price, aliases=("preço", "preco", "valor unitário",
                                                                  "valor unitario", "unit price"),
           required=True, example="7,49", api="number"),
    Column("total", "Total do item", parse=_total, aliases=("valor total", "total", "line total"),
           example="89,88", api="number"),
)

LINE_FIELDS = ("product_code", "product_name", "category", "quantity", "unit_price", "total")


@dataclass
class OrderIn:
    """An order assembled from its lines."""

    code: str
    row: int
    customer_id: int | None
    order_date: date
    rep_id: int | None
    lines: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line[5] for line in self.lines), Decimal("0")).quantize(CENTS)


@dataclass
class OrderChanges:
    """New orders, changed orders (id + header) and the unchanged count."""

    creates: list[OrderIn] = field(default_factory=list)
    updates: list[tuple[int, OrderIn]] = field(default_factory=list)
    unchanged: int = 0


def _line(values: dict[str, Any]) -> tuple[Any, ...]:
    quantity, price = values["quantity"], values["unit_price"]
    total = values.get("total")
    if total is None:
        total = (quantity * price).quantize(CENTS)
    code = values["product_code"]
    return (code, values.get("product_name") or code, values.get("category") or "Geral", quantity, price, total)


def group(records: list[Record], company_id: int, filename: str) -> tuple[list[OrderIn], list[Problem]]:
    """Group lines by order code; each order has one customer and one date."""
    customers = customer_ids(company_id)
    reps = dict(db.session.execute(
        sa.select(User.erp_code, User.id).where(User.company_id == company_id, User.erp_code.is_not(None))
    ).all())
    orders: dict[str, OrderIn] = {}
    problems: list[Problem] = []
    for rec in records:
        values = rec.values
        if any(values.get(c.key) is None for c in COLUMNS if c.required):
            continue
        cust = customers.get(values["customer_code"])
        if cust is None:
            problems.append(Problem(rec.row, "Código do cliente",
                                    _("Unknown customer %(code)s.", code=values["customer_code"]), filename))
        rep = values.get("rep_code")
        if rep is not None and rep not in reps:
            problems.append(Problem(rec.row, "Representante", _("Unknown rep code %(code)s.", code=rep), filename))
        order = orders.get(values["order_code"])
        if order is None:
            order = orders[values["order_code"]] = OrderIn(
                values["order_code"], rec.row, cust, values["order_date"], reps.get(rep) if rep else None
            )
        elif order.customer_id != cust or order.order_date != values["order_date"]:
            problems.append(Problem(rec.row, "Pedido", _(
                "Order %(code)s has another customer or date on row %(row)s.",
                code=order.code, row=order.row), filename))
        order.lines.append(_line(values))
    return list(orders.values()), problems


def _stored(codes: list[str], company_id: int) -> dict[str, tuple[int, tuple[Any, ...]]]:
    """Existing orders with these codes: id and a comparable signature (header + lines)."""
    found: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for batch in chunks(codes, 5000):
        heads = db.session.execute(
            sa.select(Order.id, Order.erp_code, Order.customer_id, Order.order_date, Order.rep_id, Order.total)
            .where(Order.company_id == company_id, Order.erp_code.in_(batch))
        ).all()
        if not heads:
            continue
        lines: dict[int, list[tuple[Any, ...]]] = {h.id: [] for h in heads}
        for row in db.session.execute(
            sa.select(OrderLine.order_id, *(getattr(OrderLine, f) for f in LINE_FIELDS))
            .where(OrderLine.order_id.in_(list(lines)))
            .order_by(OrderLine.order_id, OrderLine.id)
        ):
            lines[row[0]].append(_normal(row[1:]))
        for h in heads:
            found[h.erp_code] = (h.id, (h.customer_id, h.order_date, h.rep_id, Decimal(h.total), *lines[h.id]))
    return found


def _normal(line: Any) -> tuple[Any, ...]:
    code, name, category, quantity, price, total = line
    return (code, name, category, Decimal(quantity).quantize(QTY), Decimal(price).quantize(PRICE),
            Decimal(total).quantize(CENTS))


def plan(orders: list[OrderIn], company_id: int) -> OrderChanges:
    """Compare with the stored orders: new, changed (header or any line) or unchanged."""
    stored = _stored([o.code for o in orders], company_id)
    changes = OrderChanges()
    for order in orders:
        signature = (order.customer_id, order.order_date, order.rep_id, order.total,
                     *(_normal(line) for line in order.lines))
        old = stored.get(order.code)
        if old is None:
            changes.creates.append(order)
        elif old[1] != signature:
            changes.updates.append((old[0], order))
        else:
            changes.unchanged += 1
    return changes


def _head(order: OrderIn, company_id: int) -> dict[str, Any]:
    return {"company_id": company_id, "erp_code": order.code, "customer_id": order.customer_id,
            "order_date": order.order_date, "rep_id": order.rep_id, "total": order.total}


def _lines(order_id: int, order: OrderIn) -> list[dict[str, Any]]:
    return [dict(zip(("order_id", *LINE_FIELDS), (order_id, *line), strict=True)) for line in order.lines]


def apply(changes: OrderChanges, company_id: int, progress: Progress | None) -> None:
    """Insert new orders (ids by RETURNING), rewrite changed ones, insert all their lines in bulk."""
    total = sum(len(o.lines) for o in changes.creates) + sum(len(o.lines) for _oid, o in changes.updates)
    done = 0
    line_table = OrderLine.__table__
    for batch in chunks(changes.creates, 1000):
        ids = db.session.scalars(
            sa.insert(Order).returning(Order.id, sort_by_parameter_order=True),
            [_head(o, company_id) for o in batch],
        ).all()
        rows = [line for oid, o in zip(ids, batch, strict=True) for line in _lines(oid, o)]
        db.session.execute(sa.insert(line_table), rows)
        done += len(rows)
        if progress:
            progress(done, total)
    for batch in chunks(changes.updates, 1000):
        ids = [oid for oid, _order in batch]
        db.session.execute(sa.delete(line_table).where(line_table.c.order_id.in_(ids)))
        db.session.execute(sa.update(Order), [{"id": oid, **_head(o, company_id)} for oid, o in batch])
        rows = [line for oid, o in batch for line in _lines(oid, o)]
        db.session.execute(sa.insert(line_table), rows)
        done += len(rows)
        if progress:
            progress(done, total)
