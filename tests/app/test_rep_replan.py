"""Re-planning the rest of the day from the phone, and the week agenda."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import PlanStatus
from app.services.clock import local_today
from tests.factories import make_customer, two_teams
from tests.support.rep import make_plan, make_settings
from tests.support.web import csrf_token, login

# A line of customers going east from the rep's base (-23.55, -46.63).
EAST = [(-23.55, -46.62 + 0.01 * i) for i in range(5)]


@pytest.fixture
def world(db_session):
    w = two_teams()
    make_settings(w["company"].id)
    hours = {k: [["00:00", "23:59"]] for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    w["line"] = [
        make_customer(w["company"], w["rep1"], trade_name=f"Cliente Leste {i}", latitude=lat,
                      longitude=lon, opening_hours=hours, service_minutes=10)
        for i, (lat, lon) in enumerate(EAST)
    ]
    # The rep ends the day east of the line, so the best order is west to east; the plan
    # goes the worst way: far end first, then back west.
    w["rep1"].work_profile.end_lat, w["rep1"].work_profile.end_lon = -23.55, -46.55
    w["plan"] = make_plan(w["rep1"], list(reversed(w["line"])), local_today())
    return w


def _as(client, user):
    login(client, user.email)
    return csrf_token(client, "/auth/me")


def test_replan_from_the_west_end_accounts_for_every_stop(client, world):
    """Tests that re-planning from the rep's position reports every stop as kept, moved or dropped with a reason.

    The rest of the day depends on the wall clock (late at night nothing fits), so the
    order is checked only when the new route visits every customer.
    """
    token = _as(client, world["rep1"])
    response = client.post("/api/rep/replan", json={"lat": -23.55, "lon": -46.63},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    diff = response.get_json()
    assert diff["revision"] == 2
    names = {e["name"] for e in diff["moved"] + diff["dropped"] + diff["added"]}
    assert diff["kept"] + len(diff["moved"]) + len(diff["dropped"]) == len(world["line"])
    assert names <= {c.trade_name for c in world["line"]}
    assert all(d["reason"] for d in diff["dropped"])
    today = client.get("/api/rep/today").get_json()
    order = [s["customer"]["name"] for s in today["stops"]]
    if not diff["dropped"]:
        assert diff["moved"]
        assert order == [c.trade_name for c in world["line"]]


def test_replan_keeps_visited_stops_out_of_the_rest(client, world):
    """Tests that a stop already checked out stays done and is not planned again."""
    token = _as(client, world["rep1"])
    first = world["plan"].stops[0]
    body = {"client_uuid": str(uuid.uuid4()), "customer_id": first.customer_id, "stop_id": first.id}
    client.post("/api/rep/contacts", json={**body, "action": "check_in"}, headers={"X-CSRFToken": token})
    client.post("/api/rep/contacts", json={**body, "action": "check_out", "outcome": "closed"},
                headers={"X-CSRFToken": token})
    response = client.post("/api/rep/replan", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    stops = client.get("/api/rep/today").get_json()["stops"]
    done = [s for s in stops if s["done"]]
    assert [s["customer"]["id"] for s in done] == [first.customer_id]
    assert sum(1 for s in stops if s["customer"]["id"] == first.customer_id) == 1


def test_replan_without_a_plan_is_not_found(client, world):
    """Tests that a rep with no plan today gets 404 from re-plan."""
    token = _as(client, world["rep2"])
    db.session.delete(world["plan"])
    db.session.flush()
    assert client.post("/api/rep/replan", json={}, headers={"X-CSRFToken": token}).status_code == 404


def test_week_lists_the_coming_draft_days_only(client, world):
    """Tests that the week page shows the rep's own planned days ahead, not today's or another rep's."""
    tomorrow = local_today() + timedelta(days=1)
    make_plan(world["rep1"], world["line"][:2], tomorrow, status=PlanStatus.DRAFT)
    make_plan(world["rep2"], [world["c_rep2"]], tomorrow, status=PlanStatus.DRAFT)
    _as(client, world["rep1"])
    page = client.get("/semana").get_data(as_text=True)
    assert "Cliente Leste 0" in page
    assert "Cliente Leste 1" in page
    assert "Cliente Leste 4" not in page
    assert "Bar do Rep Dois" not in page
    assert "2 clientes" in page
