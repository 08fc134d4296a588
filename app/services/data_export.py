"""Company data out in the import templates' own columns, and the day's plans for other systems.

``export_kind`` writes customers, users (with work profiles), orders or receivables with
the template's columns and cell formats, so importing the file back changes nothing.
``plans_csv`` writes one row per planned visit and per dropped candidate of a date.
Both go through the one export writer (``app.services.exports``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Plan, PlanStop, StopKind, User
from app.services import exports
from app.services.imports import (
    KINDS,
    columns_of,
    customers,
    orders,
    receivables,
    users,
)

FORMATS = ("csv", "xlsx")
PLAN_HEADER = (
    "rep_email",
    "rep_code",
    "position",
    "customer_code",
    "arrival",
    "departure",
    "dropped_reason",
)
_ROWS = {
    "customers": customers.export_rows,
    "users": users.export_rows,
    "orders": orders.export_rows,
    "receivables": receivables.export_rows,
}
SHEETS = {
    "customers": "clientes",
    "users": "usuarios",
    "orders": "pedidos",
    "receivables": "titulos",
}


def table(*, kind: str, company_id: int, keys: bool = False) -> tuple[list[str], list[list[Any]]]:
    """The header (pt-BR headers, or field keys) and the rows of a kind, as template cells."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    header = [c.key if keys else c.header for c in columns_of(kind)]
    return header, _ROWS[kind](company_id)


def export_kind(*, kind: str, company_id: int, fmt: str = "csv", keys: bool = False) -> bytes:
    """A file of a kind that the import reads back as no change (CSV `;` pt-BR, or XLSX)."""
    header, rows = table(kind=kind, company_id=company_id, keys=keys)
    if fmt == "xlsx":
        return exports.to_xlsx(header, rows, sheet=SHEETS[kind])
    return exports.to_csv(header, rows)


def _clock(seconds: int | None) -> str:
    """Seconds since local midnight as `HH:MM`."""
    if seconds is None:
        return ""
    minutes = int(seconds) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def plan_rows(*, company_id: int, day: date) -> list[list[Any]]:
    """One row per visit (in route order) and per dropped candidate of every plan of the date."""
    plans = db.session.execute(
        sa.select(Plan, User.email, User.erp_code)
        .join(User, User.id == Plan.user_id)
        .where(Plan.company_id == company_id, Plan.plan_date == day)
        .order_by(User.email)
    ).all()
    plan_ids = [plan.id for plan, _email, _code in plans]
    stops: dict[int, list[tuple[int, int, str]]] = {pid: [] for pid in plan_ids}
    if plan_ids:
        for plan_id, arrival, departure, code in db.session.execute(
            sa.select(PlanStop.plan_id, PlanStop.arrival_s, PlanStop.departure_s, Customer.erp_code)
            .join(Customer, Customer.id == PlanStop.customer_id)
            .where(PlanStop.plan_id.in_(plan_ids), PlanStop.kind == StopKind.VISIT)
            .order_by(PlanStop.plan_id, PlanStop.seq)
        ):
            stops[plan_id].append((arrival, departure, code))
    dropped_ids = {d.get("customer_id") for plan, _e, _c in plans for d in plan.dropped or ()}
    codes = (
        dict(
            db.session.execute(
                sa.select(Customer.id, Customer.erp_code).where(
                    Customer.id.in_([i for i in dropped_ids if i])
                )
            ).all()
        )
        if dropped_ids
        else {}
    )
    rows: list[list[Any]] = []
    for plan, email, rep_code in plans:
        for position, (arrival, departure, code) in enumerate(stops[plan.id], start=1):
            rows.append(
                [email, rep_code or "", position, code, _clock(arrival), _clock(departure), ""]
            )
        for candidate in plan.dropped or ():
            rows.append(
                [
                    email,
                    rep_code or "",
                    "",
                    codes.get(candidate.get("customer_id"), ""),
                    "",
                    "",
                    candidate.get("reason") or "",
                ]
            )
    return rows


def plans_csv(*, company_id: int, day: date) -> bytes:
    """The plans of a date as a comma-separated CSV for programs (no BOM, header of keys)."""
    return exports.to_csv(
        PLAN_HEADER, plan_rows(company_id=company_id, day=day), decimal_comma=False, bom=False
    )
