"""The team's day: the JSON the supervisor's page polls, from check-ins posted by the rep's
phone through the real API; scoped to the team, refused to reps and seats."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime

import pytest
import time_machine

from app.extensions import db
from app.models import PlanStatus
from app.services.clock import DEFAULT_TZ
from tests.conftest import IsolatedClient
from tests.factories import make_customer, two_teams
from tests.support.rep import make_plan, make_settings
from tests.support.web import csrf_token, login

DAY = date(2026, 11, 25)  # a Wednesday
AT_CUSTOMER = {"lat": -23.5401, "lon": -46.5761, "accuracy": 12}
FAR_AWAY = {"lat": -23.5601, "lon": -46.5761, "accuracy": 12}  # ~2.2 km south


def _new_client(app):
    """Another browser (the rep's phone, the supervisor's desk) on the test's data."""
    app.test_client_class = IsolatedClient
    return app.test_client()


def _at(hour: int, minute: int) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=DEFAULT_TZ)


@pytest.fixture
def world(db_session):
    w = two_teams()
    make_settings(w["company"].id)
    w["c_rep1b"] = make_customer(w["company"], w["rep1"], trade_name="Empório do Rep Um")
    w["c_rep1c"] = make_customer(w["company"], w["rep1"], trade_name="Quitanda do Rep Um")
    # Stops planned at 08:30, 09:00 and 09:30 (tests.support.rep.make_plan).
    w["plan"] = make_plan(w["rep1"], [w["c_rep1"], w["c_rep1b"], w["c_rep1c"]], DAY)
    w["plan2"] = make_plan(w["rep2"], [w["c_rep2"]], DAY)
    db.session.flush()
    return w


def _post_visit(client, world, stop: int, action: str, key: str, **extra):
    token = csrf_token(client, "/auth/me")
    row = world["plan"].stops[stop]
    body = {
        "client_uuid": key,
        "action": action,
        "customer_id": row.customer_id,
        "stop_id": row.id,
        **extra,
    }
    response = client.post("/api/rep/contacts", json=body, headers={"X-CSRFToken": token})
    assert response.status_code in (200, 201), response.get_json()


def _team_day(client) -> dict:
    response = client.get("/supervisor/equipe-hoje.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def _rep(data: dict, user) -> dict:
    return next(r for r in data["reps"] if r["id"] == user.id)


def test_progress_lateness_and_far_check_in_follow_the_phone(app, world):
    """Tests done/remaining/skipped, late against the plan, the last check-in position and a
    far check-in, as a rep's phone posts them and the supervisor's page reads them."""
    phone, desk = _new_client(app), _new_client(app)
    first = str(uuid.uuid4())
    with time_machine.travel(_at(9, 5), tick=False):
        login(phone, world["rep1"].email)
        login(desk, world["sup1"].email)
        _post_visit(phone, world, 0, "check_in", first, **AT_CUSTOMER)
        data = _team_day(desk)
    rep = _rep(data, world["rep1"])
    assert (rep["planned"], rep["done"], rep["in_progress"], rep["remaining"]) == (3, 0, 1, 3)
    assert rep["punctuality"] == "late"
    assert rep["delay_min"] == 35
    assert "35 min" in rep["punctuality_label"]
    assert rep["last_check_in"]["at"] == "09:05"
    assert rep["last_check_in"]["lat"] == pytest.approx(AT_CUSTOMER["lat"])
    assert rep["last_check_in"]["far"] is False
    assert rep["stops"][0]["status"] == "in_progress"
    assert rep["stops"][0]["check_in"] == "09:05"

    with time_machine.travel(_at(9, 40), tick=False):
        _post_visit(phone, world, 0, "check_out", first, outcome="order", order_value="120,00")
        _post_visit(phone, world, 1, "check_in", str(uuid.uuid4()), **FAR_AWAY)
        _post_visit(phone, world, 2, "skip", str(uuid.uuid4()), outcome="skipped", reason="preco")
        data = _team_day(desk)
        links = _rep(data, world["rep1"])["links"]
        visited = desk.get(links["visited"]).get_data(as_text=True)
        skipped = desk.get(links["skipped"]).get_data(as_text=True)
    # Each count links to the customers behind it (two clicks from the page to a customer).
    assert "Padaria do Rep Um" in visited
    assert "Quitanda do Rep Um" not in visited
    assert "Quitanda do Rep Um" in skipped
    rep = _rep(data, world["rep1"])
    assert (rep["done"], rep["in_progress"], rep["remaining"], rep["skipped"]) == (1, 1, 1, 1)
    assert rep["delay_min"] == 40  # the last check-in: planned 09:00, in 09:40
    assert rep["last_check_in"]["far"] is True
    assert rep["last_check_in"]["distance_m"] > 2000
    assert [f["customer"] for f in rep["far"]] == ["Empório do Rep Um"]
    assert rep["stops"][1]["far"] is True
    assert data["totals"] == {
        "reps": 1,
        "planned": 3,
        "done": 1,
        "remaining": 1,
        "skipped": 1,
        "far": 1,
    }


def test_early_not_started_and_overdue(app, world):
    """Tests the words against the plan: not started yet, late with no check-in because the
    next stop's planned start has passed, and early."""
    desk, phone = _new_client(app), _new_client(app)
    with time_machine.travel(_at(8, 20), tick=False):
        login(desk, world["sup1"].email)
        assert _rep(_team_day(desk), world["rep1"])["punctuality"] == "not_started"
    with time_machine.travel(_at(9, 0), tick=False):
        rep = _rep(_team_day(desk), world["rep1"])
        assert (rep["punctuality"], rep["delay_min"]) == ("not_started_late", 30)
        assert "08:30" in rep["punctuality_label"]
    with time_machine.travel(_at(9, 10), tick=False):  # the rep starts with the 09:30 stop
        login(phone, world["rep1"].email)
        _post_visit(phone, world, 2, "check_in", str(uuid.uuid4()), **AT_CUSTOMER)
        rep = _rep(_team_day(desk), world["rep1"])
    assert (rep["punctuality"], rep["delay_min"]) == ("early", -20)
    assert rep["plan_status"] == PlanStatus.STARTED.value


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("sup1", {"rep1"}),
        ("sup2", {"rep2"}),
        ("admin", {"rep1", "rep2"}),
        ("other_admin", {"other_rep"}),
    ],
)
def test_each_manager_sees_the_reps_of_the_scope(app, world, who, sees):
    """Tests that the page and its JSON list the reps of the viewer's team or company only."""
    desk = _new_client(app)
    with time_machine.travel(_at(10, 0), tick=False):
        login(desk, world[who].email)
        data = _team_day(desk)
        page = desk.get("/supervisor/equipe-hoje")
    assert {r["id"] for r in data["reps"]} == {world[k].id for k in sees}
    assert page.status_code == 200
    embedded = re.search(
        r'<script type="application/json" id="team-day-data">(.*?)</script>',
        page.get_data(as_text=True),
        re.S,
    )
    assert embedded is not None
    assert json.loads(embedded.group(1))["reps"] == data["reps"]


