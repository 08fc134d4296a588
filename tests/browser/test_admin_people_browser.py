"""An admin of a company created from scratch creates a rep with a work profile and edits a
customer's opening hours in a real browser; the new rep replaces the one-time password."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Customer, User
from app.services import companies
from tests.browser.conftest import browser_login, new_context

PASSWORD = "caderno-de-rotas-2026"  # the policy refuses one containing the e-mail's "admin"


def _company() -> tuple[str, int]:
    """A new company (not the demo) with its admin and one customer without owner."""
    tag = uuid.uuid4().hex[:8]
    created = companies.create_company(
        name=f"Atacado Navegador {tag}",
        admin_email=f"admin-{tag}@nav.example",
        password=PASSWORD,
        state="SP",
    )
    customer = Customer(
        company_id=created.company.id,
        erp_code="N-1",
        legal_name="Mercado Navegador Ltda",
        trade_name="Mercado Navegador",
        segment="mercado",
        latitude=-23.56,
        longitude=-46.64,
        opening_hours={},
    )
    db.session.add(customer)
    db.session.flush()
    return created.admin.email, customer.id


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_admin_creates_rep_with_profile_and_edits_opening_hours(
    desk_page, browser, live_server
) -> None:  # type: ignore[no-untyped-def]
    """Tests the admin pages end to end: new rep, one-time password, profile with Saturday, hours
    on a customer."""
    page = desk_page
    admin_email, customer_id = live_server.run(_company)
    browser_login(page, admin_email, PASSWORD)

    page.goto("/admin/usuarios/")
    page.get_by_role("link", name="Novo usuário").click()
    page.get_by_label("Nome", exact=True).fill("Rita Sábado")
    rep_email = f"rita-{uuid.uuid4().hex[:6]}@nav.example"
    page.get_by_label("E-mail").fill(rep_email)
    page.get_by_label("Perfil").select_option("rep")
    page.get_by_label("Código do representante no ERP").fill("R-SAB")
    page.get_by_role("button", name="Criar usuário").click()
    one_time = page.locator("#one-time-password").inner_text().strip()
    assert len(one_time) >= 10
    page.get_by_role("link", name="Continuar para o usuário").click()

    expect(page.get_by_text("Ainda sem perfil de trabalho")).to_be_visible()
    page.get_by_label("Endereço da base (onde o dia começa e termina)").fill(
        "Rua Vergueiro, 1000 - São Paulo - SP"
    )
    page.get_by_label("Latitude da base").fill("-23,5714")
    page.get_by_label("Longitude da base").fill("-46,6386")
    page.get_by_label("Início do dia").fill("07:00")
    page.get_by_label("Fim do dia").fill("16:00")
    page.get_by_label("sáb", exact=True).check()
    page.get_by_role("button", name="Salvar perfil de trabalho").click()
    expect(page.get_by_text("Perfil de trabalho salvo.")).to_be_visible()
    expect(page.get_by_label("sáb", exact=True)).to_be_checked()

    page.get_by_label("Primeiro dia").fill("2099-07-01")
    page.get_by_label("Último dia").fill("2099-07-15")
    page.get_by_label("Tipo").select_option("vacation")
    page.get_by_role("button", name="Adicionar ausência").click()
    expect(page.locator("#time-off-list")).to_contain_text("01/07/2099")

    def profile_facts() -> tuple[int, float | None, int]:
        profile = _user(rep_email).work_profile
        return profile.working_weekdays, profile.start_lat, profile.day_start.hour

    assert live_server.run(profile_facts) == (0b0111111, -23.5714, 7)

    page.goto(f"/carteira/clientes/{customer_id}")
    expect(page.locator("#opening-hours")).to_have_text("Sem restrição")
    page.get_by_role("link", name="Editar cliente").click()
    page.get_by_label("Atendido por").select_option("field")
    page.get_by_label("Carteira de").select_option(label="Rita Sábado (R-SAB)")
    page.get_by_role("textbox", name="Horário de funcionamento").fill("seg a sex 8h")
    page.get_by_role("button", name="Salvar cliente").click()
    expect(page.locator(".has-error")).to_contain_text("Horário de funcionamento")
    page.get_by_role("textbox", name="Horário de funcionamento").fill(
        "seg-sex 08:00-12:00 14:00-18:00; sáb 08:00-12:00"
    )
    page.get_by_label("qua", exact=True).uncheck()
    page.get_by_role("button", name="Salvar cliente").click()
    expect(page.get_by_text("Cliente salvo.")).to_be_visible()
    expect(page.locator("#opening-hours")).to_contain_text("08:00–12:00, 14:00–18:00")
    expect(page.locator("#opening-hours")).to_contain_text("dom: fechado")
    expect(page.locator("#delivery-days")).not_to_contain_text("qua")
    stored = live_server.run(lambda: dict(db.session.get(Customer, customer_id).opening_hours))
    assert stored["sat"] == [["08:00", "12:00"]]

    # No service worker: the context closes right after /hoje and must not leave /sw.js half-sent.
    rep_context = new_context(browser, live_server, phone=False, service_workers="block")
    rep_page = rep_context.new_page()
    try:
        browser_login(rep_page, rep_email, one_time)
        expect(rep_page).to_have_url(re.compile(r"/auth/nova-senha$"))
        rep_page.goto("/hoje")
        expect(rep_page).to_have_url(re.compile(r"/auth/nova-senha$"))
        rep_page.get_by_label("Nova senha", exact=True).fill("minha-senha-sab-1")
        rep_page.get_by_label("Repita a nova senha").fill("minha-senha-sab-1")
        rep_page.get_by_role("button", name="Salvar senha").click()
        expect(rep_page).not_to_have_url(re.compile(r"/auth/nova-senha$"))
    finally:
        rep_context.close()
