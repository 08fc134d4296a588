"""Orders import: one row per order line, lines grouped by order code; upsert by order code.

An order is written whole: its lines in the file replace its stored lines. A blank
customer, date or rep keeps the stored order's; a blank description, category or line
total keeps the stored line's (the line with the same product code, in order), the total
only while quantity and price are unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Customer, Order, OrderLine, User
from app.services.imports import values as v
from app.services.imports.base import (
    ChangeLog,
    Column,
    Context,
    Problem,
    Progress,
    Record,
    chunks,
)
from app.services.imports.receivables import customer_ids

CENTS, QTY, PRICE = Decimal("0.01"), Decimal("0.001"), Decimal("0.0001")


def _quantity(value: Any) -> Decimal:
    number = v.in_column(v.decimal(value), 14, 3)
    if number <= 0:
        raise v.CellError(_l("must be greater than zero"))
    return number


def _price(value: Any) -> Decimal:
    number = v.in_column(v.decimal(value), 14, 4)
    if number < 0:
        raise v.CellError(_l("must not be negative"))
    return number


def _total(value: Any) -> Decimal:
    number = v.in_column(v.decimal(value), 14, 2)
    if number < 0:
        raise v.CellError(_l("must not be negative"))
    return number


COLUMNS: tuple[Column, ...] = (
    Column(
        "order_code",
        "Pedido",
        aliases=("número do pedido", "numero pedido", "código do pedido", "order code"),
        identity=True,
        required=True,
        max_length=60,
        example="P000981",
    ),
    Column(
        "customer_code",
        "Código do cliente",
        aliases=("cliente", "cod cliente", "customer code"),
        required=True,
        max_length=60,
        example="C00123",
    ),
    Column(
        "order_date",
        "Data",
        parse=v.day,
        aliases=("data do pedido", "emissão", "emissao", "order date"),
        required=True,
        example="23/11/2026",
        api="date",
    ),
    Column(
        "rep_code",
        "Representante",
        aliases=("código do representante", "vendedor", "cod vendedor", "rep code"),
        max_length=60,
        clearable=True,
        example="R010",
    ),
    Column(
        "product_code",
        "Código do produto",
        aliases=("produto", "sku", "cod produto", "product code"),
        required=True,
        max_length=60,
        example="7891000100103",
    ),
    Column(
        "product_name",
        "Descrição",
        aliases=("descrição do produto", "descricao", "nome do produto", "product name"),
        max_length=200,
        example="Refrigerante 2 L",
    ),
    Column(
        "category",
        "Categoria",
        aliases=("grupo", "família", "familia", "category"),
        max_length=80,
        example="Bebidas",
    ),
    Column(
        "quantity",
        "Quantidade",
        parse=_quantity,
        aliases=("qtd", "qtde", "quantity"),
        required=True,
        example="12",
        api="number",
    ),
    Column(
        "unit_price",
        "Preço unitário",
        parse=_price,
        aliases=("preço", "preco", "valor unitário", "valor unitario", "unit price"),
        required=True,
        example="7,49",
        api="number",
    ),
    Column(
        "total",
        "Total do item",
        parse=_total,
        aliases=("valor total", "total", "line total"),
        example="89,88",
        api="number",
    ),
)

LINE_FIELDS = ("product_code", "product_name", "category", "quantity", "unit_price", "total")
# Every line needs these (a line is replaced whole); customer and date only a new order.
LINE_REQUIRED = ("product_code", "quantity", "unit_price")
HEAD_REQUIRED = ("customer_code", "order_date")
BY_KEY = {c.key: c for c in COLUMNS}


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


def _reps(company_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(User.erp_code, User.id).where(
            User.company_id == company_id, User.erp_code.is_not(None)
        )
    )
    return {code: uid for code, uid in rows if code is not None}


def _missing(
    records: list[Record], present: AbstractSet[str], filename: str, prior: list[Problem]
) -> list[Problem]:
    """Line values every row needs (a file-level problem when the whole column is absent)."""
    problems = [
        Problem(None, BY_KEY[k].header, _("Required column is missing."), filename)
        for k in LINE_REQUIRED
        if k not in present
    ]
    failed = {(p.row, p.column) for p in prior}
    for rec in records:
        for key in LINE_REQUIRED:
            if (
                key in present
                and key not in rec.values
                and (rec.row, BY_KEY[key].header) not in failed
            ):
                problems.append(
                    Problem(rec.row, BY_KEY[key].header, _("Required value is empty."), filename)
                )
    return problems


def group(
    records: list[Record], ctx: Context, prior: list[Problem]
) -> tuple[list[OrderIn], list[Problem]]:
    """Group lines by order code; each order has one customer and one date.

    Rows with a problem already (`prior`) are left out of the orders.
    """
    company_id, filename, present = ctx.company_id, ctx.filename, ctx.present
    customers = customer_ids(company_id)
    reps = _reps(company_id)
    stored = _stored(
        [r.values["order_code"] for r in records if "order_code" in r.values], company_id
    )
    orders: dict[str, OrderIn] = {}
    problems = _missing(records, present, filename, prior)
    incomplete = {p.row for p in (*prior, *problems)}
    for rec in records:
        values = rec.values
        if "order_code" not in values or rec.row in incomplete:
            continue
        old = stored.get(values["order_code"])
        cust = _customer(
            values, customers, old, "customer_code" in present, (rec.row, filename), problems
        )
        day = values.get("order_date", old.order_date if old else None)
        rep = _rep(values, reps, old, rec.row, filename, problems)
        order = orders.get(values["order_code"])
        if order is None:
            if day is None and "order_date" in present:
                problems.append(Problem(rec.row, "Data", _("Required for a new record."), filename))
            order = orders[values["order_code"]] = OrderIn(
                values["order_code"], rec.row, cust, day, rep, stored=old
            )
        elif ("customer_code" in values and order.customer_id != cust) or (
            "order_date" in values and order.order_date != day
        ):
            problems.append(
                Problem(
                    rec.row,
                    "Pedido",
                    _(
                        "Order %(code)s has another customer or date on row %(row)s.",
                        code=order.code,
                        row=order.row,
                    ),
                    filename,
                )
            )
        order.lines.append({k: values[k] for k in LINE_FIELDS if k in values})
    problems += [
        Problem(
            None, BY_KEY[k].header, _("Required column is missing: new records need it."), filename
        )
        for k in HEAD_REQUIRED
        if k not in present and any(o.code not in stored for o in orders.values())
    ]
    if not problems:
        problems += [p for order in orders.values() for p in _beyond_columns(order, filename)]
    return list(orders.values()), problems


def _beyond_columns(order: OrderIn, filename: str) -> list[Problem]:
    """A problem when a computed line total (quantity × price) or the order total cannot be stored.

    Each cell fits its column, but their products and sums may not fit NUMERIC(14, 2).
    """
    try:
        lines = _resolve_lines(order, order.stored)
        for line in lines:
            v.in_column(line[5], 14, 2)
        v.in_column(_sum(lines), 14, 2)
    except v.CellError:
        return [
            Problem(
                order.row,
                BY_KEY["total"].header,
                _(
                    "The total of order %(code)s is too large to store; check the quantities "
                    "and prices.",
                    code=order.code,
                ),
                filename,
            )
        ]
    return []


def _customer(
    values: dict[str, Any],
    customers: dict[str, int],
    old: StoredOrder | None,
    in_file: bool,
    where: tuple[int, str],
    problems: list[Problem],
) -> int | None:
    row, filename = where
    code = values.get("customer_code")
    if code is None:
        if old is None and in_file:
            problems.append(
                Problem(row, "Código do cliente", _("Required for a new record."), filename)
            )
        return old.customer_id if old else None
    cust = customers.get(code)
    if cust is None:
        problems.append(
            Problem(row, "Código do cliente", _("Unknown customer %(code)s.", code=code), filename)
        )
    return cust


def _rep(
    values: dict[str, Any],
    reps: dict[str, int],
    old: StoredOrder | None,
    row: int,
    filename: str,
    problems: list[Problem],
) -> int | None:
    rep = values.get("rep_code")
    if rep is None:
        return old.rep_id if old else None
    if rep is v.CLEAR:
        return None
    if rep not in reps:
        problems.append(
            Problem(row, "Representante", _("Unknown rep code %(code)s.", code=rep), filename)
        )
    return reps.get(rep)


def _stored(codes: list[str], company_id: int) -> dict[str, StoredOrder]:
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
            lines[row[0]].append(_normal(row[1:]))
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


def _normal(line: Any) -> tuple[Any, ...]:
    code, name, category, quantity, price, total = line
    return (
        code,
        name,
        category,
        Decimal(quantity).quantize(QTY),
        Decimal(price).quantize(PRICE),
        Decimal(total).quantize(CENTS),
    )


def _resolve_lines(order: OrderIn, old: StoredOrder | None) -> list[tuple[Any, ...]]:
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
        resolved.append(_normal((code, name, category, quantity, price, total)))
    return resolved


def _sum(lines: list[tuple[Any, ...]]) -> Decimal:
    return sum((line[5] for line in lines), Decimal("0")).quantize(CENTS)


def plan(orders: list[OrderIn], ctx: Context) -> OrderChanges:
    """Compare with the stored orders: new, changed (header or any line) or unchanged."""
    company_id = ctx.company_id
    # Keyed by optional ids: an order without a rep looks up None and finds no code.
    customers: dict[int | None, str] = {cid: code for code, cid in customer_ids(company_id).items()}
    reps: dict[int | None, str] = {uid: code for code, uid in _reps(company_id).items()}
    changes = OrderChanges()
    for order in orders:
        old = order.stored  # loaded once, when the lines were grouped
        lines = _resolve_lines(order, old)
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
            ("order_total", old.total, _sum(lines)) if old.total != _sum(lines) else None,
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
        "total": _sum(lines),
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
    return [[*row[:4], *_normal(row[4:])] for row in db.session.execute(query)]
