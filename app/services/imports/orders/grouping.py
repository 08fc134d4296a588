"""Rows into orders: lines grouped by order code, each order with one customer and date."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import User
from app.services.imports import values as v
from app.services.imports.base import Context, Problem, Record
from app.services.imports.orders.columns import BY_KEY, HEAD_REQUIRED, LINE_FIELDS, LINE_REQUIRED
from app.services.imports.orders.lines import (
    OrderIn,
    StoredOrder,
    order_total,
    resolve_lines,
    stored_orders,
)
from app.services.imports.receivables import customer_ids


def rep_ids(company_id: int) -> dict[str, int]:
    """The company's rep codes and the users that hold them."""
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
    reps = rep_ids(company_id)
    stored = stored_orders(
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
        lines = resolve_lines(order, order.stored)
        for line in lines:
            v.in_column(line[5], 14, 2)
        v.in_column(order_total(lines), 14, 2)
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
