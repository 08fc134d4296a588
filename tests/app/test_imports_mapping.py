"""Column mappings: `flask import --mapping`, saved per company and kind, header matching rules."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, ImportMapping, Role
from app.services.imports import columns_of, mappings
from app.services.imports.base import header_map
from tests.factories import make_company, make_user
from tests.support.imports import quoted_csv

ERP = [
    "COD_CLI",
    "RAZAO",
    "FANTASIA",
    "CIDADE_CLI",
    "VEND",
    "LIM_CRED",
    "HORARIO",
    "ENTREGA",
    "OBS INTERNA",
    "Cidade",
]
MAPPING = {
    "columns": {
        "COD_CLI": "erp_code",
        "RAZAO": "legal_name",
        "FANTASIA": "trade_name",
        "CIDADE_CLI": "city",
        "VEND": "owner",
        "LIM_CRED": "credit_limit",
        "HORARIO": "opening_hours",
        "ENTREGA": "delivery_weekdays",
        "Cidade": None,
    }
}


@pytest.fixture
def company(db_session):
    company = make_company()
    make_user(company, Role.REP, erp_code="V07")
    return company


def erp_file(tmp_path, rows):
    path = tmp_path / "CLIENTES_ERP.CSV"
    path.write_bytes(quoted_csv(ERP, rows, encoding="cp1252"))
    return path


def rows(limit="1.234,56"):
    return [
        [
            "900",
            "Açougue Estrela Ltda",
            "Estrela",
            "Guarulhos",
            "V07",
            limit,
            "seg-sex 08:00-12:00 14:00-18:00",
            "seg-sex",
            "cliente antigo",
            "ignorada",
        ],
        [
            "901",
            "Mercadinho São José ME",
            "",
            "Guarulhos",
            "V07",
            "0",
            "seg,qua,sex 07:00-11:00; sáb fechado",
            "qua",
            "",
            "",
        ],
    ]


def test_cli_mapping_reads_erp_headers_and_lists_the_ignored_ones(company, runner, tmp_path):
    """Tests `flask import customers FILE --mapping M.json`: cp1252, `;`, 1.234,56, hours,
    ignored columns."""
    mapping = tmp_path / "mapa.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    path = erp_file(tmp_path, rows())
    out = runner.invoke(
        args=[
            "import",
            "customers",
            str(path),
            "--mapping",
            str(mapping),
            "--company",
            company.slug,
        ]
    )
    assert out.exit_code == 0, out.output
    assert "Colunas ignoradas: OBS INTERNA, Cidade." in out.output
    assert "2 novos" in out.output
    got = db.session.scalars(
        sa.select(Customer).where(Customer.company_id == company.id).order_by(Customer.erp_code)
    ).all()
    assert [(c.legal_name, c.trade_name, c.city, str(c.credit_limit)) for c in got] == [
        ("Açougue Estrela Ltda", "Estrela", "Guarulhos", "1234.56"),
        ("Mercadinho São José ME", "Mercadinho São José ME", "Guarulhos", "0.00"),
    ]
    assert got[1].opening_hours["sat"] == []
    assert got[1].opening_hours["wed"] == [["07:00", "11:00"]]
    assert got[1].delivery_weekdays == 0b0000100
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(ImportMapping)) == 0
    )  # not saved unasked


def test_cli_saved_mapping_is_reused_and_dry_run_lists_changes(company, runner, tmp_path):
    """Tests --save-mapping, then a run without --mapping that uses it and shows what
    would change."""
    mapping = tmp_path / "mapa.json"
    mapping.write_text(json.dumps(MAPPING), encoding="utf-8")
    first = runner.invoke(
        args=[
            "import",
            "customers",
            str(erp_file(tmp_path, rows())),
            "--mapping",
            str(mapping),
            "--save-mapping",
            "--company",
            company.slug,
        ]
    )
    assert first.exit_code == 0, first.output
    assert mappings.get(company_id=company.id, kind="customers") == MAPPING["columns"]
    dry = runner.invoke(
        args=[
            "import",
            "customers",
            str(erp_file(tmp_path, rows("2.000,00"))),
            "--dry-run",
            "--company",
            company.slug,
        ]
    )
    assert dry.exit_code == 0, dry.output
    assert "Usando o mapeamento de colunas salvo" in dry.output
    assert "Limite de crédito: 1 alterado" in dry.output
    assert "linha 2 (900): Limite de crédito: 1234,56 -> 2000,00" in dry.output
    assert "0 novos, 1 alterados, 1 sem alteração (simulação, nada gravado)" in dry.output


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"columns": {"COD_CLI": "codigo"}}, "codigo"),
        ({"columns": {"COD_CLI": "erp_code", "CODIGO": "erp_code"}}, "erp_code"),
        (["COD_CLI"], "columns"),
    ],
)
def test_cli_bad_mapping_is_refused_before_reading_the_file(
    company, runner, tmp_path, document, message
):
    """Tests that an unknown key, a field fed twice or a malformed document stops the command."""
    mapping = tmp_path / "mapa.json"
    mapping.write_text(json.dumps(document), encoding="utf-8")
    out = runner.invoke(
        args=[
            "import",
            "customers",
            str(erp_file(tmp_path, rows())),
            "--mapping",
            str(mapping),
            "--company",
            company.slug,
        ]
    )
    assert out.exit_code == 1
    assert message in out.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Customer)
            .where(Customer.company_id == company.id)
        )
        == 0
    )


def test_header_matching_mapping_first_then_names():
    """Tests that a mapping wins over names, None ignores, and a field fed twice keeps the
    first column."""
    cols = columns_of("customers")
    match = header_map(
        ["Cliente", "Nome", "Razão Social", "Cidade", "cidade"],
        cols,
        {"cliente": "legal_name", "NOME": None, "Código": "erp_code"},
    )
    assert [(h, k) for h, k in match.assigned] == [
        ("Cliente", "legal_name"),
        ("Nome", None),
        ("Razão Social", None),
        ("Cidade", "city"),
        ("cidade", None),
    ]
    assert match.ignored == ["Nome", "Razão Social", "cidade"]
    assert match.unknown == ["Razão Social", "cidade"]
