"""Supervisors act on customers (issue 17, item 1): send to telesales, book a visit that plans
and re-plans keep, move customers with a workload preview, mark lost (KPIs count it apart);
each action seen by the seat or rep it concerns and in the customer's history; scope and
roles on the pages and the API."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import (
    Appointment,
    AuditLog,
    CallRequest,
    Customer,
    Plan,
    PlanStatus,
    Role,
    TimeOff,
)
from app.security.scope import Scope
from app.services import api_tokens, kpis, planning, telesales
from app.services.actions import appointments, lost, moves
from app.services.actions import telesales as telesales_requests
from app.services.clock import DEFAULT_TZ, local_now
from app.services.errors import Invalid
from tests.factories import (
    Channel,
    make_customer,
    make_order,
    make_user,
    two_teams,
)
from tests.support.planning import add_settings, score
from tests.support.rep import make_plan
from tests.support.web import csrf_token, login, post_form

# A Wednesday morning in São Paulo: tomorrow is a working Thursday for every rep.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=DEFAULT_TZ)
TODAY = NOW.date()
TOMORROW = TODAY + timedelta(days=1)
WEEK_URL = "/semana"
ALL_DAY = {k: [["07:00", "19:00"]] for k in ("mon", "tue", "wed", "thu", "fri", "sat")}


@pytest.fixture(autouse=True)
def wednesday_morning() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(db_session, wednesday_morning):
    w = two_teams()
    add_settings(w["company"])
    w["near"] = [
        make_customer(
            w["company"],
            w["rep1"],
            trade_name=f"Vizinho {i}",
            latitude=-23.55,
            longitude=-46.625 + 0.004 * i,
            opening_hours=ALL_DAY,
            service_minutes=15,
        )
        for i in range(4)
    ]
    for i, c in enumerate(w["near"]):
        score(c, TODAY, 30.0 + i)
    w["rescue"] = make_customer(
        w["company"],
        w["rep1"],
        trade_name="Empório Resgate",
        latitude=-23.56,
        longitude=-46.64,
        opening_hours=ALL_DAY,
    )
    score(w["rescue"], TODAY, 5.0)  # too low to be planned on its own merit
    db.session.flush()
    return w


def _sup(w) -> Scope:
    return Scope.of(w["sup1"])


# --------------------------------------------------------------------------- telesales


def test_sent_customer_joins_the_seat_list_on_its_day_with_the_note(world):
    """Tests that a request shows on the seat's list from its due date (not before), ranked
    with the others, with the supervisor's note, and that a call reaching it closes it."""
    seat, rescue = world["tel1"], world["rescue"]
    request = telesales_requests.send_to_telesales(
        actor=world["sup1"],
        scope=_sup(world),
        customer=rescue,
        seat_id=seat.id,
        due_date=TOMORROW,
        note="Oferecer a tabela nova",
        today=TODAY,
    )
    today_list = telesales.get_call_list(seat=seat, day=TODAY, now=local_now())
    assert rescue.id not in [r.customer.id for r in today_list.rows]
    later = datetime.combine(TOMORROW, time(9), tzinfo=DEFAULT_TZ)
    rows = telesales.get_call_list(seat=seat, day=TOMORROW, now=later).rows
    row = next(r for r in rows if r.customer.id == rescue.id)
    assert row.request is not None
    assert row.request.note == "Oferecer a tabela nova"
    assert row.requested_by == world["sup1"].name
    # Counted in the morning list of its day (asked the day before).
    progress = telesales.get_call_list(seat=seat, day=TOMORROW, now=later).progress
    assert progress.total >= 1
    assert progress.added == 0

    def call(outcome: str, when: datetime) -> None:
        telesales.log_call(
            seat=seat,
            data=telesales.CallInput(
                customer_id=rescue.id,
                client_uuid=str(uuid.uuid4()),
                outcome=outcome,
                no_sale_reason="preco" if outcome == "no_sale" else "",
            ),
            day=when.date(),
            now=when,
        )

    call("not_reached", later)
    db.session.refresh(request)
    assert request.closed_at is None  # not reached: still to do
    call("no_sale", later + timedelta(minutes=5))
    db.session.refresh(request)
    assert request.closed_at is not None
    assert request.contact_id is not None
    # Answered: done on the day's list, and gone the day after.
    done = telesales.get_call_list(seat=seat, day=TOMORROW, now=later + timedelta(minutes=6))
    assert next(r for r in done.rows if r.customer.id == rescue.id).state == "done"
    after = TOMORROW + timedelta(days=1)
    next_day = telesales.get_call_list(
        seat=seat, day=after, now=datetime.combine(after, time(9), tzinfo=DEFAULT_TZ)
    )
    assert rescue.id not in [r.customer.id for r in next_day.rows]


