"""Receivables (títulos) import: upsert by invoice code."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Customer, Receivable
from app.services.imports import values as v
from app.services.imports.base import (
    Column,
    Context,
    Problem,
    Progress,
    Record,
    duplicates,
    require_new,
    resolve,
)
from app.services.imports.flat import Changes, diff, write


def _amount(value: Any) -> Any:
    return v.amount(value, 2, positive=True)


COLUMNS: tuple[Column, ...] = (
    Column(
        "erp_code",
        "Título",
        aliases=("código do título", "codigo titulo", "documento", "nota", "code"),
        identity=True,
        required=True,
        max_length=60,
        example="T000123-1",
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
        "issue_date",
        "Emissão",
        parse=v.day,
        aliases=("data de emissão", "emissao", "issue date"),
        required=True,
        example="01/11/2026",
        api="date",
    ),
    Column(
        "due_date",
        "Vencimento",
        parse=v.day,
        aliases=("data de vencimento", "due date"),
        required=True,
        example="01/12/2026",
        api="date",
    ),
    Column(
        "amount",
        "Valor",
        parse=_amount,
        aliases=("valor do título", "amount"),
        required=True,
        example="1.234,56",
        api="number",
    ),
    # Cleared, the receivable is open again (a payment reversed).
    Column(
        "paid_date",
        "Pagamento",
        parse=v.day,
        aliases=("data de pagamento", "pago em", "paid date"),
        clearable=True,
        example="",
        api="date",
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}
FIELDS = ("customer_id", "issue_date", "due_date", "amount", "paid_date")


def customer_ids(company_id: int) -> dict[str, int]:
    """ERP code to id of every customer of the company (one query)."""
    query = sa.select(Customer.erp_code, Customer.id).where(Customer.company_id == company_id)
    return {code: cid for code, cid in db.session.execute(query)}


def _stored(company_id: int) -> dict[str, dict[str, Any]]:
    cols = [getattr(Receivable, f) for f in (*FIELDS, "id", "erp_code")]
    return {
        row.erp_code: row._asdict()
        for row in db.session.execute(sa.select(*cols).where(Receivable.company_id == company_id))
    }


def validate(records: list[Record], ctx: Context) -> list[Problem]:
    """Unique codes, known customers, complete new receivables, due date not before issue."""
    company_id, filename = ctx.company_id, ctx.filename
    problems = duplicates(records, "erp_code", "Título", filename)
    customers = customer_ids(company_id)
    stored = _stored(company_id)
    require_new(
        records,
        COLUMNS,
        ctx.present,
        lambda r: r.values.get("erp_code") not in stored,
        filename,
        problems,
    )
    for rec in records:
        code = rec.values.pop("customer_code", None)
        if code is not None:
            rec.values["customer_id"] = customers.get(code)
            if rec.values["customer_id"] is None:
                problems.append(
                    Problem(
                        rec.row,
                        "Código do cliente",
                        _("Unknown customer %(code)s.", code=code),
                        filename,
                    )
                )
        old = stored.get(rec.values.get("erp_code", ""), {})
        issued = rec.values.get("issue_date") or old.get("issue_date")
        due = rec.values.get("due_date") or old.get("due_date")
        if issued and due and due < issued:
            problems.append(
                Problem(rec.row, "Vencimento", _("Due date is before the issue date."), filename)
            )
    return problems


def plan(records: list[Record], ctx: Context) -> Changes:
    """Split the rows into inserts, updates and unchanged rows."""
    company_id = ctx.company_id
    stored = _stored(company_id)
    codes = {cid: code for code, cid in customer_ids(company_id).items()}
    changes = Changes(count_only=ctx.dry_run)

    def show(name: str, value: Any) -> tuple[str, Any] | None:
        if name == "customer_id":
            return "customer_code", codes.get(value)
        return (name, BY_KEY[name].show(value)) if name in BY_KEY else None

    for rec in records:
        wanted = {
            k: (val if k == "customer_id" else resolve(BY_KEY[k], val))
            for k, val in rec.values.items()
            if k in FIELDS
        }
        old = stored.get(rec.values["erp_code"])
        if old is None:
            changes.create({"company_id": company_id, "erp_code": rec.values["erp_code"], **wanted})
        elif changed := diff(old, wanted):
            changes.update(rec.row, old["erp_code"], old, changed, show)
        else:
            changes.unchanged += 1
    return changes


def apply(changes: Changes, ctx: Context, progress: Progress | None) -> None:
    """Write the planned changes."""
    write(Receivable, changes, progress)


def export_rows(company_id: int) -> list[list[Any]]:
    """Every receivable of the company as template cells, by code."""
    query = (
        sa.select(
            Receivable.erp_code,
            Customer.erp_code.label("customer_code"),
            Receivable.issue_date,
            Receivable.due_date,
            Receivable.amount,
            Receivable.paid_date,
        )
        .join(Customer, Customer.id == Receivable.customer_id)
        .where(Receivable.company_id == company_id)
        .order_by(Receivable.erp_code)
    )
    return [
        [BY_KEY[c.key].show(value) for c, value in zip(COLUMNS, row, strict=True)]
        for row in db.session.execute(query)
    ]
