"""Import of customers, orders, receivables and users from files (CSV/XLSX) or API payloads.

Every batch is all-or-nothing: all rows are parsed and checked first; nothing is
written when any row has a problem; the writes then happen in the caller's single
transaction (services flush, the view/CLI/API commits or rolls back).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

from app.extensions import db
from app.models import AuditLog
from app.services.imports import customers, orders, receivables, users
from app.services.imports import values as v
from app.services.imports.base import (
    Column,
    Context,
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
_MODULES: dict[str, Any] = {
    "customers": customers,
    "orders": orders,
    "receivables": receivables,
    "users": users,
}

__all__ = ["KINDS", "Column", "ImportResult", "Problem", "columns_of", "import_file", "import_rows"]


def columns_of(kind: str) -> tuple[Column, ...]:
    """The columns of an import kind, in template order."""
    return tuple(_MODULES[kind].COLUMNS)


def import_file(
    *,
    kind: str,
    raw: bytes,
    filename: str,
    company_id: int,
    actor_id: int | None,
    dry_run: bool,
    progress: Progress | None = None,
    mapping: Mapping[str, str | None] | None = None,
) -> ImportResult:
    """Read a CSV/XLSX upload and import it (or only preview it with dry_run).

    ``mapping`` names the field key each file header feeds (None: ignore the column);
    headers it does not name are matched by name (docs/import.md).
    """
    result = ImportResult(kind=kind, filename=filename, dry_run=dry_run)
    with message_locale():
        try:
            table = read_table(raw, filename)
        except UnreadableFile as exc:
            result.problems.append(Problem(None, None, str(exc), filename))
            return result
        match = header_map(table.headers, columns_of(kind), mapping)
        result.columns, result.ignored, result.unknown = (
            match.assigned,
            match.ignored,
            match.unknown,
        )
        if match.ignored:
            result.notes.append(_("Ignored columns: %(names)s.", names=", ".join(match.ignored)))
    raw_rows = (
        (number, {col.key: (row[i] if i < len(row) else None) for i, col in match.matched.items()})
        for number, row in table.numbered()
    )
    present = {col.key for col in match.matched.values()}
    try:
        result.samples = _samples(table.headers, table.numbered())
        _run(result, raw_rows, present, company_id, actor_id, progress, json=False)
    except UnreadableFile as exc:  # found while streaming the rows: nothing was written
        result.problems = [Problem(None, None, str(exc), filename)]
        result.created = result.updated = result.unchanged = 0
    return result


def _samples(headers: list[str], rows: Iterable[tuple[int, list[Any]]]) -> dict[str, str]:
    """The first row's cell under each header, as text (shown next to the column mapping)."""
    first = next(iter(rows), (0, []))[1]
    return {
        str(h).strip(): v.cell_text(first[i])[:60]
        for i, h in enumerate(headers)
        if i < len(first) and str(h or "").strip()
    }


def import_rows(
    *,
    kind: str,
    rows: list[dict[str, Any]],
    company_id: int,
    actor_id: int | None,
    dry_run: bool = False,
    source: str = "api",
) -> ImportResult:
    """Import JSON objects keyed by field key; problems name the item index and the key.

    A key left out keeps the stored value, ``null`` empties the field.
    """
    result = ImportResult(kind=kind, filename=source, dry_run=dry_run)
    cols = columns_of(kind)
    keys = {c.key for c in cols}
    present = keys & {k for row in rows for k in row} if rows else set()
    raw_rows = ((i, {k: val for k, val in row.items() if k in keys}) for i, row in enumerate(rows))
    _run(result, raw_rows, present, company_id, actor_id, None, json=True)
    by_header = {c.header: c.key for c in cols}
    result.problems = [
        Problem(p.row, by_header.get(p.column or "", p.column), p.message, p.file)
        for p in result.problems
    ]
    return result


def _run(
    result: ImportResult,
    raw_rows: Iterable[tuple[int, dict[str, Any]]],
    present: set[str],
    company_id: int,
    actor_id: int | None,
    progress: Progress | None,
    *,
    json: bool,
) -> None:
    """Parse, validate, then (unless there is any problem) plan and write."""
    ctx = Context(company_id, result.filename, frozenset(present), actor_id, result.dry_run)
    with message_locale():
        _checked_run(result, raw_rows, ctx, progress, json)


def _checked_run(
    result: ImportResult,
    raw_rows: Iterable[tuple[int, dict[str, Any]]],
    ctx: Context,
    progress: Progress | None,
    json: bool,
) -> None:
    module = _MODULES[result.kind]
    cols = columns_of(result.kind)
    result.problems += missing_columns(ctx.present, cols, result.filename)
    if result.problems:
        return
    records: list[Record] = list(
        parse_cells(raw_rows, cols, result.filename, result.problems, json=json)
    )
    result.rows = len(records)
    target: list[Any]
    if result.kind == "orders":
        target, problems = orders.group(records, ctx, result.problems)
        result.problems += problems
    else:
        target = records
        result.problems += module.validate(records, ctx)
    if result.problems:
        return
    changes = module.plan(target, ctx)
    result.created, result.updated, result.unchanged = (
        changes.new_rows,
        changes.changed_rows,
        changes.unchanged,
    )
    result.changes = changes.log
    if result.dry_run:
        return
    module.apply(changes, ctx, progress)
    db.session.add(
        AuditLog(
            company_id=ctx.company_id,
            actor_id=ctx.actor_id,
            action=f"import.{result.kind}",
            target=result.filename[:120],
            details={
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "fields": dict(sorted(changes.log.counts.items())),
            },
        )
    )
    db.session.flush()
