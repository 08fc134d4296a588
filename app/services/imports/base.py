"""Columns, problems and results shared by every import kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from app.services.imports import values as v

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Column:
    """One importable field: canonical key, pt-BR header, accepted aliases, parser."""

    key: str
    header: str
    parse: Callable[[Any], Any] = v.text
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None
    example: str = ""
    # JSON type in the REST API: string, number, integer, date or boolean.
    api: str = "string"

    def names(self) -> set[str]:
        """Folded header spellings that map to this column."""
        return {v.fold(n) for n in (self.key, self.header, *self.aliases)}


@dataclass(frozen=True)
class Problem:
    """Something wrong in the input, located by file, row and column."""

    row: int | None
    column: str | None
    message: str
    file: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Record:
    """A parsed input row: its number in the file and its values by column key."""

    row: int
    values: dict[str, Any]


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
            "problems": [p.as_dict() for p in self.problems],
        }


def message_locale() -> AbstractContextManager[object]:
    """Outside a request (CLI, jobs) write messages in the default language (pt-BR)."""
    if has_request_context():
        return nullcontext()
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def header_map(headers: list[str], columns: tuple[Column, ...]) -> tuple[dict[int, Column], list[str]]:
    """Match file headers to columns by folded name; return the matches and unknown headers."""
    by_name = {name: col for col in columns for name in col.names()}
    matched: dict[int, Column] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for index, header in enumerate(headers):
        col = by_name.get(v.fold(str(header or "")))
        if col is None or col.key in seen:
            if str(header or "").strip():
                unknown.append(str(header))
            continue
        seen.add(col.key)
        matched[index] = col
    return matched, unknown


def missing_columns(present: Iterable[str], columns: tuple[Column, ...], filename: str) -> list[Problem]:
    """A problem for every required column absent from the file."""
    have = set(present)
    return [
        Problem(None, c.header, _("Required column is missing."), filename)
        for c in columns
        if c.required and c.key not in have
    ]


def parse_cells(
    raw_rows: Iterable[tuple[int, dict[str, Any]]],
    columns: tuple[Column, ...],
    filename: str,
    problems: list[Problem],
    present: set[str],
) -> Iterator[Record]:
    """Parse each cell with its column's parser, collecting every problem (never stopping)."""
    by_key = {c.key: c for c in columns}
    for row, cells in raw_rows:
        parsed: dict[str, Any] = {}
        for key, raw in cells.items():
            col = by_key.get(key)
            if col is None:
                continue
            parsed[key] = _parse_one(col, raw, row, filename, problems)
        for col in columns:
            if col.required and col.key in present and parsed.get(col.key) is None and not _failed(problems, row, col):
                problems.append(Problem(row, col.header, _("Required value is empty."), filename))
        yield Record(row, parsed)


def _failed(problems: list[Problem], row: int, col: Column) -> bool:
    return bool(problems) and problems[-1].row == row and problems[-1].column == col.header


def _parse_one(col: Column, raw: Any, row: int, filename: str, problems: list[Problem]) -> Any:
    if v.is_blank(raw):
        return None
    if isinstance(raw, str) and "\x00" in raw:
        problems.append(Problem(row, col.header, _("Invalid character in the value."), filename))
        return None
    try:
        value = col.parse(raw)
    except (v.CellError, ArithmeticError) as exc:
        problems.append(Problem(row, col.header, f"{exc}: {v.text(raw)[:60]}", filename))
        return None
    if col.max_length and isinstance(value, str) and len(value) > col.max_length:
        problems.append(
            Problem(row, col.header, _("Too long (at most %(n)s characters).", n=col.max_length), filename)
        )
        return None
    return value


def duplicates(records: list[Record], key: str, header: str, filename: str) -> list[Problem]:
    """A problem for each repeated key after its first row."""
    first: dict[Any, int] = {}
    problems = []
    for rec in records:
        code = rec.values.get(key)
        if code is None:
            continue
        if code in first:
            problems.append(
                Problem(rec.row, header, _("Repeated code %(code)s (first on row %(row)s).",
                                           code=code, row=first[code]), filename)
            )
        else:
            first[code] = rec.row
    return problems


def chunks(items: list[Any], size: int = 2000) -> Iterator[list[Any]]:
    """Slices of a list, for bulk statements and IN lists of bounded size."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
