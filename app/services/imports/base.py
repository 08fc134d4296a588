"""Columns, problems, change logs and results shared by every import kind.

The rules every kind follows (docs/import.md):
- a column that is absent, or a cell that is blank, keeps the stored value;
- the clear marker ``-`` in a cell (``null`` in JSON) empties a field that may be empty;
- the identity column (the code or e-mail that finds the stored row) is needed on every
  row; other required columns only on rows that create a record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from app.services.cell_safety import clean_text, undo_defuse
from app.services.imports import values as v

Progress = Callable[[int, int], None]
# Rows whose changed fields the preview lists one by one (counts per field cover every row).
PREVIEW_ROWS = 200


@dataclass(frozen=True)
class Column:
    """One importable field: canonical key, pt-BR header, accepted aliases, parser, writer."""

    key: str
    header: str
    parse: Callable[[Any], Any] = v.text
    aliases: tuple[str, ...] = ()
    # A new record needs a value (an existing one keeps its stored value when blank).
    required: bool = False
    # The code or e-mail that finds the stored record: every row needs it.
    identity: bool = False
    # The clear marker may empty the field; `cleared` is what an emptied field stores.
    clearable: bool = False
    cleared: Any = None
    max_length: int | None = None
    example: str = ""
    # JSON type in the REST API: string, number, integer, date, boolean or hours.
    api: str = "string"
    # Stored value -> cell value (export, preview); `parse` reads it back equal.
    show: Callable[[Any], Any] = v.show_text

    def names(self) -> set[str]:
        """Folded header spellings that map to this column."""
        return {v.fold(n) for n in (self.key, self.header, *self.aliases)}

    def empty(self) -> Any:
        """What an emptied field stores (a fresh copy when it is a document)."""
        return dict(self.cleared) if isinstance(self.cleared, dict) else self.cleared


@dataclass(frozen=True)
class Context:
    """Who imports what into which company, and which columns the input has."""

    company_id: int
    filename: str
    present: frozenset[str]
    actor_id: int | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class Problem:
    """Something wrong in the input, located by file, row and column."""

    row: int | None
    column: str | None
    message: str
    file: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)
class Record:
    """A parsed input row: its number and the values it gives (blank cells are absent)."""

    row: int
    values: dict[str, Any]


@dataclass(frozen=True)
class FieldChange:
    """One field of a stored record that an import changes, as cell texts."""

    key: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    """A stored record an import changes: its row, its code and each changed field."""

    row: int
    code: str
    fields: tuple[FieldChange, ...]


@dataclass
class ChangeLog:
    """Changed fields per row (the first PREVIEW_ROWS rows) and how many rows change each field."""

    rows: list[RowChange] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    more: int = 0

    def add(self, row: int, code: str, fields: Iterable[tuple[str, Any, Any]]) -> None:
        """Log a changed record; `fields` are (column key, old cell value, new cell value)."""
        changes = tuple(
            FieldChange(key, v.cell_text(old), v.cell_text(new)) for key, old, new in fields
        )
        self.counts.update(c.key for c in changes)
        if len(self.rows) < PREVIEW_ROWS:
            self.rows.append(RowChange(row, code, changes))
        else:
            self.more += 1


@dataclass
class ImportResult:
    """What an import found and did; nothing is written when there are problems."""

    kind: str
    filename: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: ChangeLog = field(default_factory=ChangeLog)
    # Each file header and the field key it feeds (None: ignored), in file order.
    columns: list[tuple[str, str | None]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    # The first row's value under each header (to help map columns).
    samples: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "fields": dict(sorted(self.changes.counts.items())),
            "changes": [
                {
                    "row": c.row,
                    "code": c.code,
                    "fields": [{"field": f.key, "old": f.old, "new": f.new} for f in c.fields],
                }
                for c in self.changes.rows
            ],
            "problems": [p.as_dict() for p in self.problems],
        }


def message_locale() -> AbstractContextManager[object]:
    """Outside a request (CLI, jobs) write messages in the default language (pt-BR)."""
    if has_request_context():
        return nullcontext()
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


@dataclass
class HeaderMatch:
    """Which file column feeds which field."""

    matched: dict[int, Column]
    assigned: list[tuple[str, str | None]]
    ignored: list[str]
    # Ignored columns the mapping does not name (a mapping step may be needed).
    unknown: list[str]


def header_map(
    headers: list[str], columns: tuple[Column, ...], mapping: Mapping[str, str | None] | None = None
) -> HeaderMatch:
    """Match file headers to columns: the mapping first (None ignores a column), then by name.

    A header the mapping does not name is matched by its folded name or an alias; a
    header matched to a field already fed by an earlier column is ignored.
    """
    by_name = {name: col for col in columns for name in col.names()}
    by_key = {col.key: col for col in columns}
    explicit = {v.fold(h): key for h, key in (mapping or {}).items()}
    matched: dict[int, Column] = {}
    assigned: list[tuple[str, str | None]] = []
    ignored: list[str] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(headers):
        header = str(raw or "").strip()
        folded = v.fold(header)
        if folded in explicit:
            key = explicit[folded]
            col = by_key.get(key) if key else None
        else:
            col = by_name.get(folded)
        if col is None or col.key in seen:
            if header:
                ignored.append(header)
                assigned.append((header, None))
                if folded not in explicit:
                    unknown.append(header)
            continue
        seen.add(col.key)
        matched[index] = col
        assigned.append((header, col.key))
    return HeaderMatch(matched, assigned, ignored, unknown)


def missing_columns(
    present: Iterable[str], columns: tuple[Column, ...], filename: str
) -> list[Problem]:
    """A problem for an identity column absent from the file (no row can be matched without it)."""
    have = set(present)
    return [
        Problem(None, c.header, _("Required column is missing."), filename)
        for c in columns
        if c.identity and c.key not in have
    ]


def parse_cells(
    raw_rows: Iterable[tuple[int, dict[str, Any]]],
    columns: tuple[Column, ...],
    filename: str,
    problems: list[Problem],
    *,
    json: bool = False,
) -> Iterator[Record]:
    """Parse each given cell, collecting every problem (never stopping).

    Blank cells (and JSON keys left out, or empty strings) are left out of the record so
    the stored value stays; `-` (in a file or JSON) or `null` in JSON becomes `values.CLEAR`.
    """
    by_key = {c.key: c for c in columns}
    for row, cells in raw_rows:
        parsed: dict[str, Any] = {}
        for key, raw in cells.items():
            col = by_key.get(key)
            if col is None:
                continue
            value = _parse_one(col, raw, row, filename, problems, json)
            if value is not None:
                parsed[key] = value
        for col in columns:
            if (
                col.identity
                and col.key in cells
                and col.key not in parsed
                and not _failed(problems, row, col)
            ):
                problems.append(Problem(row, col.header, _("Required value is empty."), filename))
        yield Record(row, parsed)


def _failed(problems: list[Problem], row: int, col: Column) -> bool:
    return bool(problems) and problems[-1].row == row and problems[-1].column == col.header


def _is_clear(raw: Any, json: bool) -> bool:
    # The marker clears in JSON too, so no stored text is ever just "-" (an export of
    # it would read back as a clear).
    return (json and raw is None) or (isinstance(raw, str) and raw.strip() == v.CLEAR_MARKER)


def _at_boundary(raw: Any, json: bool) -> Any:
    """A cell as it enters: no control characters; a file's cell without our export's quote."""
    if isinstance(raw, str):
        raw = clean_text(raw)
        return raw if json else undo_defuse(raw)
    return raw


def _parse_one(
    col: Column, raw: Any, row: int, filename: str, problems: list[Problem], json: bool
) -> Any:
    """The parsed value, CLEAR, or None when the cell keeps the stored value or is wrong."""
    raw = _at_boundary(raw, json)
    if _is_clear(raw, json):
        if col.clearable:
            return v.CLEAR
        message = (
            _("This field cannot be null; leave it out to keep the stored value.")
            if json
            else _("This field cannot be cleared; leave the cell blank to keep the stored value.")
        )
        problems.append(Problem(row, col.header, message, filename))
        return None
    if v.is_blank(raw):
        return None
    try:
        value = col.parse(raw)
    except (v.CellError, ArithmeticError) as exc:
        problems.append(Problem(row, col.header, f"{exc}: {v.text(raw)[:60]}", filename))
        return None
    if col.max_length and isinstance(value, str) and len(value) > col.max_length:
        problems.append(
            Problem(
                row,
                col.header,
                _("Too long (at most %(n)s characters).", n=col.max_length),
                filename,
            )
        )
        return None
    return value


def require_new(
    records: Iterable[Record],
    columns: tuple[Column, ...],
    present: AbstractSet[str],
    is_new: Callable[[Record], bool],
    filename: str,
    problems: list[Problem],
) -> None:
    """Add a problem for each required value a new record lacks (one per absent column)."""
    needed = [c for c in columns if c.required and not c.identity]
    failed = {(p.row, p.column) for p in problems}
    absent_reported: set[str] = set()
    for rec in records:
        if not is_new(rec):
            continue
        for col in needed:
            if col.key not in present:
                if col.key not in absent_reported:
                    absent_reported.add(col.key)
                    problems.append(
                        Problem(
                            None,
                            col.header,
                            _("Required column is missing: new records need it."),
                            filename,
                        )
                    )
            elif rec.values.get(col.key) in (None, v.CLEAR) and (rec.row, col.header) not in failed:
                problems.append(
                    Problem(rec.row, col.header, _("Required for a new record."), filename)
                )


def resolve(col: Column, value: Any) -> Any:
    """The value to store for a parsed cell (CLEAR becomes the column's empty value)."""
    return col.empty() if value is v.CLEAR else value


def duplicates(records: list[Record], key: str, header: str, filename: str) -> list[Problem]:
    """A problem for each repeated key after its first row."""
    first: dict[Any, int] = {}
    problems = []
    for rec in records:
        code = rec.values.get(key)
        if code is None or code is v.CLEAR:
            continue
        if code in first:
            problems.append(
                Problem(
                    rec.row,
                    header,
                    _("Repeated code %(code)s (first on row %(row)s).", code=code, row=first[code]),
                    filename,
                )
            )
        else:
            first[code] = rec.row
    return problems


def chunks(items: list[Any], size: int = 2000) -> Iterator[list[Any]]:
    """Slices of a list, for bulk statements and IN lists of bounded size."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
