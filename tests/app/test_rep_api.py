"""The rep's JSON API: idempotent visits by client UUID, portfolio scoping, far check-ins."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Contact, Outcome, PlanStatus, Receivable, StopStatus
from app.services.clock import local_today
from tests.factories import make_customer, two_teams
from tests.support.rep import make_plan, make_score, make_settings
from tests.support.web import csrf_token, login

# The factories put customers at (-23.54, -46.576).
AT_CUSTOMER = {"lat": -23.5401, "lon": -46.5761, "accuracy": 12}
FAR_AWAY = {"lat": -23.5505, "lon": -46.6333, "accuracy": 12}


@pytest.fixture
def world(db_session):
    w = two_teams()
    make_settings(w["company"].id, radius_m=300)
    today = local_today()
    w["c_rep1b"] = make_customer(w["company"], w["rep1"], trade_name="Empório do Rep Um")
    w["plan"] = make_plan(w["rep1"], [w["c_rep1"], w["c_rep1b"]], today)
    w["plan2"] = make_plan(w["rep2"], [w["c_rep2"]], today)
    make_score(w["c_rep1"], today)
    return w


def _post(client, body, token):
    return client.post("/api/rep/contacts", json=body, headers={"X-CSRFToken": token})


def _as(client, user):
    login(client, user.email)
    return csrf_token(client, "/auth/me")


def _count(client_uuid: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Contact)
        .where(Contact.client_uuid == uuid.UUID(client_uuid))
    )


def test_check_in_then_out_is_one_contact_and_resends_change_nothing(client, world):
    """Tests that a visit's check-in and check-out upsert one contact, and re-sending both
    is idempotent."""
    token = _as(client, world["rep1"])
    stop = world["plan"].stops[0]
    key = str(uuid.uuid4())
    check_in = {
        "client_uuid": key,
        "action": "check_in",
        "customer_id": world["c_rep1"].id,
        "stop_id": stop.id,
        **AT_CUSTOMER,
    }
    check_out = {
        "client_uuid": key,
        "action": "check_out",
        "customer_id": world["c_rep1"].id,
        "stop_id": stop.id,
        "outcome": "order",
        "order_value": "1234,50",
        "notes": "Pediu 10 cx",
    }
    first = _post(client, check_in, token)
    assert first.status_code == 201
    assert _post(client, check_out, token).status_code == 200
    for body in (check_in, check_out, check_out):
        assert _post(client, body, token).status_code == 200
    assert _count(key) == 1
    contact = db.session.scalar(sa.select(Contact).where(Contact.client_uuid == uuid.UUID(key)))
    db.session.refresh(contact)
    assert contact.outcome == Outcome.ORDER
    assert contact.order_value == Decimal("1234.50")
    assert contact.planned
    assert contact.plan_stop_id == stop.id
    assert not contact.check_in_flagged
    assert contact.check_in_distance_m < 50
    db.session.refresh(stop)
    db.session.refresh(world["plan"])
    assert stop.status == StopStatus.DONE
    assert world["plan"].status == PlanStatus.STARTED


def test_far_check_in_is_kept_and_flagged(client, world):
    """Tests that a check-in beyond the company's radius is stored with its distance and flagged."""
    token = _as(client, world["rep1"])
    key = str(uuid.uuid4())
    response = _post(
        client,
        {"client_uuid": key, "action": "check_in", "customer_id": world["c_rep1"].id, **FAR_AWAY},
        token,
    )
    assert response.status_code == 201
    body = response.get_json()["contact"]
    assert body["check_in_flagged"] is True
    assert 5000 < body["check_in_distance_m"] < 7000


def test_radius_comes_from_the_latest_settings(client, world):
    """Tests that a larger radius in a newer settings version accepts the same far check-in."""
    make_settings(world["company"].id, radius_m=10_000, version=2)
    token = _as(client, world["rep1"])
    response = _post(
        client,
        {
            "client_uuid": str(uuid.uuid4()),
            "action": "check_in",
            "customer_id": world["c_rep1"].id,
            **FAR_AWAY,
        },
        token,
    )
    assert response.get_json()["contact"]["check_in_flagged"] is False


