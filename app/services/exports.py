"""Any list as CSV (Excel-friendly in pt-BR) or XLSX (openpyxl, native types)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | Decimal | date | datetime | None
CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value: Cell, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if decimal_comma else value.isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if decimal_comma else value.isoformat()
    if isinstance(value, float | Decimal):
        text = f"{value:.2f}"
        return text.replace(".", ",") if decimal_comma else text
    return str(value)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, decimal_comma: bool = True) -> bytes:
    """CSV with a BOM; pt-BR style (`;`, decimal comma, dd/mm/yyyy) unless told otherwise."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v, decimal_comma) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_cell(value: Cell) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, sheet: str = "Lista") -> bytes:
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
            if isinstance(cell.value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width + 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
