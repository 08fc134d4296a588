"""Read a CSV or XLSX upload into rows of cells, whatever the delimiter and encoding."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

DELIMITERS = (";", ",", "\t", "|")
XLSX_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file is neither a readable CSV nor an XLSX workbook."""


@dataclass
class Table:
    """Header cells and data rows; `first_row` is the sheet row number of rows[0]."""

    headers: list[str]
    rows: list[list[Any]]
    first_row: int = 2
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    def numbered(self) -> Iterator[tuple[int, list[Any]]]:
        """Data rows with the row number a spreadsheet user sees, skipping blank lines."""
        for offset, row in enumerate(self.rows):
            if any(cell is not None and str(cell).strip() for cell in row):
                yield self.first_row + offset, row


def decode(raw: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(sample: str) -> str:
    """Pick the delimiter that splits the header line into the most columns."""
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(raw: bytes) -> Table:
    """Parse CSV bytes into a Table."""
    content, encoding = decode(raw)
    delimiter = sniff_delimiter(content[:8192])
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        raise UnreadableFile(_l("The file is empty."))
    return Table(headers=rows[0], rows=rows[1:], encoding=encoding, delimiter=delimiter)


def read_xlsx(raw: bytes) -> Table:
    """Parse the first sheet of an XLSX workbook (read-only mode, values only)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise UnreadableFile(_l("The spreadsheet could not be opened.")) from exc
    try:
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows:
        raise UnreadableFile(_l("The file is empty."))
    headers = ["" if h is None else str(h) for h in rows[0]]
    return Table(headers=headers, rows=rows[1:])


def read_table(raw: bytes, filename: str) -> Table:
    """Read an upload by content: XLSX when it is a zip, CSV otherwise."""
    if raw.startswith(XLSX_MAGIC) or Path(filename).suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(raw)
    if b"\x00" in raw[:4096]:
        raise UnreadableFile(_l("The file is not a CSV or XLSX spreadsheet."))
    return read_csv(raw)