@pytest.mark.parametrize("target", ["c_rep2", "c_tel1", "c_other"])
def test_rep_cannot_write_contacts_outside_their_portfolio(client, world, target):
    """Tests that visits to customers of other portfolios or companies answer 404 and
    store nothing."""
    token = _as(client, world["rep1"])
    key = str(uuid.uuid4())
    response = _post(
        client,
        {"client_uuid": key, "action": "check_in", "customer_id": world[target].id, **AT_CUSTOMER},
        token,
    )
    assert response.status_code == 404
    assert _count(key) == 0


def test_uuid_of_another_reps_visit_is_not_found(client, world):
    """Tests that re-using another rep's client UUID cannot touch their contact."""
    token = _as(client, world["rep2"])
    key = str(uuid.uuid4())
    assert (
        _post(
            client,
            {"client_uuid": key, "action": "check_in", "customer_id": world["c_rep2"].id},
            token,
        ).status_code
        == 201
    )
    client.post("/auth/logout", data={"csrf_token": token})
    token = _as(client, world["rep1"])
    response = _post(
        client,
        {
            "client_uuid": key,
            "action": "skip",
            "reason": "preco",
            "customer_id": world["c_rep1"].id,
        },
        token,
    )
    assert response.status_code == 404


def test_skip_needs_a_known_reason(client, world):
    """Tests that a skip without a reason from the company's list is refused, and with
    one is stored."""
    token = _as(client, world["rep1"])
    stop = world["plan"].stops[1]
    base = {
        "client_uuid": str(uuid.uuid4()),
        "action": "skip",
        "customer_id": world["c_rep1b"].id,
        "stop_id": stop.id,
    }
    assert _post(client, base, token).status_code == 400
    assert _post(client, {**base, "reason": "inventado"}, token).status_code == 400
    response = _post(client, {**base, "reason": "preco"}, token)
    assert response.status_code == 201
    assert response.get_json()["contact"]["outcome"] == "skipped"
    db.session.refresh(stop)
    assert stop.status == StopStatus.SKIPPED


@pytest.mark.parametrize(
    "body",
    [
        {"client_uuid": None, "action": "check_in"},
        {"client_uuid": "not-a-uuid", "action": "check_in"},
        {"action": "fly"},
        {"action": "check_out", "outcome": "order"},
        {"action": "check_out", "outcome": "callback"},
        {"action": "check_in", "lat": "abc"},
    ],
)
def test_malformed_payloads_are_refused(client, world, body):
    """Tests that malformed visit payloads answer 400 with the 'invalid' code."""
    token = _as(client, world["rep1"])
    full = {"client_uuid": str(uuid.uuid4()), "customer_id": world["c_rep1"].id, **body}
    response = _post(client, full, token)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


def test_unplanned_visit_to_a_portfolio_customer(client, world):
    """Tests that a visit without a stop is recorded as unplanned and listed in today's extras."""
    extra = make_customer(world["company"], world["rep1"], trade_name="Bar Fora do Roteiro")
    token = _as(client, world["rep1"])
    key = str(uuid.uuid4())
    response = _post(
        client, {"client_uuid": key, "action": "check_in", "customer_id": extra.id}, token
    )
    assert response.status_code == 201
    assert response.get_json()["contact"]["planned"] is False
    today = client.get("/api/rep/today").get_json()
    assert [e["customer"]["name"] for e in today["extra"]] == ["Bar Fora do Roteiro"]
    found = client.get("/api/rep/customers?q=fora do").get_json()["customers"]
    assert [c["id"] for c in found] == [extra.id]
    assert client.get("/api/rep/customers?q=rep dois").get_json()["customers"] == []


def test_today_json_has_the_route_with_reasons_and_links(client, world):
    """Tests that today's JSON lists the rep's own stops in order with reasons, flags,
    offers and links."""
    _as(client, world["rep1"])
    response = client.get("/api/rep/today")
    assert response.headers["Cache-Control"].startswith("no-store")
    data = response.get_json()
    assert [s["customer"]["name"] for s in data["stops"]] == [
        "Padaria do Rep Um",
        "Empório do Rep Um",
    ]
    first = data["stops"][0]
    assert first["time"] == "08:30"
    assert first["reasons"][0].startswith("32 dias sem comprar")
    assert first["offers"] == ["Bebidas"]
    assert first["flags"][0]["css"] == "collect"
    assert first["customer"]["nav"]["waze"].startswith(
        "https://waze.com/ul?ll=-23.540000,-46.576000"
    )
    assert data["plan"]["stops"] == 2
    assert data["plan"]["remaining"] == 2
    assert [r["key"] for r in data["no_sale_reasons"]] == ["estoque_cheio", "preco"]


