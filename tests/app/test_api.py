"""REST API v1: tokens, bulk upserts through the import service, scoped reads,
pagination, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, Customer, Order, Plan, PlanStop
from app.services import api_tokens
from tests.factories import make_contact, two_teams


def bearer(user) -> dict[str, str]:
    _token, clear = api_tokens.create(user=user, name="teste", actor=user)
    db.session.flush()
    return {"Authorization": f"Bearer {clear}"}


@pytest.fixture
def world(db_session):
    return two_teams()


def test_token_is_stored_hashed_and_revocable(client, world):
    """Tests that only the hash is kept, that a revoked token answers 401 with the error body."""
    token, clear = api_tokens.create(user=world["admin"], name="ERP", actor=world["admin"])
    assert clear not in (token.token_hash, token.prefix)
    assert clear.startswith(token.prefix)
    headers = {"Authorization": f"Bearer {clear}"}
    assert client.get("/api/v1/customers", headers=headers).status_code == 200
    api_tokens.revoke(token=token, actor=world["admin"])
    answer = client.get("/api/v1/customers", headers=headers)
    assert answer.status_code == 401
    assert set(answer.get_json()["error"]) == {"status", "code", "message", "details"}
    assert (
        client.get("/api/v1/customers", headers={"Authorization": "Bearer rt_nope"}).status_code
        == 401
    )


def test_session_cookie_does_not_authenticate_api(client, world):
    """Tests that API auth is by token only (so CSRF exemption is safe)."""
    from tests.support.web import login

    login(client, world["admin"].email)
    assert client.get("/api/v1/customers").status_code == 401


def test_bulk_upsert_customers_all_or_nothing_and_idempotent(client, world):
    """Tests the same import service behind the API: 422 names the item and field;
    re-post is a no-op."""
    headers = bearer(world["admin"])
    items = [
        {"erp_code": "API1", "legal_name": "Loja API 1", "latitude": -23.5, "longitude": -46.6},
        {"erp_code": "API2", "legal_name": "Loja API 2", "owner": world["rep1"].email},
    ]
    bad = [*items, {"erp_code": "API3", "legal_name": "Loja 3", "owner": "ninguem@x.y"}]
    answer = client.post("/api/v1/customers", json={"items": bad}, headers=headers)
    assert answer.status_code == 422
    details = answer.get_json()["error"]["details"]
    assert [(d["row"], d["column"]) for d in details] == [(2, "owner")]
    company_id = world["company"].id
    codes = sa.select(Customer.erp_code).where(
        Customer.company_id == company_id, Customer.erp_code.like("API%")
    )
    assert db.session.scalars(codes).all() == []
    first = client.post("/api/v1/customers", json={"items": items}, headers=headers).get_json()
    assert (first["created"], first["updated"], first["unchanged"]) == (2, 0, 0)
    again = client.post("/api/v1/customers", json={"items": items}, headers=headers).get_json()
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_only_admins_write_and_schema_errors_are_422(client, world):
    """Tests 403 for a rep's bulk write and 422 with details for a malformed body."""
    rep = bearer(world["rep1"])
    assert (
        client.post(
            "/api/v1/customers", json={"items": [{"erp_code": "X", "legal_name": "Y"}]}, headers=rep
        ).status_code
        == 403
    )
    answer = client.post(
        "/api/v1/customers", json={"items": [{"legal_name": 3}]}, headers=bearer(world["admin"])
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"]


def test_orders_with_lines_and_receivables(client, world):
    """Tests orders grouped from nested lines and receivables, by code."""
    headers = bearer(world["admin"])
    code = world["c_rep1"].erp_code
    order = {
        "order_code": "PA1",
        "customer_code": code,
        "order_date": "2026-11-20",
        "lines": [
            {"product_code": "SKU1", "quantity": 2, "unit_price": 10.5},
            {"product_code": "SKU2", "quantity": 1, "unit_price": 3, "category": "Limpeza"},
        ],
    }
    body = client.post("/api/v1/orders", json={"items": [order]}, headers=headers).get_json()
    assert (body["rows"], body["created"]) == (1, 1)
    stored = db.session.scalar(sa.select(Order).where(Order.erp_code == "PA1"))
    assert str(stored.total) == "24.00"
    order["lines"][1]["quantity"] = 0
    bad = client.post("/api/v1/orders", json={"items": [order]}, headers=headers)
    assert bad.status_code == 422
    assert [(d["item"], d["line"], d["column"]) for d in bad.get_json()["error"]["details"]] == [
        (0, 1, "quantity")
    ]
    rec = {
        "erp_code": "TA1",
        "customer_code": code,
        "issue_date": "2026-11-01",
        "due_date": "2026-12-01",
        "amount": 99.9,
    }
    assert (
        client.post("/api/v1/receivables", json={"items": [rec]}, headers=headers).get_json()[
            "created"
        ]
        == 1
    )


def _plan(rep, customer, day):
    plan = Plan(
        company_id=rep.company_id, user_id=rep.id, plan_date=day, start_s=28800, end_s=36000
    )
    plan.stops.append(
        PlanStop(seq=1, customer_id=customer.id, arrival_s=30000, start_s=30000, departure_s=31200)
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def test_plans_are_scoped(client, world):
    """Tests the route read: own plan, a team rep for the supervisor, 404 for others' reps."""
    day = date(2026, 11, 24)
    _plan(world["rep1"], world["c_rep1"], day)
    own = client.get("/api/v1/plans?date=2026-11-24", headers=bearer(world["rep1"]))
    assert own.status_code == 200
    assert own.get_json()["stops"][0]["customer_code"] == world["c_rep1"].erp_code
    url = f"/api/v1/plans?date=2026-11-24&rep_id={world['rep1'].id}"
    assert client.get(url, headers=bearer(world["sup1"])).status_code == 200
    for other in ("rep2", "sup2", "other_admin", "tel1"):
        assert client.get(url, headers=bearer(world[other])).status_code == 404, other
    assert (
        client.get("/api/v1/plans?date=2026-11-25", headers=bearer(world["rep1"])).status_code
        == 404
    )


def test_contacts_export_since_and_paginated(client, world):
    """Tests the export: scope, since filter, X-Total-Count and Link headers."""
    for i in range(5):
        make_contact(world["c_rep1"], world["rep1"], date(2026, 11, 10 + i))
    make_contact(world["c_rep2"], world["rep2"], date(2026, 11, 10))
    headers = bearer(world["sup1"])
    page1 = client.get("/api/v1/contacts?per_page=2", headers=headers)
    assert page1.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in page1.headers["Link"]
    assert len(page1.get_json()) == 2
    page3 = client.get("/api/v1/contacts?per_page=2&page=3", headers=headers)
    assert len(page3.get_json()) == 1
    assert 'rel="next"' not in page3.headers["Link"]
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    none = client.get("/api/v1/contacts", query_string={"since": later}, headers=headers)
    assert none.get_json() == []
    assert (
        client.get("/api/v1/contacts", headers=bearer(world["other_admin"])).headers[
            "X-Total-Count"
        ]
        == "0"
    )


def test_openapi_document_is_generated(client, world):
    """Tests the OpenAPI 3 document: every operation, bearer security, the error schema."""
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {
        "/api/v1/customers",
        "/api/v1/orders",
        "/api/v1/receivables",
        "/api/v1/plans",
        "/api/v1/contacts",
        "/api/v1/users",
        "/api/v1/customers/{customer_id}/call-requests",
        "/api/v1/customers/{customer_id}/appointments",
        "/api/v1/customers/{customer_id}/lost",
        "/api/v1/customers/move",
        "/api/v1/capacity",
        "/api/v1/capacity/suggestion",
        "/api/v1/targets",
    }
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "error" in doc["components"]["schemas"]["Error"]["properties"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_customer_upsert_absent_keeps_null_clears_hours_as_text_or_week(client, world):
    """Tests the API's update rules: a key left out keeps, null clears, and both
    opening-hours forms."""
    headers = bearer(world["admin"])
    full = {
        "erp_code": "H1",
        "legal_name": "Loja Horário",
        "city": "Santos",
        "owner": world["rep1"].email,
        "latitude": -23.96,
        "longitude": -46.33,
        "opening_hours": "seg-sex 08:00-18:00; sáb 08:00-12:00",
        "delivery_weekdays": "ter,qui",
    }
    assert (
        client.post("/api/v1/customers", json={"items": [full]}, headers=headers).get_json()[
            "created"
        ]
        == 1
    )
    partial = client.post(
        "/api/v1/customers",
        json={"items": [{"erp_code": "H1", "trade_name": "Horário"}], "dry_run": True},
        headers=headers,
    ).get_json()
    assert partial["fields"] == {"trade_name": 1}
    assert partial["changes"] == [
        {
            "row": 0,
            "code": "H1",
            "fields": [{"field": "trade_name", "old": "Loja Horário", "new": "Horário"}],
        }
    ]
    week = {"mon": [["07:00", "11:00"]], "sat": []}
    answer = client.post(
        "/api/v1/customers",
        json={
            "items": [
                {
                    "erp_code": "H1",
                    "owner": None,
                    "opening_hours": week,
                    "latitude": None,
                    "longitude": None,
                }
            ]
        },
        headers=headers,
    )
    assert answer.status_code == 200, answer.get_json()
    stored = db.session.scalar(sa.select(Customer).where(Customer.erp_code == "H1"))
    db.session.refresh(stored)
    assert (stored.owner_id, stored.latitude, stored.city, stored.delivery_weekdays) == (
        None,
        None,
        "Santos",
        0b1010,
    )
    assert stored.opening_hours["mon"] == [["07:00", "11:00"]]
    assert stored.opening_hours["tue"] == []
    listed = client.get("/api/v1/customers", headers=headers).get_json()
    mine = next(c for c in listed if c["erp_code"] == "H1")
    assert (mine["opening_hours"], mine["delivery_weekdays"]) == ("seg 07:00-11:00", "ter,qui")
    assert mine["opening_hours_week"]["mon"] == [["07:00", "11:00"]]
    cleared = client.post(
        "/api/v1/customers",
        json={"items": [{"erp_code": "H1", "opening_hours": None}]},
        headers=headers,
    )
    assert cleared.status_code == 200
    db.session.refresh(stored)
    assert stored.opening_hours == {}
    for bad in (
        {"erp_code": "H1", "segment": None},
        {"erp_code": "H1", "opening_hours": {"mon": [["9", "x"]]}},
        {"erp_code": "H1", "opening_hours": {"funday": []}},
        {"erp_code": "H1", "opening_hours": [1]},
    ):
        refused = client.post("/api/v1/customers", json={"items": [bad]}, headers=headers)
        assert refused.status_code == 422, bad


def test_users_upsert_and_list_with_work_profiles(client, world):
    """Tests POST/GET /api/v1/users: a Saturday rep with a profile, the list in the same
    keys, admin only."""
    headers = bearer(world["admin"])
    item = {
        "email": "sabado.api@teste.roteiro.app",
        "name": "Sá Bado",
        "role": "rep",
        "erp_code": "RS1",
        "work_days": "seg-sáb",
        "day_start": "07:00",
        "day_end": "16:00",
        "base_latitude": -23.6,
        "base_longitude": -46.7,
        "base_address": "Rua C, 3",
    }
    created = client.post("/api/v1/users", json={"items": [item]}, headers=headers)
    assert created.status_code == 200, created.get_json()
    listed = client.get("/api/v1/users", headers=headers)
    me = next(u for u in listed.get_json() if u["email"] == item["email"])
    assert {k: me[k] for k in item} == {**item, "role": "rep"}
    assert (me["lunch_start"], me["lunch_end"], me["max_work_minutes"]) == ("11:30", "14:30", 540)
    again = client.post(
        "/api/v1/users", json={"items": [{k: me[k] for k in item}]}, headers=headers
    ).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    taken = client.post(
        "/api/v1/users",
        json={"items": [{"email": world["rep2"].email, "erp_code": "RS1"}]},
        headers=headers,
    )
    assert taken.status_code == 422
    assert taken.get_json()["error"]["details"][0]["column"] == "erp_code"
    assert client.get("/api/v1/users", headers=bearer(world["sup1"])).status_code == 403
