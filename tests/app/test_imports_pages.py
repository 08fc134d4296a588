"""Admin import pages: upload → preview with every problem → confirm; template downloads."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Customer
from tests.factories import two_teams
from tests.support.imports import CUSTOMER_HEADER, csv_bytes, customer_rows
from tests.support.web import csrf_token, login


def _upload(client, raw, name="clientes.csv"):
    token = csrf_token(client, "/admin/importacao/")
    return client.post("/admin/importacao/", data={"csrf_token": token, "kind": "customers",
                                                   "file": (io.BytesIO(raw), name)},
                       content_type="multipart/form-data")


def _count(company):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Customer).where(Customer.company_id == company.id))


def test_preview_lists_problems_then_confirm_imports(client, db_session, app):
    """Tests the UI flow: a broken file shows its problems and offers no confirm; a good one imports once."""
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
    fields = dict(__import__("re").findall(r'name="(kind|token|filename|csrf_token)"[^>]*value="([^"]*)"', html))
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
