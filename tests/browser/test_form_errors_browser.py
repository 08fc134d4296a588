"""A refused desk form in a real browser: the message sits next to the field to fix, in view
below the sticky header, and the cursor is in that field."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import browser_login
from tests.browser.test_admin_people_browser import PASSWORD, _company


def test_customer_edit_error_is_shown_next_to_its_field(desk_page, live_server) -> None:  # type: ignore[no-untyped-def]
    """Tests a latitude typed as a word: the page comes back with the error under the
    Latitude field, visible and not hidden by the header, and focus on the field."""
    page = desk_page
    admin_email, customer_id = live_server.run(_company)
    browser_login(page, admin_email, PASSWORD)
    page.goto(f"/carteira/clientes/{customer_id}/editar")
    page.get_by_label("Latitude").fill("norte")
    page.get_by_role("button", name="Salvar cliente").click()
    page.wait_for_load_state("networkidle")

    latitude = page.get_by_label("Latitude")
    error = page.locator("#latitude-error")
    expect(error).to_be_visible()
    expect(error).to_be_in_viewport()
    expect(latitude).to_have_attribute("aria-invalid", "true")
    expect(latitude).to_be_focused()
    expect(latitude).to_have_value("norte")  # what was typed is kept
    header = page.locator("header").first.bounding_box()
    box = error.bounding_box()
    assert header is not None
    assert box is not None
    assert box["y"] >= header["y"] + header["height"], "the message is not under the header"
    expect(page.locator(".flash-error")).to_have_count(0)
