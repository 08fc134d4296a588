"""A real browser: the account page lists each device's login, ends another device's login,
and a logged-out device's copied cookies no longer open the account."""

from __future__ import annotations

from tests.browser.conftest import new_context


def _telesales(live_server):  # type: ignore[no-untyped-def]
    from app.demo.people import DEMO_PASSWORD, demo_logins

    with live_server.app.app_context():
        login = next(entry for entry in demo_logins() if entry.role == "telesales")
    return login.email, DEMO_PASSWORD


def _log_in(page, email: str, password: str, *, remember: bool) -> None:  # type: ignore[no-untyped-def]
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(password)
    if remember:
        page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state("networkidle")


def test_account_page_ends_another_device_and_logout_kills_copied_cookies(browser, live_server):  # type: ignore[no-untyped-def]
    """Tests the whole flow on two browser profiles (phone kept logged in, desk not)."""
    email, password = _telesales(live_server)
    phone_context = new_context(browser, live_server)
    desk_context = new_context(browser, live_server, phone=False)
    thief_context = None
    try:
        phone, desk = phone_context.new_page(), desk_context.new_page()
        _log_in(phone, email, password, remember=True)
        _log_in(desk, email, password, remember=False)
        phone.goto("/auth/me")
        rows = phone.locator("#login-list tbody tr")
        assert rows.count() >= 2
        this_device = phone.locator("strong.flag", has_text="este dispositivo")
        mine = phone.locator("#login-list tbody tr", has=this_device)
        assert mine.count() == 1
        assert "mantém conectado" in mine.inner_text()
        desk_row = phone.locator("#login-list tbody tr").filter(has_not=this_device)
        desk_row.first.get_by_role("button", name="Encerrar acesso deste dispositivo").click()
        phone.wait_for_load_state("networkidle")
        assert phone.get_by_text("O dispositivo foi desconectado.").is_visible()

        desk.goto("/auth/me")
        assert "/auth/login" in desk.url

        copied = phone_context.cookies()
        assert {c["name"] for c in copied} >= {"session", "remember_token"}
        phone.get_by_role("button", name="Sair").first.click()
        phone.wait_for_load_state("networkidle")
        thief_context = new_context(browser, live_server)
        thief_context.add_cookies(copied)  # type: ignore[arg-type]
        thief = thief_context.new_page()
        thief.goto("/auth/me")
        assert "/auth/login" in thief.url
        remember_only = [c for c in copied if c["name"] == "remember_token"]
        thief_context.clear_cookies()
        thief_context.add_cookies(remember_only)  # type: ignore[arg-type]
        thief.goto("/auth/me")
        assert "/auth/login" in thief.url
    finally:
        for context in (phone_context, desk_context, thief_context):
            if context is not None:
                context.close()
