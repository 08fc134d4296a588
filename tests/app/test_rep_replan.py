"""Re-planning the rest of the day from the phone, and the week agenda."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from app.models import PlanStatus
from app.services.clock import DEFAULT_TZ, local_today
from tests.factories import make_customer, two_teams
from tests.support.rep import make_plan, make_settings
from tests.support.web import csrf_token, login

# A line of customers going east from the rep's base (-23.55, -46.63).
EAST = [(-23.55, -46.62 + 0.01 * i) for i in range(5)]


@pytest.fixture(autouse=True)
def weekday_morning() -> Iterator[None]:
    """Re-planning fits "the rest of today" after the wall clock: freeze it at 09:00 of a
    Wednesday in São Paulo, so what fits does not depend on when the suite runs (at 17:30
    little of an 08:00–18:00 day is left; past 18:00 nothing is)."""
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=DEFAULT_TZ), tick=True):
        yield


@pytest.fixture
def world(db_session, weekday_morning):
    w = two_teams()
    make_settings(w["company"].id)
    hours = {k: [["00:00", "23:59"]] for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    w["line"] = [
        make_customer(
            w["company"],
            w["rep1"],
            trade_name=f"Cliente Leste {i}",
            latitude=lat,
            longitude=lon,
            opening_hours=hours,
            service_minutes=10,
        )
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


def _preview(client, token, body=None):
    response = client.post(
        "/api/rep/replan/preview", json=body or {}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _post(client, token, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def _order(client) -> list[str]:
    return [s["customer"]["name"] for s in client.get("/api/rep/today").get_json()["stops"]]


def test_preview_writes_nothing_and_confirm_writes_what_was_shown(client, world):
    """Tests that a preview leaves the plan alone, and confirming writes exactly the
    previewed stops, in the better order."""
    token = _as(client, world["rep1"])
    before = _order(client)
    preview = _preview(client, token, {"lat": -23.55, "lon": -46.63})
    assert _order(client) == before
    db.session.refresh(world["plan"])
    assert world["plan"].revision == 1
    shown = [s["name"] for s in preview["stops"] if not s["lunch"]]
    assert len(shown) + len(preview["dropped"]) == len(world["line"])
    assert all(d["reason"] for d in preview["dropped"])
    confirmed = _post(client, token, "/api/rep/replan/confirm", {"token": preview["token"]})
    assert confirmed.status_code == 200
    assert confirmed.get_json()["revision"] == 2
    assert _order(client) == shown
    # At 09:00 the whole line fits; the plan went east to west and back, so the better
    # order (west to east) gains, and says what.
    assert not preview["dropped"]
    assert not preview["kept_order"]
    assert preview["gain"]
    assert shown == [c.trade_name for c in world["line"]]


def test_undo_puts_the_route_back_until_the_next_action(client, world):
    """Tests that undo restores the previous stops, and is refused once a visit changed the plan."""
    token = _as(client, world["rep1"])
    before = _order(client)
    preview = _preview(client, token, {"lat": -23.55, "lon": -46.63})
    undo = _post(client, token, "/api/rep/replan/confirm", {"token": preview["token"]}).get_json()[
        "undo_token"
    ]
    assert _post(client, token, "/api/rep/replan/undo", {"token": undo}).status_code == 200
    assert _order(client) == before
    stale = _post(client, token, "/api/rep/replan/undo", {"token": undo})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "plan_changed"
    again = _preview(client, token, {"lat": -23.55, "lon": -46.63})
    undo = _post(client, token, "/api/rep/replan/confirm", {"token": again["token"]}).get_json()[
        "undo_token"
    ]
    first = client.get("/api/rep/today").get_json()["stops"][0]
    _post(
        client,
        token,
        "/api/rep/contacts",
        {
            "client_uuid": str(uuid.uuid4()),
            "action": "check_in",
            "customer_id": first["customer"]["id"],
            "stop_id": first["id"],
        },
    )
    late = _post(client, token, "/api/rep/replan/undo", {"token": undo})
    assert late.status_code == 409
    assert late.get_json()["error"]["message"]


def test_confirm_refuses_a_stale_preview_and_a_forged_token(client, world):
    """Tests that a preview taken before another confirm cannot be applied, nor a token not
    signed here."""
    token = _as(client, world["rep1"])
    one = _preview(client, token)
    two = _preview(client, token)
    assert (
        _post(client, token, "/api/rep/replan/confirm", {"token": one["token"]}).status_code == 200
    )
    assert (
        _post(client, token, "/api/rep/replan/confirm", {"token": two["token"]}).status_code == 409
    )
    forged = _post(client, token, "/api/rep/replan/confirm", {"token": two["token"][:-3] + "abc"})
    assert forged.status_code == 400


def test_another_rep_cannot_confirm_my_preview(client, world):
    """Tests that a signed preview is bound to its rep: another rep's confirm changes
    nothing of mine."""
    token = _as(client, world["rep1"])
    preview = _preview(client, token)
    client.post("/auth/logout", data={"csrf_token": token})
    other = _as(client, world["rep2"])
    make_plan(world["rep2"], [world["c_rep2"]], local_today())
    response = _post(client, other, "/api/rep/replan/confirm", {"token": preview["token"]})
    assert response.status_code == 400
    db.session.refresh(world["plan"])
    assert world["plan"].revision == 1


def test_replan_keeps_visited_stops_out_of_the_rest(client, world):
    """Tests that a stop already checked out stays done and is not planned again."""
    token = _as(client, world["rep1"])
    first = world["plan"].stops[0]
    body = {"client_uuid": str(uuid.uuid4()), "customer_id": first.customer_id, "stop_id": first.id}
    client.post(
        "/api/rep/contacts", json={**body, "action": "check_in"}, headers={"X-CSRFToken": token}
    )
    client.post(
        "/api/rep/contacts",
        json={**body, "action": "check_out", "outcome": "closed"},
        headers={"X-CSRFToken": token},
    )
    preview = _preview(client, token)
    assert (
        _post(client, token, "/api/rep/replan/confirm", {"token": preview["token"]}).status_code
        == 200
    )
    stops = client.get("/api/rep/today").get_json()["stops"]
    done = [s for s in stops if s["done"]]
    assert [s["customer"]["id"] for s in done] == [first.customer_id]
    assert sum(1 for s in stops if s["customer"]["id"] == first.customer_id) == 1


def test_replan_without_a_plan_says_why(client, world):
    """Tests that a rep with no plan today gets 404 from re-plan with the reason in words."""
    token = _as(client, world["rep2"])
    response = client.post("/api/rep/replan/preview", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "no_plan"
    assert error["message"].startswith("Sem roteiro hoje") or error["message"].startswith(
        "Ainda não há roteiro"
    )


def test_week_lists_the_coming_draft_days_only(client, world):
    """Tests that the week page shows the rep's own planned days ahead, not today's or
    another rep's."""
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
