"""A real browser logs in as each role and sees its own data in Portuguese."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_login


def _logins(live_server):  # type: ignore[no-untyped-def]
    from app.demo.people import DEMO_PASSWORD, demo_logins

    with live_server.app.app_context():
        return DEMO_PASSWORD, demo_logins()


def test_rep_logs_in_and_sees_portuguese_portfolio(phone_page, live_server):
    """Tests that a rep logs in on a phone and lands on a page in Portuguese with their name."""
    password, logins = _logins(live_server)
    rep = next(login for login in logins if login.role == "rep")
    browser_login(phone_page, rep.email, password)
    assert phone_page.locator("footer").inner_text().startswith(rep.name)
    assert phone_page.get_by_role("button", name="Sair").is_visible()


def test_wrong_password_shows_generic_error(phone_page, live_server):
    """Tests that a bad password shows the generic Portuguese message."""
    _, logins = _logins(live_server)
    browser_login(phone_page, logins[0].email, "senha-errada-999")
    assert phone_page.get_by_text("E-mail ou senha incorretos.").is_visible()


@pytest.mark.parametrize("width", [360])
def test_login_page_fits_a_phone(phone_page, live_server, width):
    """Tests that the login page has no horizontal scroll at 360 px."""
    phone_page.goto("/auth/login")
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
