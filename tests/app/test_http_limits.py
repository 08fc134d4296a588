"""Status codes under odd requests: 405 with Allow, 403 before 422, deep JSON 400, 413 bodies."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.extensions import db
from app.models import Customer
from app.security.json_input import MAX_DEPTH
from app.services import api_tokens
from tests.factories import two_teams
from tests.support.web import csrf_token, login


def bearer(user) -> dict[str, str]:
    _token, clear = api_tokens.create(user=user, name="limits", actor=user)
    db.session.flush()
    return {"Authorization": f"Bearer {clear}"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def world(db_session):
    return two_teams()


def test_405_names_the_allowed_methods(client, world):
    """Tests the Allow header on an API 405 (JSON body) and on a page 405 (HTML)."""
    api = client.delete("/api/v1/customers", headers=bearer(world["admin"]))
    assert api.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in api.headers["Allow"].split(",")}
    assert api.get_json()["error"]["code"] == "method_not_allowed"
    page = client.put("/auth/login")
    assert page.status_code == 405
    assert "POST" in page.headers["Allow"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/customers", {"items": "not a list"}),
        ("post", "/api/v1/orders", {"items": [{"lines": 3}]}),
        ("post", "/api/v1/receivables", {}),
        ("post", "/api/v1/users", {"items": [{"email": 12}]}),
        ("get", "/api/v1/users?page=zero", None),
    ],
)
def test_non_admins_get_403_before_any_validation(client, world, method, path, body):
    """Tests that a rep's invalid admin-only request is refused for the role, not the body."""
    for role in ("rep1", "sup1", "tel1"):
        answer = getattr(client, method)(path, json=body, headers=bearer(world[role]))
        assert answer.status_code == 403, (role, answer.get_json())
    admin = getattr(client, method)(path, json=body, headers=bearer(world["admin"]))
    assert admin.status_code == 422


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deeply_nested_json_is_a_clear_400(client, world, depth):
    """Tests nesting past the limit on the REST API and the rep's API: 400 with a reason, no 500."""
    body = '{"items": [{"erp_code": "X", "opening_hours": ' + nested(depth) + "}]}"
    answer = client.post(
        "/api/v1/customers",
        data=body,
        content_type="application/json",
        headers=bearer(world["admin"]),
    )
    assert answer.status_code == 400
    assert "nested deeper" in answer.get_json()["error"]["message"]
    login(client, world["rep1"].email)
    token = csrf_token(client, "/auth/me")
    rep = client.post(
        "/api/rep/contacts",
        data=nested(depth),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert rep.status_code == 400


def test_json_within_the_limit_still_reads(client, world):
    """Tests that the nesting limit leaves real bodies alone (opening hours are four
    levels deep)."""
    item = {
        "erp_code": "N1",
        "legal_name": "Loja\x01 Aninhada\x1f",
        "opening_hours": {"mon": [["08:00", "12:00"]]},
    }
    answer = client.post(
        "/api/v1/customers", json={"items": [item]}, headers=bearer(world["admin"])
    )
    assert answer.status_code == 200, answer.get_json()
    stored = db.session.scalar(sa.select(Customer).where(Customer.erp_code == "N1"))
    assert stored.legal_name == "Loja Aninhada"


def test_bodies_over_the_limit_get_413_with_a_clear_message(app, client, world, monkeypatch):
    """Tests MAX_CONTENT_LENGTH on the API (JSON error), anonymous posts and the import page."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    big = b'{"items": [' + b'{"erp_code": "X"},' * 80_000 + b'{"erp_code": "Y"}]}'
    api = client.post(
        "/api/v1/customers",
        data=big,
        content_type="application/json",
        headers=bearer(world["admin"]),
    )
    assert api.status_code == 413
    assert api.get_json()["error"]["message"] == "The request body is larger than 1 MB."
    anonymous = client.post("/auth/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert anonymous.status_code == 413
    login(client, world["admin"].email)
    token = csrf_token(client, "/admin/importacao/")
    # Encoded here: the test client would spool a big form to a temporary file it never closes.
    boundary, body = encode_multipart(
        {
            "csrf_token": token,
            "kind": "customers",
            "file": FileStorage(io.BytesIO(b"Codigo;Nome\r\n" + b"1;a\r\n" * 300_000), "big.csv"),
        }
    )
    upload = client.post(
        "/admin/importacao/",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert upload.status_code == 303
    page = client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "1 MB" in page
    assert "flask import" in page


def test_openapi_documents_the_statuses_and_links(client, db_session):
    """Tests the spec: 403 on every administrators' operation, links from contacts and users."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    admin_only = [
        ("/api/v1/customers", "post"),
        ("/api/v1/orders", "post"),
        ("/api/v1/receivables", "post"),
        ("/api/v1/users", "post"),
        ("/api/v1/users", "get"),
    ]
    for path, method in admin_only:
        assert "403" in paths[path][method]["responses"], (path, method)
    assert "403" not in paths["/api/v1/customers"]["get"]["responses"]
    for path in ("/api/v1/contacts", "/api/v1/users"):
        links = paths[path]["get"]["responses"]["200"]["links"]
        (link,) = links.values()
        assert link["operationRef"] == "#/paths/~1api~1v1~1plans/get"
        assert "rep_id" in link["parameters"]
