"""Import of customers, orders, receivables and users from files (CSV/XLSX) or API payloads.

Every batch is all-or-nothing: all rows are parsed and checked first; nothing is
written when any row has a problem; the writes then happen in the caller's single
transaction (services flush, the view/CLI/API commits or rolls back).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _

from app.extensions import db
from app.models import AuditLog
from app.services.imports import customers, orders, receivables, users
from app.services.imports.base import (
    Column,
    ImportResult,
    Problem,
    Progress,
    Record,
    header_map,
    message_locale,
    missing_columns,
    parse_cells,
)
from app.services.imports.reading import UnreadableFile, read_table

KINDS = ("customers", "orders", "receivables", "users")
_MODULES: dict[str, Any] = {"customers": customers, "orders": orders, "receivables": receivables, "users": users}

__all__ = ["KINDS", "Column", "ImportResult", "Problem", "columns_of", "import_file", "import_rows"]


def columns_of(kind: str) -> tuple[Column, ...]:
    """The columns of an import kind, in template order."""
    return tuple(_MODULES[kind].COLUMNS)


def import_file(
    *, kind: str, raw: bytes, filename: str, company_id: int, actor_id: int | None,
    dry_run: bool, progress: Progress | None = None,
) -> ImportResult:
    """Read a CSV/XLSX upload and import it (or only preview it with dry_run)."""
    result = ImportResult(kind=kind, filename=filename, dry_run=dry_run)
    with message_locale():
        try:
            table = read_table(raw, filename)
        except UnreadableFile as exc:
            result.problems.append(Problem(None, None, str(exc), filename))
            return result
        matched, unknown = header_map(table.headers, columns_of(kind))
        if unknown:
            result.notes.append(_("Ignored columns: %(names)s.", names=", ".join(unknown)))
    raw_rows = (
        (number, {col.key: (row[i] if i < len(row) else None) for i, col in matched.items()})
        for number, row in table.numbered()
    )
    present = {col.key for col in matched.values()}
    _run(result, raw_rows, present, company_id, actor_id, progress)
    return result


def import_rows(
    *, kind: str, rows: list[dict[str, Any]], company_id: int, actor_id: int | None,
    dry_run: bool = False, source: str = "api",
) -> ImportResult:
    """Import JSON objects keyed by column key; problems name the item index and the key."""
    result = ImportResult(kind=kind, filename=source, dry_run=dry_run)
    cols = columns_of(kind)
    keys = {c.key for c in cols}
    present = keys & {k for row in rows for k in row} if rows else set()
    raw_rows = ((i, {k: val for k, val in row.items() if k in keys}) for i, row in enumerate(rows))
    _run(result, raw_rows, present, company_id, actor_id, None)
    by_header = {c.header: c.key for c in cols}
    result.problems = [
        Problem(p.row, by_header.get(p.column or "", p.column), p.message, p.file) for p in result.problems
    ]
    return result


def _run(
    result: ImportResult, raw_rows: Iterable[tuple[int, dict[str, Any]]], present: set[str],
    company_id: int, actor_id: int | None, progress: Progress | None,
) -> None:
    """Parse, validate, then (unless there is any problem) plan and write."""
    with message_locale():
        _checked_run(result, raw_rows, present, company_id, actor_id, progress)


def _checked_run(
    result: ImportResult, raw_rows: Iterable[tuple[int, dict[str, Any]]], present: set[str],
    company_id: int, actor_id: int | None, progress: Progress | None,
) -> None:
    module = _MODULES[result.kind]
    cols = columns_of(result.kind)
    result.problems += missing_columns(present, cols, result.filename)
    records: list[Record] = list(parse_cells(raw_rows, cols, result.filename, result.problems, present))
    result.rows = len(records)
    if result.kind == "orders":
        grouped, problems = orders.group(records, company_id, result.filename)
        result.problems += problems
        plan_args: tuple[Any, ...] = (grouped, company_id)
    else:
        result.problems += module.validate(records, company_id, result.filename)
        plan_args = (records, present, company_id, result.dry_run)
    if result.problems:
        return
    changes = module.plan(*plan_args)
    result.created, result.updated, result.unchanged = (
        len(changes.creates), len(changes.updates), changes.unchanged
    )
    if result.dry_run:
        return
    module.apply(changes, company_id, progress)
    db.session.add(AuditLog(
        company_id=company_id, actor_id=actor_id, action=f"import.{result.kind}",
        target=result.filename[:120],
        details={"rows": result.rows, "created": result.created, "updated": result.updated,
                 "unchanged": result.unchanged},
    ))
    db.session.flush()
