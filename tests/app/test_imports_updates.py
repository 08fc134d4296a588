"""Updates never lose data: blanks and absent columns keep, `-` clears, the preview shows
each change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Order, Receivable, Role
from app.services.imports import import_file
from tests.factories import make_company, make_user
from tests.support.imports import quoted_csv as csv_bytes

FULL = [
    "Código",
    "Razão social",
    "Nome fantasia",
    "Logradouro",
    "Número",
    "Cidade",
    "UF",
    "Latitude",
    "Longitude",
    "Representante",
    "Segmento",
    "Limite de crédito",
    "Horário de funcionamento",
    "Dias de entrega",
    "Telefone",
]
ROW = [
    "C1",
    "Mercado Bom Preço Ltda",
    "Bom Preço",
    "Rua das Flores",
    "12",
    "Santo André",
    "SP",
    "-23,6612",
    "-46,5311",
    "R010",
    "mercado",
    "2.500,00",
    "seg-sex 07:00-12:00 13:00-19:00; sáb 07:00-12:00",
    "seg,qua",
    "11 4444-5555",
]


@pytest.fixture
def company(db_session):
    company = make_company()
    make_user(company, Role.REP, erp_code="R010", email="rep@exemplo.com.br")
    return company


def run(company, kind, raw, dry_run=False, filename="arquivo.csv"):
    return import_file(
        kind=kind, raw=raw, filename=filename, company_id=company.id, actor_id=None, dry_run=dry_run
    )


def snapshot(company):
    return [
        tuple(r)
        for r in db.session.execute(
            sa.select(
                Customer.erp_code,
                Customer.trade_name,
                Customer.street,
                Customer.number,
                Customer.city,
                Customer.latitude,
                Customer.longitude,
                Customer.owner_id,
                Customer.segment,
                Customer.credit_limit,
                Customer.opening_hours,
                Customer.delivery_weekdays,
                Customer.phone,
                Customer.geocode_status,
            )
            .where(Customer.company_id == company.id)
            .order_by(Customer.erp_code)
        )
    ]


def test_blank_cells_and_absent_columns_keep_everything(company):
    """Tests the issue's data loss: a re-import with blank cells (or without the columns)
    changes nothing."""
    assert run(company, "customers", csv_bytes(FULL, [ROW])).created == 1
    before = snapshot(company)
    assert before[0][10]["sat"] == [["07:00", "12:00"]]
    blank = ["C1", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]
    result = run(company, "customers", csv_bytes(FULL, [blank]))
    assert (result.problems, result.updated, result.unchanged) == ([], 0, 1)
    narrow = run(company, "customers", csv_bytes(["Código", "Cidade"], [["C1", ""]]))
    assert (narrow.problems, narrow.updated, narrow.unchanged) == ([], 0, 1)
    db.session.expire_all()
    assert snapshot(company) == before


def test_clear_marker_empties_what_may_be_empty_and_only_that(company):
    """Tests `-`: street, owner, hours (no restriction), weekdays (any day) and the
    position empty."""
    run(company, "customers", csv_bytes(FULL, [ROW]))
    cleared = ["C1", "", "-", "-", "", "", "", "-", "-", "-", "", "", "-", "-", "-"]
    result = run(company, "customers", csv_bytes(FULL, [cleared]))
    assert result.problems == []
    c = db.session.scalar(sa.select(Customer).where(Customer.company_id == company.id))
    db.session.refresh(c)
    assert (c.trade_name, c.street, c.number, c.owner_id, c.latitude, c.longitude) == (
        "Mercado Bom Preço Ltda",
        None,
        "12",
        None,
        None,
        None,
    )
    assert (c.opening_hours, c.delivery_weekdays, c.phone, c.city) == ({}, 0, None, "Santo André")
    refused = ["C1", "-", "", "", "", "", "", "", "", "", "-", "-", "", "", ""]
    bad = run(company, "customers", csv_bytes(FULL, [refused]))
    assert {(p.row, p.column) for p in bad.problems} == {
        (2, "Razão social"),
        (2, "Segmento"),
        (2, "Limite de crédito"),
    }


def test_preview_lists_each_changed_field_with_old_and_new_and_counts(company):
    """Tests the dry run: per changed row the fields with old and new cell text, counts per
    field, no write."""
    second = [
        "C2",
        "Padaria Sol Ltda",
        "",
        "Av. Brasil",
        "5",
        "Santo André",
        "SP",
        "",
        "",
        "R010",
        "",
        "",
        "",
        "",
        "",
    ]
    run(company, "customers", csv_bytes(FULL, [ROW, second]))
    changed = list(ROW)
    changed[5], changed[11], changed[12] = "Mauá", "3.000,50", "seg-sex 08:00-18:00"
    other = list(second)
    other[5] = "Mauá"
    preview = run(company, "customers", csv_bytes(FULL, [changed, other]), dry_run=True)
    assert (preview.updated, preview.unchanged) == (2, 0)
    assert dict(preview.changes.counts) == {"city": 2, "credit_limit": 1, "opening_hours": 1}
    first = preview.changes.rows[0]
    assert (first.row, first.code) == (2, "C1")
    assert {(f.key, f.old, f.new) for f in first.fields} == {
        ("city", "Santo André", "Mauá"),
        ("credit_limit", "2500,00", "3000,50"),
        (
            "opening_hours",
            "seg-sex 07:00-12:00 13:00-19:00; sáb 07:00-12:00",
            "seg-sex 08:00-18:00",
        ),
    }
    assert db.session.scalars(
        sa.select(Customer.city).where(Customer.company_id == company.id)
    ).all() == ["Santo André", "Santo André"]


def test_required_values_only_for_new_records(company):
    """Tests that a partial file updates existing customers and names what a new one lacks."""
    run(company, "customers", csv_bytes(FULL, [ROW]))
    ok = run(company, "customers", csv_bytes(["Código", "Cidade"], [["C1", "Diadema"]]))
    assert (ok.problems, ok.updated) == ([], 1)
    new = run(
        company,
        "customers",
        csv_bytes(["Código", "Cidade"], [["C1", "Diadema"], ["C9", "Diadema"]]),
    )
    assert [(p.row, p.column) for p in new.problems] == [(None, "Razão social")]
    blank_name = run(company, "customers", csv_bytes(["Código", "Razão social"], [["C9", ""]]))
    assert [(p.row, p.column) for p in blank_name.problems] == [(2, "Razão social")]
    no_code = run(company, "customers", csv_bytes(["Cidade"], [["Diadema"]]))
    assert [(p.row, p.column) for p in no_code.problems] == [(None, "Código")]


def test_moved_address_drops_the_stale_position_but_a_blank_address_does_not(company):
    """Tests that only a real address change (not a blank cell) asks for geocoding again."""
    run(company, "customers", csv_bytes(FULL, [ROW]))
    header = ["Código", "Logradouro", "Número"]
    run(company, "customers", csv_bytes(header, [["C1", "", ""]]))
    c = db.session.scalar(sa.select(Customer).where(Customer.company_id == company.id))
    assert c.latitude == pytest.approx(-23.6612)
    result = run(company, "customers", csv_bytes(header, [["C1", "Rua Nova", ""]]))
    assert {f.key for f in result.changes.rows[0].fields} == {"street", "latitude", "longitude"}
    db.session.refresh(c)
    assert (c.street, c.number, c.latitude) == ("Rua Nova", "12", None)


def test_opening_hours_and_weekdays_cells_are_checked(company):
    """Tests that a wrong opening-hours or weekday cell is a located problem, not a stored guess."""
    rows = [list(ROW), list(ROW)]
    rows[1][0] = "C2"
    rows[0][12] = "seg-sex 18:00-08:00"
    rows[1][13] = "segunda,quarta,feriado"
    result = run(company, "customers", csv_bytes(FULL, rows))
    assert {(p.row, p.column) for p in result.problems} == {
        (2, "Horário de funcionamento"),
        (3, "Dias de entrega"),
    }
    assert "feriado" in next(p.message for p in result.problems if p.row == 3)


def test_receivable_blank_payment_keeps_and_marker_reopens(company):
    """Tests receivables: a blank payment date keeps the payment; `-` reopens the receivable."""
    run(company, "customers", csv_bytes(FULL, [ROW]))
    header = ["Título", "Código do cliente", "Emissão", "Vencimento", "Valor", "Pagamento"]
    run(
        company,
        "receivables",
        csv_bytes(header, [["T1", "C1", "01/11/2026", "30/11/2026", "1.500,00", "02/12/2026"]]),
    )
    keep = run(company, "receivables", csv_bytes(header, [["T1", "", "", "", "", ""]]))
    assert (keep.problems, keep.unchanged) == ([], 1)
    partial = run(
        company, "receivables", csv_bytes(["Título", "Vencimento"], [["T1", "25/10/2026"]])
    )
    assert [(p.row, p.column) for p in partial.problems] == [
        (2, "Vencimento")
    ]  # before the stored issue date
    reopen = run(company, "receivables", csv_bytes(["Título", "Pagamento"], [["T1", "-"]]))
    assert [f.new for f in reopen.changes.rows[0].fields] == [""]
    rec = db.session.scalar(sa.select(Receivable).where(Receivable.company_id == company.id))
    db.session.refresh(rec)
    assert (rec.paid_date, rec.amount, rec.due_date) == (
        None,
        Decimal("1500.00"),
        date(2026, 11, 30),
    )


def test_order_blanks_keep_rep_and_line_details_marker_clears_rep(company):
    """Tests orders: blank rep, description, category and total keep the stored ones; `-`
    unassigns the rep."""
    run(company, "customers", csv_bytes(FULL, [ROW]))
    header = [
        "Pedido",
        "Código do cliente",
        "Data",
        "Representante",
        "Código do produto",
        "Descrição",
        "Categoria",
        "Quantidade",
        "Preço unitário",
        "Total do item",
    ]
    lines = [
        [
            "P1",
            "C1",
            "02/10/2026",
            "R010",
            "SKU1",
            "Café 500 g",
            "Mercearia",
            "2",
            "10,00",
            "19,00",
        ],
        ["P1", "C1", "02/10/2026", "R010", "SKU2", "Sabão", "Limpeza", "1", "5,5", ""],
    ]
    assert run(company, "orders", csv_bytes(header, lines)).created == 1
    blanks = [
        ["P1", "", "", "", "SKU1", "", "", "2", "10,00", ""],
        ["P1", "", "", "", "SKU2", "", "", "1", "5,50", ""],
    ]
    same = run(company, "orders", csv_bytes(header, blanks))
    assert (same.problems, same.updated, same.unchanged) == ([], 0, 1)
    narrow = ["Pedido", "Código do produto", "Quantidade", "Preço unitário"]
    more = run(
        company,
        "orders",
        csv_bytes(narrow, [["P1", "SKU1", "3", "10"], ["P1", "SKU2", "1", "5,5"]]),
    )
    assert (more.problems, more.updated) == ([], 1)
    assert dict(more.changes.counts) == {"lines": 1, "order_total": 1}
    order = db.session.scalar(sa.select(Order).where(Order.company_id == company.id))
    db.session.refresh(order)
    assert [(ln.product_name, ln.category, ln.total) for ln in order.lines] == [
        ("Café 500 g", "Mercearia", Decimal("30.00")),
        ("Sabão", "Limpeza", Decimal("5.50")),
    ]
    assert order.rep_id is not None
    assert order.total == Decimal("35.50")
    unassign = run(
        company,
        "orders",
        csv_bytes(
            ["Pedido", "Representante", "Código do produto", "Quantidade", "Preço unitário"],
            [["P1", "-", "SKU1", "3", "10"], ["P1", "", "SKU2", "1", "5,5"]],
        ),
    )
    assert (unassign.problems, dict(unassign.changes.counts)) == ([], {"rep_code": 1})
    db.session.refresh(order)
    assert order.rep_id is None
    new = run(company, "orders", csv_bytes(narrow, [["P2", "SKU1", "1", "1"]]))
    assert {p.column for p in new.problems} == {"Código do cliente", "Data"}
