"""Downloadable templates: the pt-BR headers of a kind plus one example row."""

from __future__ import annotations

import csv
import io

from app.services.imports import columns_of


def template_csv(kind: str) -> bytes:
    """A `;`-separated UTF-8 (with BOM, so Excel opens it right) template."""
    cols = columns_of(kind)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in cols])
    writer.writerow([c.example for c in cols])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """The same template as an XLSX workbook."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind)
    cols = columns_of(kind)
    sheet.append([c.header for c in cols])
    sheet.append([c.example for c in cols])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
