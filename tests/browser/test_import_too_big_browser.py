"""An admin sends a file over the upload limit: the import page says so (no error
page, no reset)."""

from __future__ import annotations

from playwright.sync_api import expect

from app.models import Role
from tests.browser.conftest import browser_login
from tests.factories import PASSWORD, make_company, make_user
from tests.support.imports import CUSTOMER_HEADER, csv_bytes, customer_rows


def _admin() -> str:
    company = make_company("Distribuidora do Arquivo Grande")
    return make_user(company, Role.ADMIN, email="admin@arquivogrande.com.br").email


def test_too_big_file_is_refused_with_a_message_on_the_import_page(desk_page, live_server):
    """Tests MAX_CONTENT_LENGTH through a real browser and server: back on the form, told why."""
    email = live_server.run(_admin)
    page = desk_page
    browser_login(page, email, PASSWORD)
    limit = live_server.app.config["MAX_CONTENT_LENGTH"]
    live_server.app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    try:
        page.goto("/admin/importacao/")
        page.get_by_label("Dados").select_option("customers")
        big = csv_bytes(CUSTOMER_HEADER, customer_rows(4_000))
        assert len(big) > 256 * 1024
        page.set_input_files(
            "input[type=file]",
            files=[{"name": "clientes.csv", "mimeType": "text/csv", "buffer": big}],
        )
        page.get_by_role("button", name="Conferir arquivo").click()
        page.wait_for_load_state("networkidle")
        expect(page.locator("body")).to_contain_text("O arquivo tem mais de 0.25 MB")
        assert page.url.endswith("/admin/importacao/")
        expect(page.get_by_role("button", name="Conferir arquivo")).to_be_visible()
    finally:
        live_server.app.config["MAX_CONTENT_LENGTH"] = limit