@pytest.mark.parametrize("who", ["rep1", "tel1"])
def test_reps_and_seats_are_refused(client, world, who):
    """Tests the role gate of the page and of its JSON."""
    login(client, world[who].email)
    assert client.get("/supervisor/equipe-hoje").status_code == 403
    assert client.get("/supervisor/equipe-hoje.json").status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    """Tests that the JSON is not readable without a session."""
    response = client.get("/supervisor/equipe-hoje.json")
    assert response.status_code in (302, 401)


def test_routes_follow_the_roads_with_osrm_and_say_straight_otherwise(app, world):
    """Tests the map's lines: straight (and said so) without OSRM; with the company's OSRM (a
    fake server on 127.0.0.1) the road geometry through the stops, asked once per plan
    revision; straight again, and said so, when OSRM fails."""
    from app.models import CompanySettings
    from app.services import route_paths
    from tests.support.osrm_server import running_osrm_server

    route_paths.clear()
    world["c_rep1b"].latitude, world["c_rep1b"].longitude = -23.5502, -46.5903
    world["c_rep1c"].latitude, world["c_rep1c"].longitude = -23.5305, -46.6004
    db.session.flush()
    desk = _new_client(app)
    with time_machine.travel(_at(10, 0), tick=False):
        login(desk, world["sup1"].email)
        data = _team_day(desk)
        rep = _rep(data, world["rep1"])
        assert (rep["path_kind"], rep["path"], data["straight_lines"]) == ("straight", None, True)
        page = desk.get("/supervisor/equipe-hoje").get_data(as_text=True)
        assert re.search(r'data-line-note="straight">', page)
        with running_osrm_server() as osrm:
            settings = db.session.query(CompanySettings).filter_by(company_id=world["company"].id)
            row = settings.one()
            row.planning = {**row.planning, "osrm_url": osrm.base_url}
            db.session.flush()
            rep = _rep(_team_day(desk), world["rep1"])
            stops = [(s["lat"], s["lon"]) for s in rep["stops"]]
            assert rep["path_kind"] == "road"
            # The fake turns a corner between each pair of stops: 3 stops, 5 points.
            assert len(rep["path"]) == 2 * len(stops) - 1
            assert [tuple(p) for p in rep["path"][::2]] == stops
            assert rep["path"][1] == [stops[0][0], stops[1][1]]  # the corner, off the straight line
            assert _team_day(desk)["road_lines"] is True
            assert osrm.route_calls == 1  # polled twice, asked once; rep2 has one stop: no line
            world["plan"].revision = (world["plan"].revision or 0) + 1  # a re-plan
            db.session.flush()
            assert _rep(_team_day(desk), world["rep1"])["path_kind"] == "road"
            assert osrm.route_calls == 2
            osrm.error_code = "NoRoute"
            world["plan"].revision += 1
            db.session.flush()
            data = _team_day(desk)
            assert _rep(data, world["rep1"])["path_kind"] == "straight"
            assert data["straight_lines"] is True
            _team_day(desk)
            assert osrm.route_calls == 3  # a failure is remembered, not asked again each poll