def test_sending_is_refused_field_by_field(world):
    """Tests the refusals: a seat of another team, a past day, a duplicate, a lost customer."""
    scope = _sup(world)
    other_seat = make_user(world["company"], Role.TELESALES, world["rep2"].team)
    with pytest.raises(Invalid) as bad:
        telesales_requests.send_to_telesales(
            actor=world["sup1"],
            scope=scope,
            customer=world["rescue"],
            seat_id=other_seat.id,
            due_date=TODAY - timedelta(days=1),
            note="x" * 301,
            today=TODAY,
        )
    assert set(bad.value.errors) == {"seat_id", "due_date", "note"}
    kwargs = dict(actor=world["sup1"], scope=scope, customer=world["rescue"], note=None)
    telesales_requests.send_to_telesales(
        **kwargs, seat_id=world["tel1"].id, due_date=TODAY, today=TODAY
    )
    with pytest.raises(Invalid) as twice:
        telesales_requests.send_to_telesales(
            **kwargs, seat_id=world["tel1"].id, due_date=TODAY, today=TODAY
        )
    assert "seat_id" in twice.value.errors


def test_send_page_shows_errors_next_to_fields_and_the_seat_list_shows_the_request(
    app, client, world
):
    """Tests the page: a refused send answers 422 with the message by its field; a good one
    goes back to the list it came from; the seat's page shows the note."""
    login(client, world["sup1"].email)
    url = f"/acoes/clientes/{world['rescue'].id}/televendas"
    page = client.get(url + "?next=/supervisor/clientes?status=rescue")
    assert page.status_code == 200
    assert "csrf_token" in page.get_data(as_text=True)
    refused = post_form(
        client, url, {"seat_id": world["tel1"].id, "due_date": "2020-01-01"}, page=url
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(r'id="due_date".*?class="field-error"', html, re.S)
    sent = post_form(
        client,
        url,
        {
            "seat_id": world["tel1"].id,
            "due_date": TODAY.isoformat(),
            "note": "Cliente sumido há 4 meses",
            "next": "/supervisor/clientes?status=rescue",
        },
        page=url,
    )
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith("/supervisor/clientes?status=rescue")
    seat = app.test_client()
    login(seat, world["tel1"].email)
    seat_page = seat.get("/televendas/").get_data(as_text=True)
    assert "Empório Resgate" in seat_page
    assert "Cliente sumido há 4 meses" in seat_page


def test_an_outside_redirect_is_never_followed(client, world):
    """Tests that `next` pointing to another site falls back to the customer's card."""
    login(client, world["sup1"].email)
    url = f"/acoes/clientes/{world['rescue'].id}/televendas"
    sent = post_form(
        client,
        url,
        {"seat_id": world["tel1"].id, "due_date": TODAY.isoformat(), "next": "//evil.example"},
        page=url,
    )
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/carteira/clientes/{world['rescue'].id}")


# --------------------------------------------------------------------------- appointments


def _book(world, **over):
    values = dict(
        actor=world["sup1"],
        scope=_sup(world),
        customer=world["rescue"],
        rep_id=world["rep1"].id,
        day=TOMORROW,
        window_start=time(10, 0),
        window_end=time(11, 0),
        note="Comprador só de manhã",
        now=local_now(),
    )
    values.update(over)
    return appointments.book_visit(**values)


def _stop_of(plan: Plan, customer_id: int):
    return next((s for s in plan.stops if s.customer_id == customer_id), None)


def test_booked_visit_is_kept_by_the_next_plan_and_the_week_agenda(world):
    """Tests that the nightly plan of the day holds the appointment, in its window, though
    its score alone would not bring it, and that a later day of the agenda keeps one too."""
    booking = _book(world)
    assert booking.plan_state == "not_planned_yet"
    outcome = planning.plan_rep(rep=world["rep1"], day=TOMORROW, source="nightly")
    stop = _stop_of(outcome.plan, world["rescue"].id)
    assert stop is not None
    assert stop.appointment
    assert 10 * 3600 <= stop.start_s <= 11 * 3600
    later = TOMORROW + timedelta(days=1)
    _book(world, day=later, window_start=time(15), window_end=time(16))
    planning.plan_rep(rep=world["rep1"], day=TOMORROW, source="nightly", week=True)
    draft = db.session.scalar(
        sa.select(Plan).where(Plan.user_id == world["rep1"].id, Plan.plan_date == later)
    )
    assert draft is not None
    assert _stop_of(draft, world["rescue"].id) is not None


def test_booking_replans_an_unstarted_day_at_once_and_keeps_a_draft_a_draft(world):
    """Tests that booking on a day already planned (not started) plans it again with the visit."""
    planning.plan_rep(rep=world["rep1"], day=TOMORROW, source="nightly", week=False)
    booking = _book(world)
    assert booking.plan_state == "replanned"
    assert booking.plan is not None
    assert booking.plan.status == PlanStatus.PLANNED
    assert _stop_of(booking.plan, world["rescue"].id).appointment
    later = TOMORROW + timedelta(days=1)
    make_plan(world["rep1"], world["near"][:2], later, status=PlanStatus.DRAFT)
    draft = _book(world, day=later, window_start=time(14), window_end=time(15))
    assert draft.plan_state == "replanned"
    assert draft.plan.status == PlanStatus.DRAFT


def test_a_route_under_way_keeps_its_order_and_the_phone_re_plan_adds_the_visit(client, world):
    """Tests that booking for today on a started route leaves it to the rep, the phone lists
    the booked visit, and the rep's re-plan from the phone (preview then confirm) keeps it."""
    plan = make_plan(world["rep1"], world["near"], TODAY, status=PlanStatus.STARTED)
    booking = _book(world, day=TODAY, window_start=time(11), window_end=time(12))
    assert booking.plan_state == "under_way"
    login(client, world["rep1"].email)
    token = csrf_token(client, "/auth/me")
    day = client.get("/api/rep/today").get_json()
    assert [b["name"] for b in day["booked"]] == ["Empório Resgate"]
    assert day["booked"][0]["window"] == "11:00–12:00"
    preview = client.post(
        "/api/rep/replan/preview",
        json={"lat": -23.55, "lon": -46.63},
        headers={"X-CSRFToken": token},
    )
    assert preview.status_code == 200, preview.get_json()
    confirmed = client.post(
        "/api/rep/replan/confirm",
        json={"token": preview.get_json()["token"]},
        headers={"X-CSRFToken": token},
    )
    assert confirmed.status_code == 200
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    stop = _stop_of(plan, world["rescue"].id)
    assert stop is not None
    assert stop.appointment
    assert 11 * 3600 <= stop.start_s <= 12 * 3600
    assert client.get("/api/rep/today").get_json()["booked"] == []


def test_a_re_plan_in_the_service_keeps_the_appointment(world):
    """Tests replan_rest_of_day directly: the appointment stays when the day is re-planned."""
    plan = make_plan(world["rep1"], world["near"], TODAY, status=PlanStatus.STARTED)
    _book(world, day=TODAY, window_start=time(13), window_end=time(14))
    outcome = planning.replan_rest_of_day(plan=plan, now_s=9 * 3600 + 300)
    assert _stop_of(outcome.plan, world["rescue"].id).appointment


def test_booking_refusals(world):
    """Tests a day off, a window outside the rep's day, a reversed window, a past day."""
    db.session.add(
        TimeOff(
            company_id=world["company"].id,
            user_id=world["rep1"].id,
            first_day=TOMORROW,
            last_day=TOMORROW,
        )
    )
    db.session.flush()
    with pytest.raises(Invalid) as off:
        _book(world)
    assert "day" in off.value.errors
    later = TOMORROW + timedelta(days=1)
    with pytest.raises(Invalid) as outside:
        _book(world, day=later, window_start=time(19), window_end=time(20))
    assert "window_start" in outside.value.errors
    with pytest.raises(Invalid) as reversed_window:
        _book(world, day=later, window_start=time(11), window_end=time(10))
    assert "window_end" in reversed_window.value.errors
    with pytest.raises(Invalid) as past:
        _book(world, day=TODAY - timedelta(days=1), rep_id=world["rep2"].id)
    assert {"day", "rep_id"} <= set(past.value.errors)


def test_the_rep_week_and_the_customer_card_show_the_booking(app, client, world):
    """Tests that the rep's week page lists the booked visit and the card shows it ahead and
    in its history of actions."""
    _book(world)
    login(client, world["rep1"].email)
    html = client.get(WEEK_URL).get_data(as_text=True)
    assert "Empório Resgate" in html
    assert "Comprador só de manhã" in html
    supervisor = app.test_client()
    login(supervisor, world["sup1"].email)
    card = supervisor.get(f"/carteira/clientes/{world['rescue'].id}").get_data(as_text=True)
    assert "data-appointment" in card
    assert "data-action-history" in card


# --------------------------------------------------------------------------- moves


def test_move_preview_shows_both_workloads_and_confirm_moves_with_audit(world):
    """Tests the preview's figures (visits by frequency, service hours, travel, available
    hours) for the giving and receiving reps, and that confirming audits each customer."""
    scope = Scope.of(world["admin"])
    moving = world["near"][:2]
    for c in moving:
        c.visit_frequency_days = 14
    db.session.flush()
    preview = moves.preview_move(
        scope=scope,
        customer_ids=[c.id for c in moving],
        target_id=world["rep2"].id,
        today=TODAY,
    )
    target, giver = preview.effects
    assert target.before.user_id == world["rep2"].id
    assert target.moved == 2
    assert target.after.customers == target.before.customers + 2
    assert target.after.visits == pytest.approx(target.before.visits + 4)  # 2 × 28/14
    assert target.after.service_h == pytest.approx(target.before.service_h + 4 * 15 / 60)
    assert giver.after.customers == giver.before.customers - 2
    assert giver.before.available_h
    assert giver.before.available_h > 0
    # No routes yet: travel comes from the routing step's travel model over the portfolio.
    assert giver.before.travel_h is not None
    assert giver.before.travel_h > 0
    assert giver.after.travel_h < giver.before.travel_h  # fewer visits, less driving
    assert giver.before.load is not None
    # Each moved customer's distance to the receiving territory (rep2's customer and base).
    assert preview.nearest_km[moving[0].id] == pytest.approx(1.0, abs=1.0)
    # Nothing written by a preview.
    assert all(c.owner_id == world["rep1"].id for c in moving)
    moves.move_customers(
        actor=world["admin"],
        scope=scope,
        customer_ids=[c.id for c in moving],
        target_id=world["rep2"].id,
        today=TODAY,
    )
    assert all(c.owner_id == world["rep2"].id for c in moving)
    logs = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "customer.move")).all()
    assert {log.target for log in logs} == {f"customer:{c.id}" for c in moving}
    assert all(log.details["from_id"] == world["rep1"].id for log in logs)


