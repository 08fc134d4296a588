"""A supervisor sets a rep's monthly targets from the menu: a value out of 0–100 is refused next
to its field, a good one is saved, and the page shows the rep's progress against it and the
customers that would close the gap, each opening the customer's card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser_login
from tests.support.kpis import ensure_scores

SUPERVISOR = "supervisor1@demo.roteiro.app"


@pytest.fixture(scope="module")
def scored(live_server):  # type: ignore[no-untyped-def]
    return live_server.run(ensure_scores, live_server.today)


def _password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def test_set_a_target_and_follow_the_customers_that_close_the_gap(desk_page, scored):
    """Tests the targets page end to end in the browser, in Portuguese."""
    page = desk_page
    browser_login(page, SUPERVISOR, _password())
    page.get_by_role("link", name="Metas", exact=True).first.click()
    expect(page.locator("h1")).to_contain_text("Metas")
    coverage = page.locator("[data-target-field$='_coverage']").nth(1)  # the first portfolio
    name = coverage.get_attribute("data-target-field")
    assert name is not None
    key = name.removesuffix("_coverage")
    coverage.fill("150")
    page.get_by_role("button", name="Salvar metas").click()
    error = page.locator(f"[data-target-field='{name}'] ~ .field-error")
    expect(error).to_have_text("Informe uma porcentagem de 0 a 100.")

    page.locator(f"[data-target-field='{name}']").fill("100")
    page.locator(f"[data-target-field='{key}_activation']").fill("99,5")
    page.get_by_role("button", name="Salvar metas").click()
    expect(page.locator(".flash-success")).to_contain_text("Metas salvas")
    expect(page.locator(f"[data-target-field='{key}_activation']")).to_have_value("99,50")
    row = page.locator(f"[data-progress] tr[data-row='{key}']")
    expect(row).to_contain_text("100%")
    expect(row).to_contain_text("99,5%")

    gap = page.locator(f"[data-gap='{key}']")
    first = gap.locator("[data-list=contact] a, [data-list=sell] a").first
    expect(first).to_be_visible()
    customer = first.inner_text().strip()
    first.click()
    expect(page).to_have_url(re.compile(r"/carteira/clientes/\d+$"))
    expect(page.locator("h1")).to_contain_text(customer)


def test_read_the_targets_history(desk_page, live_server):
    """Tests the closed months' page (the targets page links to it: tests/app) and its choice
    of how many months, in Portuguese (one load: the demo's months are costly on PostgreSQL)."""
    page = desk_page
    browser_login(page, SUPERVISOR, _password())
    page.goto(f"{live_server.url}/supervisor/metas/historico?months=3")
    expect(page.locator("h1")).to_contain_text("Histórico de metas")
    expect(page.locator("[data-history-month]")).to_have_count(3)
    six = page.get_by_role("link", name="6 meses")
    expect(six).to_have_attribute("href", re.compile(r"months=6"))
    first = page.locator("[data-history-month]").first
    expect(first.locator("tr[data-row^='t']")).to_contain_text("Equipe inteira")
