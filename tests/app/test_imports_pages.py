"""Admin import pages: upload → preview with every problem → confirm; template downloads."""

from __future__ import annotations

import io
import re
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, ImportMapping
from tests.factories import two_teams
from tests.support.imports import CUSTOMER_HEADER, csv_bytes, customer_rows
from tests.support.web import csrf_token, login


def _upload(client, raw, name="clientes.csv"):
    token = csrf_token(client, "/admin/importacao/")
    return client.post(
        "/admin/importacao/",
        data={"csrf_token": token, "kind": "customers", "file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def _count(company):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Customer).where(Customer.company_id == company.id)
    )


def test_preview_lists_problems_then_confirm_imports(client, db_session, app):
    """Tests the UI flow: a broken file shows its problems and offers no confirm; a good one
    imports once."""
    world = two_teams()
    world["rep1"].erp_code = "R010"
    login(client, world["admin"].email)
    before = _count(world["company"])
    rows = customer_rows(3)
    rows[1][7] = "abc"
    page = _upload(client, csv_bytes(CUSTOMER_HEADER, rows)).get_data(as_text=True)
    assert 'id="problems"' in page
    assert "Latitude" in page
    assert "imports/confirmar" not in page
    uploads = Path(app.instance_path) / "imports"
    kept = set(uploads.glob("*.upload")) if uploads.exists() else set()

    preview = _upload(client, csv_bytes(CUSTOMER_HEADER, customer_rows(3)))
    html = preview.get_data(as_text=True)
    assert "/admin/importacao/confirmar" in html
    assert _count(world["company"]) == before
    fields = dict(
        __import__("re").findall(
            r'name="(kind|token|filename|csrf_token)"[^>]*value="([^"]*)"', html
        )
    )
    assert len(set(uploads.glob("*.upload")) - kept) == 1
    done = client.post("/admin/importacao/confirmar", data=fields)
    assert done.status_code == 302
    assert _count(world["company"]) == before + 3
    assert set(uploads.glob("*.upload")) - kept == set()
    again = client.post("/admin/importacao/confirmar", data=fields, follow_redirects=True)
    assert _count(world["company"]) == before + 3
    assert again.status_code == 200


def test_templates_download_and_admin_only(client, db_session):
    """Tests the template downloads (CSV with BOM, XLSX zip) and that non-admins get 403."""
    world = two_teams()
    login(client, world["admin"].email)
    csv = client.get("/admin/importacao/modelo/orders.csv")
    assert csv.data.startswith(b"\xef\xbb\xbfPedido;")
    assert client.get("/admin/importacao/modelo/users.xlsx").data.startswith(b"PK")
    assert client.get("/admin/importacao/modelo/nada.csv").status_code == 404
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/me")})
    login(client, world["sup1"].email)
    assert client.get("/admin/importacao/").status_code == 403


def _form_fields(html: str, action: str) -> dict[str, str]:
    """Hidden inputs of the form posting to `action` (values unescaped as a browser would)."""
    import html as html_lib

    form = next(part for part in html.split("<form")[1:] if f'action="{action}"' in part)
    return {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    }


ERP_HEADER = [
    "COD_CLI",
    "RAZAO",
    "CIDADE_CLI",
    "VEND",
    "HORARIO",
    "DIAS_ENTREGA",
    "LIMITE",
    "OBS INTERNA",
]


def _erp_rows(n: int, city: str = "Osasco") -> list[list[str]]:
    return [
        [
            f"E{i}",
            f"Empório {i} Ltda",
            city,
            "R010",
            "seg-sex 08:00-18:00",
            "ter,qui",
            "1.234,56",
            "x",
        ]
        for i in range(1, n + 1)
    ]


def test_erp_headers_mapped_in_the_preview_saved_and_reused(client, db_session):
    """Tests the mapping step: unknown headers open it, the admin maps them, the mapping is
    saved and reused."""
    world = two_teams()
    world["rep1"].erp_code = "R010"
    db.session.flush()
    login(client, world["admin"].email)
    raw = csv_bytes(ERP_HEADER, _erp_rows(2), encoding="cp1252")
    page = _upload(client, raw, "erp.csv").get_data(as_text=True)
    assert 'id="mapping" open' in page
    assert "COD_CLI" in page
    assert "Empório 1 Ltda" in page
    assert "imports/confirmar" not in page
    fields = _form_fields(page, "/admin/importacao/colunas")
    choices = [
        "erp_code",
        "legal_name",
        "city",
        "owner",
        "opening_hours",
        "delivery_weekdays",
        "credit_limit",
        "",
    ]
    mapped = client.post("/admin/importacao/colunas", data={**fields, "column": choices})
    html = mapped.get_data(as_text=True)
    assert mapped.status_code == 200
    assert 'id="problems"' not in html
    assert "/admin/importacao/confirmar" in html
    confirm = _form_fields(html, "/admin/importacao/confirmar")
    assert client.post("/admin/importacao/confirmar", data=confirm).status_code == 302
    stored = db.session.scalar(
        sa.select(Customer).where(
            Customer.company_id == world["company"].id, Customer.erp_code == "E1"
        )
    )
    assert (stored.city, stored.owner_id, stored.delivery_weekdays) == (
        "Osasco",
        world["rep1"].id,
        0b0001010,
    )
    assert stored.opening_hours["fri"] == [["08:00", "18:00"]]
    assert stored.opening_hours["sat"] == []

    again = _upload(
        client, csv_bytes(ERP_HEADER, _erp_rows(3, city="Barueri"), encoding="cp1252"), "erp2.csv"
    )
    html = again.get_data(as_text=True)
    assert 'id="mapping" open' not in html  # the saved mapping reads the file as is
    assert 'id="changes"' in html
    assert "Osasco" in html
    assert "Barueri" in html
    assert re.search(r"<td>Cidade</td><td>2</td>", html)


def test_mapping_that_feeds_one_field_twice_is_refused(client, db_session):
    """Tests that a mapping choosing the same field for two columns is refused and not saved."""
    world = two_teams()
    login(client, world["admin"].email)
    page = _upload(client, csv_bytes(ERP_HEADER, _erp_rows(1)), "erp.csv").get_data(as_text=True)
    fields = _form_fields(page, "/admin/importacao/colunas")
    choices = ["erp_code", "erp_code", "", "", "", "", "", ""]
    html = client.post("/admin/importacao/colunas", data={**fields, "column": choices}).get_data(
        as_text=True
    )
    assert "COD_CLI" in html
    assert "RAZAO" in html
    # The refusal is said inside the mapping form, next to the columns, not in a flash.
    form = re.search(
        r'<form method="post" action="/admin/importacao/colunas">.*?</form>', html, re.S
    )
    assert form is not None
    assert 'id="mapping-error"' in form.group(0)
    assert "COD_CLI" in form.group(0).split('id="mapping-error"')[1].split("</div>")[0]
    assert 'class="flash flash-error"' not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportMapping)) == 0
    short = client.post("/admin/importacao/colunas", data={**fields, "column": ["erp_code"]})
    assert short.status_code == 400


def test_export_download_reads_back_as_no_change(client, db_session):
    """Tests the current-data download: admin only, in the template's columns, no change
    when sent back."""
    world = two_teams()
    login(client, world["admin"].email)
    export = client.get("/admin/importacao/exportar/customers.xlsx")
    assert export.status_code == 200
    assert export.data.startswith(b"PK")
    assert export.headers["Cache-Control"] == "no-store"
    html = _upload(client, export.data, "clientes.xlsx").get_data(as_text=True)
    assert re.search(r"<dt>Alterados</dt><dd>0</dd>", html)
    assert re.search(r"<dt>Novos</dt><dd>0</dd>", html)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/me")})
    login(client, world["sup1"].email)
    assert client.get("/admin/importacao/exportar/customers.csv").status_code == 403
