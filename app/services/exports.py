"""Any list as CSV (Excel-friendly in pt-BR) or XLSX (openpyxl, native types).

Every text cell is made inert for spreadsheets (``app.services.cell_safety``): no
control characters (one of them used to make openpyxl refuse the whole workbook), and
text that a spreadsheet would run as a formula is marked as text. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.services.cell_safety import clean_text, defuse, looks_like_formula

Cell = str | int | float | Decimal | date | datetime | None
CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value: Cell, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%d/%m/%Y %H:%M") if decimal_comma else value.isoformat(" ", "minutes")
        )
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if decimal_comma else value.isoformat()
    if isinstance(value, Decimal) and value.as_tuple().exponent < -2:  # type: ignore[operator]
        text = format(value, "f")  # quantities, unit prices, coordinates: every digit given
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, float | Decimal):
        text = f"{value:.2f}"
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, str):
        return defuse(value)
    return str(value)


def to_csv(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    decimal_comma: bool = True,
    bom: bool = True,
) -> bytes:
    """CSV in pt-BR style (`;`, decimal comma, dd/mm/yyyy) unless told otherwise; a BOM unless
    `bom=False`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v, decimal_comma) for v in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _xlsx_cell(value: Cell) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def to_xlsx(
    headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, sheet: str = "Lista"
) -> bytes:
    """An XLSX workbook with one sheet: bold frozen header, dates and numbers as such."""
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = [len(h) for h in headers]
    for row in rows:
        ws.append([_xlsx_cell(v) for v in row])
        for i, v in enumerate(row):
            widths[i] = max(widths[i], min(len(str(v)) if v is not None else 0, 60))
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, str) and looks_like_formula(cell.value):
                _as_text(cell)
            elif isinstance(cell.value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width + 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _as_text(cell: SheetCell) -> None:
    """Keep a formula-like text as text: a string cell with Excel's quote prefix.

    openpyxl turns any string starting with `=` into a formula; a string-typed cell is
    never evaluated, and ``quotePrefix`` is how Excel itself stores a typed `'=...` (the
    value reads back unchanged, so an export imports back as no change).
    """
    cell.data_type = "s"
    cell.quotePrefix = True