def test_stop_pages_are_scoped(client, world):
    """Tests that a rep opens their own stop and gets 404 for another rep's stop."""
    _as(client, world["rep1"])
    assert client.get(f"/hoje/paradas/{world['plan'].stops[0].id}").status_code == 200
    assert client.get(f"/hoje/paradas/{world['plan2'].stops[0].id}").status_code == 404


def test_api_needs_a_rep_session(client, world):
    """Tests that the API answers 401 without a session and 403 to other roles."""
    assert client.get("/api/rep/today").status_code == 401
    _as(client, world["sup1"])
    assert client.get("/api/rep/today").status_code == 403


def test_rep_lands_on_today_and_shell_has_no_user_data(client, world):
    """Tests that a rep's home is today's route, and the offline shell carries no name or token."""
    _as(client, world["rep1"])
    assert client.get("/").headers["Location"].endswith("/hoje")
    shell = client.get("/hoje/offline").get_data(as_text=True)
    assert world["rep1"].name not in shell
    assert "csrf" not in shell.lower()


def _cache_version(client) -> str:
    text = client.get("/sw.js").get_data(as_text=True)
    return re.search(r'const CACHE_VERSION = "([0-9a-f]+)";', text).group(1)


def test_service_worker_and_manifest(client):
    """Tests that /sw.js is served for root scope without caching, and the manifest
    is valid JSON."""
    sw = client.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["Cache-Control"] == "no-cache"
    assert sw.headers["Service-Worker-Allowed"] == "/"
    text = sw.get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*\]);", text).group(1))
    assert "/hoje/offline" in precache
    assert {"/static/js/rep/app.js", "/static/js/rep/money.js", "/static/css/rep.css"} <= set(
        precache
    )
    assert 'CACHE_VERSION = "dev"' not in text
    sw.close()
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json(force=True)
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    assert any(i["purpose"] == "maskable" for i in data["icons"])


def test_cache_version_follows_the_precached_files(client, app, tmp_path):
    """Tests that changing a precached file changes the worker's cache version, and
    nothing else does."""
    from app.rep import service_worker

    static = tmp_path / "static"
    for rel in ("js/sw.js", "js/rep/app.js", "css/rep.css"):
        (static / rel).parent.mkdir(parents=True, exist_ok=True)
        (static / rel).write_text((Path(app.static_folder) / rel).read_text())
    root = Path(app.root_path).parent

    def version() -> str:
        text = service_worker.worker_source(static, root)
        return re.search(r'const CACHE_VERSION = "([0-9a-f]+)";', text).group(1)

    first = version()
    assert version() == first
    (static / "css" / "rep.css").write_text("body { color: red; }")
    second = version()
    assert second != first
    (static / "unrelated.txt").write_text("not precached")
    assert version() == second
    assert _cache_version(client) == _cache_version(client)


def test_today_answers_304_when_the_phone_is_current(client, world):
    """Tests that the day's JSON carries a version, and asking with it answers 304 until a
    visit changes it."""
    token = _as(client, world["rep1"])
    first = client.get("/api/rep/today")
    version = first.get_json()["version"]
    assert first.headers["ETag"].strip('"').startswith(version)
    again = client.get("/api/rep/today", headers={"If-None-Match": f'"{version}"'})
    assert again.status_code == 304
    assert again.get_data() == b""
    compressed = client.get("/api/rep/today", headers={"If-None-Match": f'"{version}:br"'})
    assert compressed.status_code == 304
    stop = world["plan"].stops[0]
    _post(
        client,
        {
            "client_uuid": str(uuid.uuid4()),
            "action": "check_in",
            "customer_id": stop.customer_id,
            "stop_id": stop.id,
        },
        token,
    )
    changed = client.get("/api/rep/today", headers={"If-None-Match": f'"{version}"'})
    assert changed.status_code == 200
    assert changed.get_json()["version"] != version


