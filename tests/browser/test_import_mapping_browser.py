"""An admin of a company from scratch maps an ERP file's columns in the import preview,
then imports it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Customer, ImportMapping, Role
from tests.browser.conftest import browser_login
from tests.factories import PASSWORD, make_company, make_user
from tests.support.imports import quoted_csv

ERP = ["COD_CLI", "RAZAO", "MUNICIPIO", "VEND", "HORARIO", "ENTREGA", "OBS"]
ROWS = [
    [
        "B100",
        "Empório Mapeado Ltda",
        "Santos",
        "BV1",
        "seg-sex 08:00-12:00; sáb 08:00-12:00",
        "ter,qui",
        "x",
    ],
    ["B101", "Bar do Mapa", "Santos", "BV1", "", "", ""],
]


def _company() -> dict[str, int | str]:
    company = make_company("Distribuidora do Navegador")
    admin = make_user(company, Role.ADMIN, email="admin@navegador.com.br")
    make_user(company, Role.REP, email="rep@navegador.com.br", erp_code="BV1", with_profile=True)
    return {"id": company.id, "admin": admin.email}


def _stored(
    company_id: int,
) -> tuple[list[tuple[str, str | None, int]], dict[str, str | None] | None]:
    customers = db.session.execute(
        sa.select(Customer.erp_code, Customer.city, Customer.delivery_weekdays)
        .where(Customer.company_id == company_id)
        .order_by(Customer.erp_code)
    ).all()
    mapping = db.session.scalar(
        sa.select(ImportMapping.columns).where(ImportMapping.company_id == company_id)
    )
    return [tuple(c) for c in customers], mapping


def test_admin_maps_erp_columns_in_the_preview(desk_page, live_server):
    """Tests the mapping step in a real browser: it opens by itself, the choices re-check the file,
    confirm imports."""
    world = live_server.run(_company)
    page = desk_page
    browser_login(page, world["admin"], PASSWORD)
    page.goto("/admin/importacao/")
    page.get_by_label("Dados").select_option("customers")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "CLIENTES_ERP.CSV",
                "mimeType": "text/csv",
                "buffer": quoted_csv(ERP, ROWS, encoding="cp1252"),
            }
        ],
    )
    page.get_by_role("button", name="Conferir arquivo").click()
    page.wait_for_load_state("networkidle")

    mapping = page.locator("#mapping")
    expect(mapping).to_have_attribute("open", "")
    expect(page.locator("#problems")).to_contain_text("Código")
    expect(page.get_by_role("button", name="Confirmar importação")).to_have_count(0)
    for header, key in (
        ("COD_CLI", "erp_code"),
        ("RAZAO", "legal_name"),
        ("MUNICIPIO", "city"),
        ("VEND", "owner"),
        ("HORARIO", "opening_hours"),
        ("ENTREGA", "delivery_weekdays"),
    ):
        page.get_by_label(f"Campo da coluna {header}").select_option(key)
    expect(page.get_by_label("Campo da coluna OBS")).to_have_value(
        "notes"
    )  # an alias of the notes column
    page.get_by_label("Campo da coluna OBS").select_option("")
    page.get_by_role("button", name="Aplicar colunas e conferir de novo").click()
    page.wait_for_load_state("networkidle")

    expect(page.locator(".flash-success, .flash")).to_contain_text(
        re.compile("Mapeamento de colunas salvo")
    )
    expect(page.locator("#problems")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("Colunas ignoradas: OBS.")
    page.get_by_role("button", name="Confirmar importação").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_contain_text("Importado: 2 novos")

    customers, saved = live_server.run(_stored, world["id"])
    assert customers == [("B100", "Santos", 0b0001010), ("B101", "Santos", 0)]
    assert saved is not None
    assert saved["COD_CLI"] == "erp_code"
    assert saved["OBS"] is None
