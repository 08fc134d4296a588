"""A supervisor filters the dashboard, drills down to the customers behind a figure and exports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Customer, Role, User
from tests.browser.conftest import browser_login
from tests.support.kpis import ensure_scores

SUPERVISOR = "supervisor1@demo.roteiro.app"


@pytest.fixture(scope="module")
def scored(live_server):  # type: ignore[no-untyped-def]
    return live_server.run(ensure_scores, live_server.today)


def _password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _other_team() -> tuple[int, list[str]]:
    """A rep of the other team and the codes of its customers."""
    me = db.session.scalar(sa.select(User).where(User.email == SUPERVISOR))
    rep = db.session.scalar(
        sa.select(User).where(User.role == Role.REP, User.team_id != me.team_id).order_by(User.id)
    )
    names = db.session.scalars(
        sa.select(Customer.erp_code).where(Customer.owner_id == rep.id).order_by(Customer.id)
    ).all()
    return rep.id, list(names)


def test_filter_drill_down_and_export(desk_page, live_server, scored):
    """Tests filters, the coverage figure's customers (two clicks to a customer) and CSV export."""
    page = desk_page
    browser_login(page, SUPERVISOR, _password())
    expect(page).to_have_url(re.compile(r"/supervisor/$"))
    expect(page.locator("#team-map")).to_have_attribute("data-loaded", re.compile(r"^[1-9]\d*$"))

    rep_select = page.get_by_label("Carteira de")
    rep_name = rep_select.locator("option").nth(1).inner_text()
    rep_select.select_option(label=rep_name)
    page.get_by_label("Período").select_option("30")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(r"period=30"))

    tile = page.locator("[data-kpi=coverage]")
    gap_count = int(re.search(r"(\d+) clientes? em ruptura", tile.inner_text()).group(1))
    assert gap_count > 0
    tile.click()  # click 1: the customers behind the figure
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("ruptura de atendimento")
    expect(page.locator("[data-list-count]")).to_contain_text(f"{gap_count} cliente")
    body_rows = page.locator("[data-customer-list] tbody tr")
    expect(body_rows).to_have_count(gap_count)
    expect(body_rows.first).to_contain_text(rep_name)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Exportar CSV")).click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Código;Cliente;Carteira de")
    assert len(text.strip().splitlines()) == gap_count + 1

    first = body_rows.first.locator("a").first
    name = first.inner_text()
    first.click()  # click 2: the customer
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text(name)


def test_supervisor_cannot_see_another_team(desk_page, live_server, scored):
    """Tests that another team's rep answers 404 and its customers never appear."""
    rep_id, codes = live_server.run(_other_team)
    browser_login(desk_page, SUPERVISOR, _password())
    response = desk_page.goto(f"/supervisor/?rep={rep_id}")
    assert response.status == 404
    desk_page.goto("/supervisor/clientes?list=all&period=90")
    listed = desk_page.locator("[data-customer-list]").inner_text()
    assert not any(re.search(rf"\b{c}\b", listed) for c in codes)
    options = desk_page.get_by_label("Carteira de").locator("option").all_inner_texts()
    assert len(options) == 1 + 5  # whole team + 4 reps + 1 telesales seat