def test_move_refuses_the_wrong_channel_and_customers_out_of_scope(world):
    """Tests that a field customer cannot go to a seat, and another team's customer is a 404."""
    with pytest.raises(Invalid) as wrong:
        moves.preview_move(
            scope=_sup(world),
            customer_ids=[world["rescue"].id],
            target_id=world["tel1"].id,
            today=TODAY,
        )
    assert "target_id" in wrong.value.errors
    with pytest.raises(LookupError):
        moves.preview_move(
            scope=_sup(world),
            customer_ids=[world["c_rep2"].id],
            target_id=world["rep1"].id,
            today=TODAY,
        )


def test_move_pages_preview_then_confirm(client, world):
    """Tests the bulk move through the pages: the preview table, then the confirmation."""
    rep3 = make_user(world["company"], Role.REP, world["rep1"].team, with_profile=True)
    login(client, world["sup1"].email)
    ids = [world["near"][0].id, world["near"][1].id]
    form = client.get("/acoes/mover?customer_ids=" + ",".join(map(str, ids)))
    assert form.status_code == 200
    preview = post_form(
        client, "/acoes/mover", {"customer_ids": ids, "target_id": rep3.id}, page="/auth/me"
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "data-workload" in html
    assert "data-confirm-move" in html
    assert world["near"][0].owner_id == world["rep1"].id
    done = post_form(
        client,
        "/acoes/mover",
        {"customer_ids": ids, "target_id": rep3.id, "confirm": "1"},
        page="/auth/me",
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert {db.session.get(Customer, i).owner_id for i in ids} == {rep3.id}


# --------------------------------------------------------------------------- lost


def test_lost_customer_leaves_the_base_and_the_kpis_count_it_apart(world):
    """Tests that marking lost takes the customer out of the base (so out of churn), cancels
    its coming visits and requests, and that the lost figure counts it with its revenue."""
    rescue = world["rescue"]
    make_order(rescue, TODAY - timedelta(days=30))
    _book(world)
    telesales_requests.send_to_telesales(
        actor=world["sup1"],
        scope=_sup(world),
        customer=rescue,
        seat_id=world["tel1"].id,
        due_date=TODAY,
        note=None,
        today=TODAY,
    )
    flt = kpis.KpiFilter(scope=_sup(world), start=TODAY - timedelta(days=6), end=TODAY)
    assert rescue.id in kpis.load_facts(flt)
    with pytest.raises(Invalid):
        lost.mark_lost(
            actor=world["sup1"], customer=rescue, reason="nope", note=None, today=TODAY, now=NOW
        )
    lost.mark_lost(
        actor=world["sup1"],
        customer=rescue,
        reason="concorrencia",
        note="Fechou com o atacarejo",
        today=TODAY,
        now=NOW,
    )
    assert not rescue.active
    assert rescue.lost_on == TODAY
    assert rescue.id not in kpis.load_facts(flt)
    figure = kpis.lost_customers(flt)
    assert figure.customers == 1
    assert figure.revenue_before == Decimal("100.00")  # the order of 30 days before
    assert figure.reasons == [("concorrencia", 1)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(CallRequest.closed_at.is_(None))) == 0
    other_team = kpis.KpiFilter(scope=Scope.of(world["sup2"]), start=flt.start, end=flt.end)
    assert kpis.lost_customers(other_team).customers == 0
    lost.win_back(actor=world["sup1"], customer=rescue)
    assert rescue.active
    assert rescue.lost_on is None
    assert kpis.lost_customers(flt).customers == 0


def test_dashboard_says_lost_customers_are_counted_apart(client, world):
    """Tests the dashboard tile of customers marked lost."""
    lost.mark_lost(
        actor=world["sup1"],
        customer=world["rescue"],
        reason="fechou",
        note=None,
        today=TODAY,
        now=NOW,
    )
    login(client, world["sup1"].email)
    html = client.get("/supervisor/").get_data(as_text=True)
    assert f"/acoes/clientes/{world['near'][0].id}/visita" in html  # rows of the top lists
    tile = html[html.index('data-kpi="lost"') :][:600]
    assert ">1<" in tile.replace(" ", "")


def test_lost_page_and_history(client, world):
    """Tests the lost form (422 without a reason, next to the field), then the card's history."""
    login(client, world["sup1"].email)
    url = f"/acoes/clientes/{world['rescue'].id}/perdido"
    refused = post_form(client, url, {"reason": ""}, page=url)
    assert refused.status_code == 422
    assert re.search(r'id="reason".*?class="field-error"', refused.get_data(as_text=True), re.S)
    assert post_form(client, url, {"reason": "mudou"}, page=url).status_code == 302
    card = client.get(f"/carteira/clientes/{world['rescue'].id}").get_data(as_text=True)
    assert "data-lost" in card
    assert "data-action-history" in card


# --------------------------------------------------------------------------- authorisation


@pytest.mark.parametrize("role", ["rep1", "tel1"])
def test_reps_and_seats_cannot_act(client, world, role):
    """Tests that reps and telesales seats get 403 on every action page."""
    login(client, world[role].email)
    cid = world["c_rep1"].id
    for url in (
        f"/acoes/clientes/{cid}/televendas",
        f"/acoes/clientes/{cid}/visita",
        f"/acoes/clientes/{cid}/perdido",
        f"/acoes/mover?customer_ids={cid}",
    ):
        assert client.get(url).status_code == 403, url


def test_other_team_and_other_company_are_404(client, world):
    """Tests the scope: another team's customer and another company's are not found."""
    login(client, world["sup1"].email)
    for cid in (world["c_rep2"].id, world["c_other"].id):
        assert client.get(f"/acoes/clientes/{cid}/visita").status_code == 404
        assert client.get(f"/acoes/mover?customer_ids={cid}").status_code == 404
    url = f"/acoes/clientes/{world['c_rep2'].id}/perdido"
    token = csrf_token(client, "/auth/me")
    assert client.post(url, data={"reason": "fechou", "csrf_token": token}).status_code == 404


def test_posting_without_csrf_is_refused(client, world):
    """Tests that an action form without its CSRF token writes nothing."""
    login(client, world["sup1"].email)
    url = f"/acoes/clientes/{world['rescue'].id}/perdido"
    response = client.post(url, data={"reason": "fechou"})
    assert response.status_code in (400, 422)
    db.session.refresh(world["rescue"])
    assert world["rescue"].active


# --------------------------------------------------------------------------- API


def _bearer(user) -> dict[str, str]:
    _token, clear = api_tokens.create(user=user, name="teste", actor=user)
    return {"Authorization": f"Bearer {clear}"}


def test_api_actions(client, world):
    """Tests the API: send, book, move (dry run then real), lost; 422 by field, 404 out of
    scope, 403 for a rep."""
    headers = _bearer(world["sup1"])
    cid = world["rescue"].id
    sent = client.post(
        f"/api/v1/customers/{cid}/call-requests",
        json={"seat_id": world["tel1"].id, "due_date": TODAY.isoformat(), "note": "API"},
        headers=headers,
    )
    assert sent.status_code == 201, sent.get_json()
    booked = client.post(
        f"/api/v1/customers/{cid}/appointments",
        json={
            "rep_id": world["rep1"].id,
            "day": TOMORROW.isoformat(),
            "window_start": "10:00",
            "window_end": "09:00",
        },
        headers=headers,
    )
    assert booked.status_code == 422
    assert "window_end" in str(booked.get_json())
    booked = client.post(
        f"/api/v1/customers/{cid}/appointments",
        json={
            "rep_id": world["rep1"].id,
            "day": TOMORROW.isoformat(),
            "window_start": "10:00",
            "window_end": "11:00",
        },
        headers=headers,
    )
    assert booked.status_code == 201
    assert booked.get_json()["plan_state"] == "not_planned_yet"
    rep3 = make_user(world["company"], Role.REP, world["rep1"].team, with_profile=True)
    dry = client.post(
        "/api/v1/customers/move",
        json={"customer_ids": [world["near"][0].id], "target_id": rep3.id},
        headers=headers,
    )
    assert dry.status_code == 200
    assert dry.get_json()["dry_run"] is True
    assert len(dry.get_json()["effects"]) == 2
    db.session.refresh(world["near"][0])
    assert world["near"][0].owner_id == world["rep1"].id
    outside = client.post(
        "/api/v1/customers/move",
        json={"customer_ids": [world["c_rep2"].id], "target_id": rep3.id, "dry_run": False},
        headers=headers,
    )
    assert outside.status_code == 404
    gone = client.post(f"/api/v1/customers/{cid}/lost", json={"reason": "fechou"}, headers=headers)
    assert gone.status_code == 200
    assert gone.get_json()["active"] is False
    rep = client.post(
        f"/api/v1/customers/{world['c_rep1'].id}/lost",
        json={"reason": "fechou"},
        headers=_bearer(world["rep1"]),
    )
    assert rep.status_code == 403
    assert (
        client.post(
            f"/api/v1/customers/{world['c_other'].id}/lost",
            json={"reason": "fechou"},
            headers=headers,
        ).status_code
        == 404
    )


def test_seat_channel_customer_moves_between_seats(world):
    """Tests that a telesales customer may move to another seat (same channel), not to a rep."""
    tel2 = make_user(world["company"], Role.TELESALES, world["rep1"].team)
    customer = make_customer(
        world["company"], world["tel1"], trade_name="Só por telefone", channel=Channel.TELESALES
    )
    preview = moves.preview_move(
        scope=_sup(world), customer_ids=[customer.id], target_id=tel2.id, today=TODAY
    )
    assert preview.effects[0].after.travel_h is None  # calls need no driving
    assert preview.effects[0].after.customers == preview.effects[0].before.customers + 1
    with pytest.raises(Invalid) as wrong:
        moves.preview_move(
            scope=_sup(world), customer_ids=[customer.id], target_id=world["rep1"].id, today=TODAY
        )
    assert "target_id" in wrong.value.errors


def test_portfolio_list_offers_the_actions_and_finds_lost_customers(client, world):
    """Tests the portfolio list: row actions and bulk choice for a supervisor, none for a rep;
    lost customers out of the list, found with the "lost" filter, with their reason."""
    lost.mark_lost(
        actor=world["sup1"],
        customer=world["rescue"],
        reason="mudou",
        note=None,
        today=TODAY,
        now=NOW,
    )
    login(client, world["sup1"].email)
    html = client.get("/carteira/").get_data(as_text=True)
    assert "data-bulk" in html
    assert 'data-action="visit"' in html
    assert "Empório Resgate" not in html
    lost_list = client.get("/carteira/?lost=1").get_data(as_text=True)
    assert "Empório Resgate" in lost_list
    assert "data-lost" in lost_list
    assert "Vizinho 0" not in lost_list


def test_a_rep_list_has_no_actions(client, world):
    """Tests that a rep's portfolio list shows no supervisor actions."""
    login(client, world["rep1"].email)
    html = client.get("/carteira/").get_data(as_text=True)
    assert "data-bulk" not in html
    assert "data-action=" not in html


def test_a_request_made_during_the_day_is_counted_apart(world):
    """Tests that a customer sent for today after the day began is "added", not part of the
    list as ranked in the morning (the progress total does not move)."""
    seat = world["tel1"]
    before = telesales.get_call_list(seat=seat, day=TODAY, now=local_now()).progress.total
    telesales_requests.send_to_telesales(
        actor=world["sup1"],
        scope=_sup(world),
        customer=world["near"][0],
        seat_id=seat.id,
        due_date=TODAY,
        note=None,
        today=TODAY,
    )
    calls = telesales.get_call_list(seat=seat, day=TODAY, now=local_now())
    row = next(r for r in calls.rows if r.customer.id == world["near"][0].id)
    assert row.added
    assert calls.progress.total == before
    assert calls.progress.added == 1


def test_a_visit_booked_with_another_rep_of_the_team_is_planned_for_that_rep(world):
    """Tests booking a customer of rep1's portfolio with another rep of the team: that rep's
    plan holds it (appointments do not need the customer in the rep's portfolio)."""
    rep3 = make_user(world["company"], Role.REP, world["rep1"].team, with_profile=True)
    _book(world, rep_id=rep3.id)
    outcome = planning.plan_rep(rep=rep3, day=TOMORROW, source="nightly", week=False)
    stop = _stop_of(outcome.plan, world["rescue"].id)
    assert stop is not None
    assert stop.appointment


def test_cancel_a_booked_visit_and_a_request_from_the_card(client, world):
    """Tests cancelling from the card: the visit leaves the unstarted plan of its day, the
    request leaves the seat's list, both in the history; another team's supervisor gets 404."""
    planning.plan_rep(rep=world["rep1"], day=TOMORROW, source="nightly", week=False)
    booking = _book(world)
    assert _stop_of(booking.plan, world["rescue"].id) is not None
    request = telesales_requests.send_to_telesales(
        actor=world["sup1"],
        scope=_sup(world),
        customer=world["rescue"],
        seat_id=world["tel1"].id,
        due_date=TODAY,
        note=None,
        today=TODAY,
    )
    appointment_id, request_id = booking.appointment.id, request.id
    db.session.commit()  # the requests below run in their own sessions
    login(client, world["sup2"].email)
    token = csrf_token(client, "/auth/me")
    url = f"/acoes/visitas/{appointment_id}/cancelar"
    assert client.post(url, data={"csrf_token": token}).status_code == 404
    other = client.post(f"/acoes/pedidos/{request_id}/cancelar", data={"csrf_token": token})
    assert other.status_code == 404
    client.post("/auth/logout", data={"csrf_token": token})
    login(client, world["sup1"].email)
    card_url = f"/carteira/clientes/{world['rescue'].id}"
    card = client.get(card_url).get_data(as_text=True)
    assert "data-cancel-visit" in card
    assert "data-cancel-request" in card
    assert post_form(client, url, {}, page=card_url).status_code == 302
    cancel = f"/acoes/pedidos/{request_id}/cancelar"
    assert post_form(client, cancel, {}, page=card_url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment_id) is None
    plan = db.session.scalar(
        sa.select(Plan).where(Plan.user_id == world["rep1"].id, Plan.plan_date == TOMORROW)
    )
    stop = _stop_of(plan, world["rescue"].id)
    assert stop is None or not stop.appointment
    seat_list = telesales.get_call_list(seat=world["tel1"], day=TODAY, now=local_now())
    assert world["rescue"].id not in [r.customer.id for r in seat_list.rows]
    history = client.get(card_url).get_data(as_text=True)
    assert "cancelou a visita" in history


def test_history_names_hand_edits_by_their_labels(client, world):
    """Tests that a hand edit in the card's history names the fields as the form does."""
    from app.services import customers as customer_service

    customer_service.update_customer(
        actor=world["sup1"],
        scope=_sup(world),
        customer=world["rescue"],
        values={"visit_frequency_days": 14},
    )
    login(client, world["sup1"].email)
    html = client.get(f"/carteira/clientes/{world['rescue'].id}").get_data(as_text=True)
    history = html[html.index("data-action-history") :]
    assert "visit_frequency_days" not in history
    assert "Visitar ou ligar a cada (dias)" in history


def test_an_import_that_says_active_wins_a_lost_customer_back(world):
    """Tests that a lost customer stays lost through an import that leaves `active` out, and is
    no longer marked lost when the company's data says it is active."""
    from app.services.imports import import_rows

    rescue = world["rescue"]
    lost.mark_lost(
        actor=world["sup1"], customer=rescue, reason="fechou", note=None, today=TODAY, now=NOW
    )
    same = import_rows(
        kind="customers",
        rows=[{"erp_code": rescue.erp_code, "legal_name": rescue.legal_name}],
        company_id=world["company"].id,
        actor_id=world["admin"].id,
    )
    assert same.ok
    db.session.refresh(rescue)
    assert not rescue.active
    assert rescue.lost_reason == "fechou"
    back = import_rows(
        kind="customers",
        rows=[{"erp_code": rescue.erp_code, "active": True}],
        company_id=world["company"].id,
        actor_id=world["admin"].id,
    )
    assert back.ok, back.problems
    db.session.refresh(rescue)
    assert rescue.active
    assert rescue.lost_on is None
    assert rescue.lost_reason is None


def test_moved_and_lost_customers_leave_the_giving_rep_plans_ahead(world):
    """Tests that the giving rep's unstarted plan of tomorrow is planned again without a moved
    customer, a draft day loses its stop, a lost customer leaves too, and a route under way
    is left to the rep."""
    rep1 = world["rep1"]
    moved, gone = world["near"][0], world["near"][1]
    planned = make_plan(rep1, world["near"], TOMORROW)
    later = TOMORROW + timedelta(days=1)
    draft = make_plan(rep1, world["near"], later, status=PlanStatus.DRAFT)
    started = make_plan(rep1, world["near"], TODAY, status=PlanStatus.STARTED)
    rep3 = make_user(world["company"], Role.REP, rep1.team, with_profile=True)
    moves.move_customers(
        actor=world["sup1"],
        scope=_sup(world),
        customer_ids=[moved.id],
        target_id=rep3.id,
        today=TODAY,
    )
    lost.mark_lost(
        actor=world["sup1"], customer=gone, reason="fechou", note=None, today=TODAY, now=NOW
    )
    db.session.expire_all()
    for plan_id in (planned.id, draft.id):
        ids = {s.customer_id for s in db.session.get(Plan, plan_id).stops}
        assert moved.id not in ids
        assert gone.id not in ids
    assert {s.customer_id for s in db.session.get(Plan, started.id).stops} >= {moved.id, gone.id}
