"""Receivables (títulos) import: upsert by invoice code."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Customer, Receivable
from app.services.imports import values as v
from app.services.imports.base import Column, Problem, Progress, Record, duplicates
from app.services.imports.flat import Changes, diff, write


def _amount(value: Any) -> Any:
    number = v.decimal(value).quantize(v.Decimal("0.01"))
    if number <= 0:
        raise v.CellError(_l("must be greater than zero"))
    return number


COLUMNS: tuple[Column, ...] = (
    Column("erp_code", "Título", aliases=("código do título", "codigo titulo", "documento", "nota", "code"),
           required=True, max_length=60, example="T000123-1"),
    Column("customer_code", "Código do cliente", aliases=("cliente", "cod cliente", "customer code"),
           required=True, max_length=60, example="C00123"),
    Column("issue_date", "Emissão", parse=v.day, aliases=("data de emissão", "emissao", "issue date"),
           required=True, example="01/11/2026", api="date"),
    Column("due_date", "Vencimento", parse=v.day, aliases=("data de vencimento", "due date"),
           required=True, example="01/12/2026", api="date"),
    Column("amount", "Valor", parse=_amount, aliases=("valor do título", "amount"), required=True,
           example="1.234,56", api="number"),
    Column("paid_date", "Pagamento", parse=v.day, aliases=("data de pagamento", "pago em", "paid date"),
           example="", api="date"),
)

FIELDS = ("customer_id", "issue_date", "due_date", "amount", "paid_date")


def customer_ids(company_id: int) -> dict[str, int]:
    """ERP code to id of every customer of the company (one query)."""
    query = sa.select(Customer.erp_code, Customer.id).where(Customer.company_id == company_id)
    return {code: cid for code, cid in db.session.execute(query)}


def validate(records: list[Record], company_id: int, filename: str) -> list[Problem]:
    """Unique codes, known customers, due date not before issue."""
    problems = duplicates(records, "erp_code", "Título", filename)
    customers = customer_ids(company_id)
    for rec in records:
        code = rec.values.pop("customer_code", None)
        if code is not None:
            rec.values["customer_id"] = customers.get(code)
            if rec.values["customer_id"] is None:
                problems.append(Problem(rec.row, "Código do cliente",
                                        _("Unknown customer %(code)s.", code=code), filename))
        issued, due = rec.values.get("issue_date"), rec.values.get("due_date")
        if issued and due and due < issued:
            problems.append(Problem(rec.row, "Vencimento", _("Due date is before the issue date."), filename))
    return problems


def plan(records: list[Record], present: set[str], company_id: int, dry_run: bool = False) -> Changes:
    """Split the rows into inserts, updates and unchanged rows."""
    cols = [getattr(Receivable, f) for f in (*FIELDS, "id", "erp_code")]
    stored = {
        row.erp_code: row._asdict()
        for row in db.session.execute(sa.select(*cols).where(Receivable.company_id == company_id))
    }
    keep = set(FIELDS) if "paid_date" in present else set(FIELDS) - {"paid_date"}
    changes = Changes()
    for rec in records:
        wanted = {k: rec.values.get(k) for k in keep}
        old = stored.get(rec.values["erp_code"])
        if old is None:
            changes.creates.append({"company_id": company_id, "erp_code": rec.values["erp_code"], **wanted})
        elif changed := diff(old, wanted):
            changes.updates.append({"id": old["id"], **changed})
        else:
            changes.unchanged += 1
    return changes


def apply(changes: Changes, company_id: int, progress: Progress | None) -> None:
    """Write the planned changes."""
    write(Receivable, changes, progress)
