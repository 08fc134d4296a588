"""A supervisor reads each rep's capacity from the menu, asks for a rebalancing suggestion of
one move and applies it: the customer changes portfolio, and the move is in its history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import AuditLog, Customer
from tests.browser.conftest import browser_login

SUPERVISOR = "supervisor1@demo.roteiro.app"


def _password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _owner(customer_id: int) -> int | None:
    return db.session.get(Customer, customer_id).owner_id  # type: ignore[union-attr]


def _moves_of(customer_id: int) -> int:
    return len(
        db.session.scalars(
            sa.select(AuditLog).where(
                AuditLog.action == "customer.move", AuditLog.target == f"customer:{customer_id}"
            )
        ).all()
    )


@pytest.fixture
def restore_owner(live_server) -> Iterator[dict[str, int]]:  # type: ignore[no-untyped-def]
    """Give the moved customer back afterwards: the live data is shared by the session."""
    moved: dict[str, int] = {}
    yield moved
    if moved:

        def give_back() -> None:
            customer = db.session.get(Customer, moved["customer"])
            assert customer is not None
            customer.owner_id = moved["owner"]

        live_server.run(give_back)


def test_read_capacity_and_apply_a_suggestion(desk_page, live_server, restore_owner):
    """Tests the capacity page end to end in the browser, in Portuguese."""
    page = desk_page
    browser_login(page, SUPERVISOR, _password())
    page.get_by_role("link", name="Capacidade", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("Capacidade")
    rows = page.locator("[data-capacity] tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    expect(rows.first.locator("meter")).to_be_visible()
    expect(rows.first.locator("[data-can-serve]")).to_contain_text("cerca de")

    page.get_by_label("No máximo, quantas movimentações").fill("1")
    page.get_by_role("button", name="Sugerir rebalanceamento").click()
    move = page.locator("[data-moves] tbody tr")
    expect(move).to_have_count(1)
    expect(move.locator("[data-km]")).to_contain_text("km")
    value = move.locator("input[name=move]").get_attribute("value")
    assert value is not None
    customer_id, target_id = (int(part) for part in value.split(":"))
    restore_owner.update(customer=customer_id, owner=live_server.run(_owner, customer_id))
    before = live_server.run(_moves_of, customer_id)

    page.get_by_role("button", name="Aplicar as movimentações selecionadas").click()
    expect(page.locator(".flash-success")).to_contain_text("1 cliente movido.")
    assert live_server.run(_owner, customer_id) == target_id
    assert live_server.run(_moves_of, customer_id) == before + 1
