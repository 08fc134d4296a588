"""Capacity (issue 17, item 4): each rep's load over four weeks against available hours, the
over/under flags, "can serve about N", a rebalancing proposal between neighbouring portfolios
and its application through the audited move action; pages, API, scope and roles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import Appointment, AuditLog, Customer, Role, TimeOff
from app.security.scope import Scope
from app.services import api_tokens, capacity, capacity_settings, company_settings
from app.services.actions.moves import LoadBands
from app.services.clock import DEFAULT_TZ
from app.services.errors import Invalid
from tests.factories import make_customer, make_user, two_teams
from tests.support.web import login, post_form

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=DEFAULT_TZ)  # a Wednesday
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def wednesday_morning() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(db_session, wednesday_morning):
    """Team 1: rep1 drowning (18 weekly 2.5-hour customers spread west to east) and rep3
    next door to the east with three; team 2's rep2 far away. The easternmost customer of
    rep1 has a visit booked: it must stay."""
    w = two_teams()
    w["rep3"] = make_user(
        w["company"], Role.REP, w["rep1"].team, with_profile=True, name="Rita Leste"
    )
    w["rep1"].name = "Rui Oeste"
    w["rep3"].work_profile.start_lon = -46.55
    w["rep3"].work_profile.end_lon = -46.55
    w["heavy"] = [
        make_customer(
            w["company"],
            w["rep1"],
            trade_name=f"Oeste {i:02d}",
            latitude=-23.55,
            longitude=-46.64 + 0.005 * i,
            service_minutes=150,
            visit_frequency_days=7,
        )
        for i in range(18)
    ]
    w["light"] = [
        make_customer(
            w["company"],
            w["rep3"],
            trade_name=f"Leste {i}",
            latitude=-23.55,
            longitude=-46.55 + 0.004 * i,
            service_minutes=30,
            visit_frequency_days=14,
        )
        for i in range(3)
    ]
    w["c_rep2"].latitude, w["c_rep2"].longitude = -22.9, -43.2  # another city
    w["booked"] = w["heavy"][-1]
    db.session.add(
        Appointment(
            company_id=w["company"].id,
            user_id=w["rep1"].id,
            customer_id=w["booked"].id,
            day=TODAY + timedelta(days=2),
            window_start_s=9 * 3600,
            window_end_s=10 * 3600,
        )
    )
    db.session.flush()
    return w


def _by_user(team: list[capacity.RepCapacity]) -> dict[int, capacity.RepCapacity]:
    return {r.user.id: r for r in team}


def test_figures_flags_and_can_serve(world):
    """Tests the load of each rep in the supervisor's team (not the other team's), the flags,
    "can serve about N", and that time off takes hours away."""
    team = _by_user(capacity.team_capacity(scope=Scope.of(world["sup1"]), today=TODAY))
    assert set(team) == {world["rep1"].id, world["rep3"].id}
    heavy, light = team[world["rep1"].id], team[world["rep3"].id]
    assert heavy.workload.customers == 19  # the 18 and two_teams' own customer
    assert heavy.workload.visits == pytest.approx(19 * 4)
    assert heavy.workload.service_h == pytest.approx((18 * 4 * 150 + 4 * 20) / 60)
    assert heavy.workload.travel_h is not None
    assert heavy.workload.travel_h > 0
    assert heavy.state == "over"
    assert heavy.can_serve is not None
    assert heavy.can_serve < 19
    assert light.state == "under"
    assert light.can_serve is not None
    assert light.can_serve > 3
    before = light.workload.available_h
    db.session.add(
        TimeOff(
            company_id=world["company"].id,
            user_id=world["rep3"].id,
            first_day=TODAY + timedelta(days=5),  # the next Monday to Friday
            last_day=TODAY + timedelta(days=9),
        )
    )
    db.session.flush()
    db.session.expire_all()
    after = _by_user(capacity.team_capacity(scope=Scope.of(world["sup1"]), today=TODAY))
    assert after[world["rep3"].id].workload.available_h < before
    # An admin sees every rep of the company.
    admin = _by_user(capacity.team_capacity(scope=Scope.of(world["admin"]), today=TODAY))
    assert world["rep2"].id in admin


def test_suggestion_moves_border_customers_and_apply_audits(world):
    """Tests the proposal (rep1 to its neighbour rep3, never the booked customer, spread
    better) and applying it through the move action, audited per customer."""
    scope = Scope.of(world["sup1"])
    found = capacity.suggest(scope=scope, today=TODAY, max_moves=4, time_limit_s=2)
    assert found.moves
    assert len(found.moves) <= 4
    assert {(m.source.user.id, m.target.user.id) for m in found.moves} == {
        (world["rep1"].id, world["rep3"].id)
    }
    assert world["booked"].id not in {m.customer.id for m in found.moves}
    assert found.result.spread(after=True) < found.result.spread(after=False)
    heavy_before = _by_user(found.reps)[world["rep1"].id].load
    assert found.load_after(world["rep1"].id) < heavy_before
    # Nothing written by the proposal.
    assert all(c.owner_id == world["rep1"].id for c in world["heavy"])
    chosen = [(m.customer.id, m.target.user.id) for m in found.moves]
    moved = capacity.apply(actor=world["sup1"], scope=scope, chosen=chosen, today=TODAY)
    assert moved == len(chosen)
    db.session.expire_all()
    for customer_id, target in chosen:
        assert db.session.get(Customer, customer_id).owner_id == target
    logs = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "customer.move")).all()
    assert {log.target for log in logs} == {f"customer:{c}" for c, _t in chosen}
    # Applying again changes nothing; another team's customer is out of scope.
    assert capacity.apply(actor=world["sup1"], scope=scope, chosen=chosen, today=TODAY) == 0
    with pytest.raises(LookupError):
        capacity.apply(
            actor=world["sup1"],
            scope=scope,
            chosen=[(world["c_rep2"].id, world["rep3"].id)],
            today=TODAY,
        )
    with pytest.raises(Invalid):
        capacity.apply(
            actor=world["sup1"],
            scope=scope,
            chosen=[(world["heavy"][0].id, world["tel1"].id)],
            today=TODAY,
        )
    with pytest.raises(Invalid):
        capacity.suggest(scope=scope, today=TODAY, max_moves=0)


def test_page_suggest_and_apply(client, world):
    """Tests the page: load bars and flags, the proposal table, applying the checked moves."""
    login(client, world["sup1"].email)
    page = client.get("/supervisor/capacidade")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-rep="{world["rep1"].id}" data-state="over"' in html
    assert f'data-rep="{world["rep3"].id}" data-state="under"' in html
    assert world["rep2"].name not in html
    assert "<meter" in html
    assert "/supervisor/capacidade" in html  # the nav entry
    bad = client.get("/supervisor/capacidade?sugerir=1&movimentos=abc")
    assert bad.status_code == 422
    assert "field-error" in bad.get_data(as_text=True)
    shown = client.get("/supervisor/capacidade?sugerir=1&movimentos=2")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert html.count("data-move=") == 2
    first = html.split('name="move" value="')[1].split('"')[0]
    customer_id = int(first.split(":")[0])
    done = post_form(client, "/supervisor/capacidade/aplicar", {"move": [first]})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).owner_id == world["rep3"].id
    # Without CSRF nothing moves; another team's customer is a 404.
    other = world["heavy"][0]
    client.post("/supervisor/capacidade/aplicar", data={"move": f"{other.id}:{world['rep3'].id}"})
    db.session.expire_all()
    assert db.session.get(Customer, other.id).owner_id == world["rep1"].id
    outside = post_form(
        client,
        "/supervisor/capacidade/aplicar",
        {"move": [f"{world['c_rep2'].id}:{world['rep3'].id}"]},
    )
    assert outside.status_code == 404


def test_load_bands_bound_the_states():
    """Tests the band edges: equal to a band is still balanced; no load is unknown."""
    bands = LoadBands.of(company_settings.PlanningSettings(capacity_under_pct=85))
    assert bands == LoadBands(0.85, 1.0)
    states = [bands.state(x) for x in (None, 0.84, 0.85, 1.0, 1.01)]
    assert states == ["unknown", "under", "balanced", "balanced", "over"]


def _tune_heavy(world, load: float) -> None:
    """Give rep1's 18 customers the visit length that makes rep1's load about ``load``
    (travel per visit does not depend on visit length: only service hours move)."""
    scope = Scope.of(world["sup1"])
    w = _by_user(capacity.team_capacity(scope=scope, today=TODAY))[world["rep1"].id].workload
    assert w.available_h
    assert w.travel_h is not None
    other_h = w.service_h - sum(4 * c.service_minutes for c in world["heavy"]) / 60
    minutes = round((load * w.available_h - w.travel_h - other_h) * 60 / (18 * 4))
    assert minutes > 0
    for c in world["heavy"]:
        c.service_minutes = minutes
    db.session.flush()
    db.session.expire_all()


def _heavy(world) -> capacity.RepCapacity:
    team = _by_user(capacity.team_capacity(scope=Scope.of(world["sup1"]), today=TODAY))
    return team[world["rep1"].id]


def test_company_bands_decide_the_states_on_the_page_and_the_move_preview(client, world):
    """Tests a company whose bands are 85 % and 120 % instead of 70 % and 100 %: a load of
    about 78 % has room to spare (balanced by default), one of about 110 % is balanced (over
    by default), one of about 125 % is over; the page and the move preview print the bands
    and flag the rep as the capacity page does."""
    _tune_heavy(world, 0.78)
    heavy = _heavy(world)
    assert heavy.load == pytest.approx(0.78, abs=0.02)
    assert (heavy.bands, heavy.state) == (LoadBands(0.7, 1.0), "balanced")
    saved = capacity_settings.save(
        scope=Scope.of(world["admin"]), bands=capacity_settings.CapacityBands(85, 120)
    )
    assert saved is not None
    assert _heavy(world).state == "under"
    _tune_heavy(world, 1.10)
    assert _heavy(world).load == pytest.approx(1.10, abs=0.02)
    assert _heavy(world).state == "balanced"
    _tune_heavy(world, 1.25)
    assert _heavy(world).state == "over"
    _tune_heavy(world, 1.10)
    login(client, world["sup1"].email)
    html = client.get("/supervisor/capacidade").get_data(as_text=True)
    assert f'data-rep="{world["rep1"].id}" data-state="balanced"' in html
    assert 'low="0.85" high="1.2"' in html
    bands_text = html.split("data-bands>")[1].split("</p>")[0]
    assert "85%" in bands_text
    assert "120%" in bands_text
    _token, clear = api_tokens.create(user=world["sup1"], name="t", actor=world["sup1"])
    api = client.get("/api/v1/capacity", headers={"Authorization": f"Bearer {clear}"})
    states = {r["workload"]["user_id"]: r["state"] for r in api.get_json()["reps"]}
    assert states[world["rep1"].id] == "balanced"
    preview = post_form(
        client,
        "/acoes/mover",
        {"customer_ids": [world["light"][0].id], "target_id": world["rep1"].id},
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    now_row = html.split(f'data-workload-row="{world["rep1"].id}"')[1]
    assert 'data-load-state="balanced"' in now_row.split("</tr>")[0]
    bands_text = html.split("data-bands>")[1].split("</p>")[0]
    assert "85%" in bands_text
    assert "120%" in bands_text


@pytest.mark.parametrize("role", ["rep1", "tel1"])
def test_reps_and_seats_cannot_read_capacity(client, world, role):
    """Tests that the page and the API are for supervisors and administrators only."""
    login(client, world[role].email)
    assert client.get("/supervisor/capacidade").status_code == 403
    _token, clear = api_tokens.create(user=world[role], name="t", actor=world[role])
    headers = {"Authorization": f"Bearer {clear}"}
    assert client.get("/api/v1/capacity", headers=headers).status_code == 403
    assert client.get("/api/v1/capacity/suggestion", headers=headers).status_code == 403


def test_api_capacity_and_suggestion(client, world):
    """Tests the API: figures per rep in scope, the proposal, a bad max_moves refused."""
    _token, clear = api_tokens.create(user=world["sup1"], name="t", actor=world["sup1"])
    headers = {"Authorization": f"Bearer {clear}"}
    read = client.get("/api/v1/capacity", headers=headers)
    assert read.status_code == 200
    reps = {r["workload"]["user_id"]: r for r in read.get_json()["reps"]}
    assert set(reps) == {world["rep1"].id, world["rep3"].id}
    assert reps[world["rep1"].id]["state"] == "over"
    assert reps[world["rep1"].id]["load"] > 1
    proposal = client.get("/api/v1/capacity/suggestion?max_moves=3", headers=headers)
    body = proposal.get_json()
    assert proposal.status_code == 200, body
    assert 1 <= len(body["moves"]) <= 3
    assert body["spread_after"] < body["spread_before"]
    assert {m["to_id"] for m in body["moves"]} == {world["rep3"].id}
    bad = client.get("/api/v1/capacity/suggestion?max_moves=0", headers=headers)
    assert bad.status_code == 422
