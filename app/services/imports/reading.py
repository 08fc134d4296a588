"""Read a CSV or XLSX upload into rows of cells, whatever the delimiter and encoding."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

DELIMITERS = (";", ",", "\t", "|")
XLSX_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 20


class UnreadableFile(ValueError):
    """The file is neither a readable CSV nor an XLSX workbook."""


@dataclass
class Table:
    """Header cells and a way to read the data rows; `first_row` is the sheet row of the first.

    The rows are read from the upload each time they are walked, never kept as a list:
    a 20 MB file is 20 MB of bytes, not a few hundred MB of Python lists and strings.
    """

    headers: list[str]
    read_rows: Callable[[], Iterator[list[Any]]]
    first_row: int = 2
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    def numbered(self) -> Iterator[tuple[int, list[Any]]]:
        """Data rows with the row number a spreadsheet user sees, skipping blank lines."""
        for offset, row in enumerate(self.read_rows()):
            if any(cell is not None and str(cell).strip() for cell in row):
                yield self.first_row + offset, row


def decode(raw: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    encoding = detect_encoding(raw)
    return raw.decode(encoding), encoding


def detect_encoding(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, else Latin-1: checked chunk by chunk."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            view = memoryview(raw)
            for start in range(0, len(raw), CHUNK):
                decoder.decode(view[start : start + CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def sniff_delimiter(sample: str) -> str:
    """Pick the delimiter that splits the header line into the most columns."""
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(raw: bytes) -> Table:
    """Parse CSV bytes into a Table whose rows stream from the bytes."""
    encoding = detect_encoding(raw)
    delimiter = sniff_delimiter(raw[:8192].decode(encoding, errors="ignore"))

    def rows() -> Any:  # a csv reader (an iterator of rows with `line_num`)
        text = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
        return csv.reader(text, delimiter=delimiter)

    try:
        headers = next(rows(), None)
    except csv.Error as exc:
        raise UnreadableFile(_l("The file is not a CSV or XLSX spreadsheet.")) from exc
    if headers is None:
        raise UnreadableFile(_l("The file is empty."))

    def data_rows() -> Iterator[list[str]]:
        reader = rows()
        next(reader, None)
        try:
            yield from reader
        except csv.Error as exc:  # a NUL byte, an unclosed quote running past the field limit
            raise UnreadableFile(
                _l(
                    "The file could not be read after row %(row)s: %(reason)s",
                    row=reader.line_num,
                    reason=str(exc),
                )
            ) from exc

    return Table(headers=headers, read_rows=data_rows, encoding=encoding, delimiter=delimiter)


def read_xlsx(raw: bytes) -> Table:
    """Parse the first sheet of an XLSX workbook (read-only mode, values only, streamed)."""
    from openpyxl import load_workbook

    def rows() -> Generator[list[Any], None, None]:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            book.close()

    reader = rows()
    try:
        first = next(reader, None)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise UnreadableFile(_l("The spreadsheet could not be opened.")) from exc
    finally:
        reader.close()
    if first is None:
        raise UnreadableFile(_l("The file is empty."))
    headers = ["" if h is None else str(h) for h in first]

    def data_rows() -> Iterator[list[Any]]:
        reader = rows()
        next(reader, None)
        yield from reader

    return Table(headers=headers, read_rows=data_rows)


def read_table(raw: bytes, filename: str) -> Table:
    """Read an upload by content: XLSX when it is a zip, CSV otherwise."""
    if raw.startswith(XLSX_MAGIC) or Path(filename).suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(raw)
    if b"\x00" in raw[:4096]:
        raise UnreadableFile(_l("The file is not a CSV or XLSX spreadsheet."))
    return read_csv(raw)
