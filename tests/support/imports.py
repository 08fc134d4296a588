"""Builders of import files: CSV text in any delimiter/encoding, and XLSX workbooks."""

from __future__ import annotations

import csv
import io
from typing import Any

CUSTOMER_HEADER = [
    "Código",
    "Razão social",
    "Nome fantasia",
    "Segmento",
    "Bairro",
    "Cidade",
    "UF",
    "Latitude",
    "Longitude",
    "Limite de crédito",
    "Representante",
]


def customer_rows(n: int, owner: str = "R010", start: int = 1) -> list[list[str]]:
    """n valid customer rows with Brazilian numbers and accents."""
    return [
        [
            f"C{i:05d}",
            f"Açougue São João {i} Ltda",
            f"Açougue {i}",
            "açougue",
            "Tatuapé",
            "São Paulo",
            "SP",
            f"-23,{5400 + i}",
            f"-46,{5700 + i}",
            "1.234,56",
            owner,
        ]
        for i in range(start, start + n)
    ]


def csv_bytes(
    header: list[str], rows: list[list[Any]], delimiter: str = ";", encoding: str = "utf-8"
) -> bytes:
    """A CSV file as an ERP would export it (CRLF, given delimiter and encoding)."""
    lines = [delimiter.join(str(c) for c in row) for row in [header, *rows]]
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def quoted_csv(
    header: list[str], rows: list[list[Any]], delimiter: str = ";", encoding: str = "utf-8"
) -> bytes:
    """A CSV file with cells quoted where needed (a `;` inside opening hours), as
    spreadsheets write it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """An XLSX workbook with one sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ORDER_HEADER = [
    "Pedido",
    "Código do cliente",
    "Data",
    "Representante",
    "Código do produto",
    "Descrição",
    "Categoria",
    "Quantidade",
    "Preço unitário",
]


def order_rows(customers: list[str], orders: int, lines: int, rep: str = "R010") -> list[list[str]]:
    """`orders` orders of `lines` lines each, spread over the given customer codes."""
    return [
        [
            f"P{o:07d}",
            customers[o % len(customers)],
            f"{1 + o % 28:02d}/10/2026",
            rep,
            f"SKU{k:04d}",
            f"Produto {k}",
            ("Bebidas", "Mercearia", "Limpeza")[k % 3],
            str(1 + k % 5),
            f"{3 + k % 7},{k % 100:02d}",
        ]
        for o in range(1, orders + 1)
        for k in range(lines)
    ]
