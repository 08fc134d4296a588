"""Imports: every problem located, all-or-nothing batches, idempotent re-imports,
CSV/XLSX quirks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditLog,
    Customer,
    Order,
    OrderLine,
    Receivable,
    Role,
    Team,
    User,
)
from app.services.imports import import_file, import_rows
from app.services.imports.templates import template_csv, template_xlsx
from tests.factories import make_company, make_customer, make_user
from tests.support.imports import (
    CUSTOMER_HEADER,
    ORDER_HEADER,
    csv_bytes,
    customer_rows,
    order_rows,
    xlsx_bytes,
)


@pytest.fixture
def company(db_session):
    company = make_company()
    make_user(company, Role.REP, erp_code="R010", email="rep.dez@teste.roteiro.app")
    return company


def run(company, kind, raw, filename="arquivo.csv", dry_run=False):
    return import_file(
        kind=kind, raw=raw, filename=filename, company_id=company.id, actor_id=None, dry_run=dry_run
    )


def count(model, company):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(model).where(model.company_id == company.id)
    )


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "cp1252"), (",", "utf-8-sig"), ("\t", "latin-1"), ("|", "utf-8")],
)
def test_customers_csv_in_any_delimiter_and_encoding(company, delimiter, encoding):
    """Tests that ERP exports are read: accents survive, Brazilian numbers parse, owners resolve."""
    rows = customer_rows(3)
    if delimiter == ",":
        rows = [[f'"{c}"' if "," in c else c for c in row] for row in rows]
    result = run(company, "customers", csv_bytes(CUSTOMER_HEADER, rows, delimiter, encoding))
    assert result.problems == []
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    c = db.session.scalar(
        sa.select(Customer).where(Customer.company_id == company.id, Customer.erp_code == "C00001")
    )
    assert c.legal_name == "Açougue São João 1 Ltda"
    assert c.district == "Tatuapé"
    assert c.credit_limit == Decimal("1234.56")
    assert c.latitude == pytest.approx(-23.5401)
    assert c.owner.erp_code == "R010"


def test_broken_row_is_named_and_nothing_is_committed_then_fixed_file_imports_once(company):
    """Tests the issue's acceptance: a broken row rejects the batch; the fixed file imports,
    then no-ops."""
    rows = customer_rows(5)
    rows[2][7] = "norte"  # latitude
    rows[3][10] = "R999"  # unknown rep
    rows[4][0] = ""  # missing code
    result = run(company, "customers", csv_bytes(CUSTOMER_HEADER, rows), filename="clientes.csv")
    located = {(p.file, p.row, p.column) for p in result.problems}
    assert located == {
        ("clientes.csv", 4, "Latitude"),
        ("clientes.csv", 5, "Representante"),
        ("clientes.csv", 6, "Código"),
    }
    assert all(p.message for p in result.problems)
    assert "R999" in next(p.message for p in result.problems if p.row == 5)
    assert count(Customer, company) == 0

    rows[2][7], rows[4][0] = "-23,55", "C00099"
    rows[3][10] = "rep.dez@teste.roteiro.app"
    fixed = csv_bytes(CUSTOMER_HEADER, rows)
    first = run(company, "customers", fixed)
    assert (first.created, first.updated, first.unchanged, first.problems) == (5, 0, 0, [])
    stamps = dict(
        db.session.execute(
            sa.select(Customer.erp_code, Customer.updated_at).where(
                Customer.company_id == company.id
            )
        ).all()
    )
    again = run(company, "customers", fixed)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert count(Customer, company) == 5
    db.session.expire_all()
    assert (
        dict(
            db.session.execute(
                sa.select(Customer.erp_code, Customer.updated_at).where(
                    Customer.company_id == company.id
                )
            ).all()
        )
        == stamps
    )
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.company_id == company.id)).all()
    assert [a.action for a in audit] == ["import.customers", "import.customers"]


def test_dry_run_counts_without_writing_and_updates_only_changed_fields(company):
    """Tests the preview counts and that an update touches the changed customer only."""
    run(company, "customers", csv_bytes(CUSTOMER_HEADER, customer_rows(3)))
    rows = customer_rows(4)
    rows[1][2] = "Açougue Novo Nome"
    preview = run(company, "customers", csv_bytes(CUSTOMER_HEADER, rows), dry_run=True)
    assert (preview.created, preview.updated, preview.unchanged) == (1, 1, 2)
    assert count(Customer, company) == 3
    done = run(company, "customers", csv_bytes(CUSTOMER_HEADER, rows))
    assert (done.created, done.updated, done.unchanged) == (1, 1, 2)
    names = db.session.scalars(
        sa.select(Customer.trade_name)
        .where(Customer.company_id == company.id)
        .order_by(Customer.erp_code)
    ).all()
    assert names[1] == "Açougue Novo Nome"


def test_address_change_without_coordinates_asks_for_geocoding_again(company):
    """Tests that a moved customer loses its stale position."""
    header = ["Código", "Razão social", "Logradouro", "Número", "Cidade", "UF"]
    run(company, "customers", csv_bytes(header, [["C1", "Loja", "Rua A", "10", "São Paulo", "SP"]]))
    c = db.session.scalar(sa.select(Customer).where(Customer.company_id == company.id))
    c.latitude, c.longitude, c.geocode_status = -23.5, -46.6, "ok"
    db.session.flush()
    result = run(
        company, "customers", csv_bytes(header, [["C1", "Loja", "Rua B", "10", "São Paulo", "SP"]])
    )
    assert result.updated == 1
    db.session.refresh(c)
    assert (c.street, c.latitude, c.geocode_status) == ("Rua B", None, None)


def test_xlsx_customers_with_spreadsheet_types(company):
    """Tests XLSX input: numbers and dates arrive typed, headers by alias."""
    header = ["cod cliente", "Razao Social", "UF", "Latitude", "Longitude", "Frequencia", "Ativo"]
    rows = [
        ["7001", "Bar do Zé", "sp", -23.51, -46.61, 14, "Sim"],
        [7002, "Bar do Tião", "SP", None, None, 7, "não"],
    ]
    result = run(company, "customers", xlsx_bytes(header, rows), filename="clientes.xlsx")
    assert result.problems == []
    assert result.created == 2
    got = db.session.execute(
        sa.select(Customer.erp_code, Customer.state, Customer.visit_frequency_days, Customer.active)
        .where(Customer.company_id == company.id)
        .order_by(Customer.erp_code)
    ).all()
    assert [tuple(g) for g in got] == [("7001", "SP", 14, True), ("7002", "SP", 7, False)]
    assert (
        run(company, "customers", xlsx_bytes(header, rows), filename="clientes.xlsx").unchanged == 2
    )


def test_orders_group_lines_upsert_and_reimport_as_no_op(company):
    """Tests orders: lines grouped by order code, totals computed, a changed line
    rewrites one order."""
    run(company, "customers", csv_bytes(CUSTOMER_HEADER, customer_rows(3)))
    rows = order_rows(["C00001", "C00002", "C00003"], orders=4, lines=3)
    first = run(company, "orders", csv_bytes(ORDER_HEADER, rows))
    assert (first.rows, first.created, first.problems) == (12, 4, [])
    order = db.session.scalar(
        sa.select(Order).where(Order.company_id == company.id, Order.erp_code == "P0000001")
    )
    assert order.order_date == date(2026, 10, 2)
    assert len(order.lines) == 3
    assert order.total == sum(line.total for line in order.lines)
    assert order.rep_id is not None
    assert run(company, "orders", csv_bytes(ORDER_HEADER, rows)).unchanged == 4
    rows[4][7] = "9"
    changed = run(company, "orders", csv_bytes(ORDER_HEADER, rows))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 3)
    lines = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OrderLine)
        .join(Order)
        .where(Order.company_id == company.id)
    )
    assert lines == 12


def test_order_problems_unknown_customer_and_inconsistent_header(company):
    """Tests cross-row checks of orders."""
    run(company, "customers", csv_bytes(CUSTOMER_HEADER, customer_rows(2)))
    rows = order_rows(["C00001"], orders=1, lines=2) + order_rows(["C00404"], orders=2, lines=1)[1:]
    rows[1][2] = "05/10/2026"
    rows.append([*rows[0][:7], "0", "1,00"])
    result = run(company, "orders", csv_bytes(ORDER_HEADER, rows))
    assert {(p.row, p.column) for p in result.problems} == {
        (3, "Pedido"),
        (4, "Código do cliente"),
        (5, "Quantidade"),
    }
    assert count(Order, company) == 0


def test_receivables_upsert_and_paid_date(company):
    """Tests receivables: Brazilian dates and money, then a payment arrives as an update."""
    customer = make_customer(company, None, erp_code="C77")
    header = ["Título", "Código do cliente", "Emissão", "Vencimento", "Valor", "Pagamento"]
    rows = [["T1", "C77", "01/11/2026", "2026-12-01", "R$ 1.500,00", ""]]
    assert run(company, "receivables", csv_bytes(header, rows)).created == 1
    rows[0][5] = "05/12/2026"
    assert run(company, "receivables", csv_bytes(header, rows)).updated == 1
    rec = db.session.scalar(sa.select(Receivable).where(Receivable.customer_id == customer.id))
    assert (rec.amount, rec.paid_date) == (Decimal("1500.00"), date(2026, 12, 5))
    bad = run(
        company,
        "receivables",
        csv_bytes(header, [["T2", "C77", "31/02/2026", "01/01/2026", "-3", ""]]),
    )
    assert {(p.row, p.column) for p in bad.problems} == {(2, "Emissão"), (2, "Valor")}


def test_users_and_portfolios(company):
    """Tests users by e-mail with teams created on the way, then customers assigned by rep code."""
    header = ["E-mail", "Nome", "Perfil", "Código do representante", "Equipe"]
    rows = [
        ["Bia@Dist.com.br", "Bia Lima", "Representante", "R020", "Equipe Leste"],
        ["caio@dist.com.br", "Caio Reis", "televendas", "T001", "Equipe Leste"],
        ["duda@dist.com.br", "Duda Melo", "Supervisor", "", "Equipe Leste"],
    ]
    preview = run(company, "users", csv_bytes(header, rows), dry_run=True)
    assert preview.created == 3
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Team).where(Team.company_id == company.id)
        )
        == 0
    )
    assert run(company, "users", csv_bytes(header, rows)).created == 3
    bia = db.session.scalar(sa.select(User).where(User.email == "bia@dist.com.br"))
    assert (bia.role, bia.team.name, bia.check_password("")) == (Role.REP, "Equipe Leste", False)
    assert run(company, "users", csv_bytes(header, rows)).unchanged == 3
    result = run(company, "customers", csv_bytes(CUSTOMER_HEADER, customer_rows(2, owner="R020")))
    assert result.created == 2
    owners = set(
        db.session.scalars(
            sa.select(Customer.owner_id).where(Customer.company_id == company.id)
        ).all()
    )
    assert owners == {bia.id}


def test_users_cannot_take_over_another_company_email(company):
    """Tests that an import cannot move a user of another company."""
    other = make_company()
    make_user(other, Role.REP, email="ocupado@dist.com.br")
    result = run(
        company,
        "users",
        csv_bytes(["E-mail", "Nome", "Perfil"], [["ocupado@dist.com.br", "X", "rep"]]),
    )
    assert [(p.row, p.column) for p in result.problems] == [(2, "E-mail")]


def test_missing_required_column_and_unreadable_file(company):
    """Tests file-level problems (no row number)."""
    result = run(company, "customers", csv_bytes(["Código", "Cidade"], [["C1", "Santos"]]))
    assert [(p.row, p.column) for p in result.problems] == [(None, "Razão social")]
    broken = run(company, "customers", b"PK\x03\x04garbage", filename="x.xlsx")
    assert broken.problems
    assert broken.problems[0].row is None


@pytest.mark.parametrize("kind", ["customers", "orders", "receivables", "users"])
def test_templates_have_pt_br_headers_and_read_back(company, kind):
    """Tests that the downloadable templates are readable by the importer (headers all
    recognised)."""
    for raw, name in ((template_csv(kind), "t.csv"), (template_xlsx(kind), "t.xlsx")):
        result = run(company, kind, raw, filename=name, dry_run=True)
        assert result.notes == []
        assert all(p.row is None or p.column not in (None,) for p in result.problems)


def test_import_rows_api_shape(company):
    """Tests the JSON entry point: problems name the item index and field key."""
    result = import_rows(
        kind="customers",
        rows=[{"erp_code": "A1", "legal_name": "Loja A", "latitude": 95}],
        company_id=company.id,
        actor_id=None,
    )
    assert [(p.row, p.column) for p in result.problems] == [(0, "latitude")]


def test_cli_import_with_dry_run(company, runner, tmp_path):
    """Tests `flask import customers FILE [--dry-run] --company SLUG`."""
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(CUSTOMER_HEADER, customer_rows(2)))
    dry = runner.invoke(
        args=["import", "customers", str(path), "--dry-run", "--company", company.slug]
    )
    assert dry.exit_code == 0, dry.output
    assert count(Customer, company) == 0
    real = runner.invoke(args=["import", "customers", str(path), "--company", company.slug])
    assert real.exit_code == 0, real.output
    assert "2 novos" in real.output
    assert count(Customer, company) == 2
    path.write_bytes(csv_bytes(CUSTOMER_HEADER, [["", "x"]]))
    bad = runner.invoke(args=["import", "customers", str(path), "--company", company.slug])
    assert bad.exit_code == 1
    assert "linha 2" in bad.output


def test_docs_describe_every_field_of_every_kind():
    """Tests that docs/import.md documents every field key with its pt-BR header (it is
    the reference)."""
    from pathlib import Path

    from app.services.imports import KINDS, columns_of

    doc = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    missing = [
        (kind, c.key)
        for kind in KINDS
        for c in columns_of(kind)
        if f"| `{c.key}` | {c.header} |" not in doc
    ]
    assert missing == []