def test_json_is_compressed_for_phones_that_ask(client, world):
    """Tests that the day's JSON is sent compressed to a client that accepts gzip or brotli."""
    _as(client, world["rep1"])
    response = client.get("/api/rep/today", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    page = client.get("/hoje", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in page.headers  # pages carry the CSRF token: never compressed


def test_card_carries_the_standing_note_overdue_and_credit(client, world):
    """Tests that a stop's JSON has the customer's standing note, overdue total and
    available credit."""
    customer = world["c_rep1"]
    customer.notes = "Falar com o gerente"
    customer.credit_limit = Decimal("1000")
    db.session.add(
        Receivable(
            company_id=customer.company_id,
            customer_id=customer.id,
            erp_code="T-1",
            issue_date=local_today() - timedelta(days=40),
            due_date=local_today() - timedelta(days=10),
            amount=Decimal("820"),
        )
    )
    db.session.flush()
    _as(client, world["rep1"])
    stop = client.get("/api/rep/today").get_json()["stops"][0]
    assert stop["customer"]["notes"] == "Falar com o gerente"
    assert stop["facts"]["overdue_total"] == "R$\xa0820,00"
    assert stop["facts"]["credit"] == {
        "available": "R$\xa0180,00",
        "limit": "R$\xa01.000,00",
        "blocked": False,
    }
    assert {"arrival_s", "start_s", "departure_s", "travel_s"} <= set(stop)


def test_near_me_lists_portfolio_customers_nearest_first(client, world):
    """Tests that 'near me' ranks the rep's own customers by distance and never another
    portfolio's."""
    near = make_customer(
        world["company"], world["rep1"], trade_name="Vizinho", latitude=-23.6001, longitude=-46.7001
    )
    _as(client, world["rep1"])
    found = client.get("/api/rep/customers?lat=-23.6&lon=-46.7").get_json()["customers"]
    assert found[0]["id"] == near.id
    assert found[0]["distance_m"] < 50
    assert [c["distance_m"] for c in found] == sorted(c["distance_m"] for c in found)
    assert world["c_rep2"].id not in {c["id"] for c in found}


def test_a_day_without_plan_says_why(client, world):
    """Tests that today's JSON without a plan carries the reason in words."""
    _as(client, world["rep2"])
    db.session.delete(world["plan2"])
    db.session.flush()
    why = client.get("/api/rep/today").get_json()["why_no_plan"]
    assert why["code"] in {
        "national_holiday",
        "state_holiday",
        "company_day_off",
        "time_off",
        "not_a_working_weekday",
        "not_planned",
    }
    assert why["message"]


def test_stale_stop_id_links_to_the_customers_current_stop(client, world):
    """Tests that a visit queued before a re-plan renumbered the stops still lands on the
    customer's stop."""
    token = _as(client, world["rep1"])
    current = world["plan"].stops[1]
    response = _post(
        client,
        {
            "client_uuid": str(uuid.uuid4()),
            "action": "check_in",
            "customer_id": world["c_rep1b"].id,
            "stop_id": current.id + 10_000,
            **AT_CUSTOMER,
        },
        token,
    )
    assert response.status_code == 201
    body = response.get_json()["contact"]
    assert body["stop_id"] == current.id
    assert body["planned"] is True


def test_another_reps_stop_id_does_not_link(client, world):
    """Tests that naming another rep's stop links nothing of theirs: the visit stays
    the rep's own."""
    token = _as(client, world["rep1"])
    foreign = world["plan2"].stops[0]
    response = _post(
        client,
        {
            "client_uuid": str(uuid.uuid4()),
            "action": "check_in",
            "customer_id": world["c_rep1"].id,
            "stop_id": foreign.id,
        },
        token,
    )
    assert response.status_code == 201
    assert response.get_json()["contact"]["stop_id"] == world["plan"].stops[0].id
    db.session.refresh(foreign)
    assert foreign.status == StopStatus.PENDING


def test_posts_need_the_csrf_token(client, world):
    """Tests that a visit POST without the X-CSRFToken header is refused and stores nothing."""
    _as(client, world["rep1"])
    key = str(uuid.uuid4())
    response = client.post(
        "/api/rep/contacts",
        json={"client_uuid": key, "action": "check_in", "customer_id": world["c_rep1"].id},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] != "invalid"  # the phone keeps it queued
    assert _count(key) == 0
