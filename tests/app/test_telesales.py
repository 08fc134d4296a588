"""Telesales call list: ranking, callbacks, idempotent call logging, pushed skipped
visits, scope."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    CompanySettings,
    Contact,
    ContactKind,
    Outcome,
    Plan,
    PlanStop,
    ScoreSnapshot,
    StopStatus,
)
from app.services import telesales
from app.services.clock import DEFAULT_TZ, local_now
from tests.factories import Channel, make_customer, two_teams
from tests.support.web import login, post_form

REASONS = [{"key": "preco", "label": "Preço", "label_en": "Price"}]


def _settings(company, **planning):
    db.session.add(
        CompanySettings(
            company_id=company.id, version=1, planning={"no_sale_reasons": REASONS, **planning}
        )
    )
    db.session.flush()


def _score(customer, total, day):
    db.session.add(
        ScoreSnapshot(
            company_id=customer.company_id,
            customer_id=customer.id,
            score_date=day,
            total=total,
            flags=0,
            reasons=[],
            offers=[],
        )
    )


@pytest.fixture
def world(db_session):
    w = two_teams()
    _settings(w["company"])
    today = local_now().date()
    tel = w["tel1"]
    w["low"] = make_customer(
        w["company"], tel, trade_name="Cliente Nota Baixa", channel=Channel.TELESALES
    )
    w["high"] = make_customer(
        w["company"], tel, trade_name="Cliente Nota Alta", channel=Channel.TELESALES
    )
    _score(w["low"], 10.0, today)
    _score(w["high"], 80.0, today)
    _score(w["c_tel1"], 50.0, today)
    db.session.flush()
    return w


def names(call_list):
    return [r.customer.trade_name for r in call_list.rows]


def test_list_is_the_seat_portfolio_ranked_by_score(world):
    """Tests ranking by the latest score and that other portfolios stay out."""
    now = local_now()
    calls = telesales.get_call_list(seat=world["tel1"], day=now.date(), now=now)
    assert names(calls) == ["Cliente Nota Alta", "Farmácia do Televendas", "Cliente Nota Baixa"]
    assert calls.progress.total == 3
    assert calls.progress.worked == 0


def _log(world, customer, outcome, **fields):
    now = fields.pop("now", local_now())
    data = telesales.CallInput(
        customer_id=world[customer].id, client_uuid=str(uuid.uuid4()), outcome=outcome, **fields
    )
    return telesales.log_call(seat=world["tel1"], data=data, day=now.date(), now=now)


def test_callback_returns_on_top_at_its_time(world):
    """Tests that a callback waits below the pending calls, then jumps to the top when due."""
    now = datetime(2026, 11, 23, 9, 0, tzinfo=DEFAULT_TZ)
    contact, created = _log(world, "high", "callback", callback_time="14:30", now=now)
    assert created
    assert contact.callback_at == datetime(2026, 11, 23, 14, 30, tzinfo=DEFAULT_TZ)
    before = telesales.get_call_list(seat=world["tel1"], day=now.date(), now=now)
    assert names(before)[-1] == "Cliente Nota Alta"
    assert before.rows[-1].state == "callback_later"
    later = now.replace(hour=14, minute=31)
    after = telesales.get_call_list(seat=world["tel1"], day=now.date(), now=later)
    assert after.rows[0].customer.trade_name == "Cliente Nota Alta"
    assert after.rows[0].state == "callback_due"
    assert after.progress.callbacks_due == 1


def test_outcomes_order_the_rest_of_the_list(world):
    """Tests that done calls sink, not-reached ones wait for a retry, and progress counts them."""
    _log(world, "high", "order", order_value="1.234,56")
    _log(world, "c_tel1", "not_reached")
    now = local_now()
    calls = telesales.get_call_list(seat=world["tel1"], day=now.date(), now=now)
    assert [(r.customer.trade_name, r.state) for r in calls.rows] == [
        ("Cliente Nota Baixa", "pending"),
        ("Farmácia do Televendas", "retry"),
        ("Cliente Nota Alta", "done"),
    ]
    assert calls.progress.worked == 2
    assert (calls.progress.calls, calls.progress.orders) == (2, 1)
    assert str(calls.progress.order_value) == "1234.56"


@pytest.mark.parametrize(
    ("outcome", "fields", "code"),
    [
        ("order", {"order_value": ""}, "order_value"),
        ("order", {"order_value": "abc"}, "order_value"),
        ("no_sale", {"no_sale_reason": "nao_existe"}, "no_sale_reason"),
        ("callback", {"callback_time": "25:99"}, "callback_time"),
        ("skipped", {}, "outcome"),
    ],
)
def test_invalid_calls_are_refused(world, outcome, fields, code):
    """Tests that each outcome requires its value, reason or time."""
    with pytest.raises(telesales.CallError) as err:
        _log(world, "high", outcome, **fields)
    assert err.value.code == code


def test_money_and_time_parsing():
    """Tests the Brazilian money format and callback times."""
    assert str(telesales.parse_money("R$ 1.234,56")) == "1234.56"
    assert str(telesales.parse_money("99.9")) == "99.90"
    assert telesales.parse_money("9" * 40) is None  # beyond NUMERIC(14, 2): refused, not a 500
    assert telesales.parse_money("0") is None
    assert telesales.parse_callback("9h05", datetime(2026, 1, 2).date()).hour == 9
    assert telesales.whatsapp_number("(11) 98765-4321") == "5511987654321"
    assert telesales.tel_number("(11) 4034-8895") == "+551140348895"


def _skip_today(world, customer_key="c_rep1"):
    today = local_now().date()
    plan = Plan(company_id=world["company"].id, user_id=world["rep1"].id, plan_date=today)
    plan.stops.append(
        PlanStop(
            seq=0,
            customer_id=world[customer_key].id,
            arrival_s=0,
            start_s=0,
            departure_s=0,
            status=StopStatus.SKIPPED,
        )
    )
    db.session.add(plan)
    db.session.flush()


def test_skipped_field_visit_is_pushed_to_the_team_seat(world):
    """Tests that today's skipped visit of the team shows on the seat's list and can be called."""
    _skip_today(world)
    assert (
        telesales.push_skipped_to_telesales(
            rep=world["rep1"], customer_id=world["c_rep1"].id, day=local_now().date()
        )
        == world["tel1"]
    )
    now = local_now()
    calls = telesales.get_call_list(seat=world["tel1"], day=now.date(), now=now)
    pushed = [r for r in calls.rows if r.customer.id == world["c_rep1"].id]
    assert pushed
    assert pushed[0].pushed_by == world["rep1"].name
    contact, _ = _log(world, "c_rep1", "no_sale", no_sale_reason="preco")
    assert contact.kind == ContactKind.CALL


def test_push_can_be_turned_off(world):
    """Tests the company setting push_skipped_to_telesales."""
    db.session.add(
        CompanySettings(
            company_id=world["company"].id, version=2, planning={"telesales_push_skipped": False}
        )
    )
    _skip_today(world)
    now = local_now()
    calls = telesales.get_call_list(seat=world["tel1"], day=now.date(), now=now)
    assert world["c_rep1"].id not in {r.customer.id for r in calls.rows}
    assert (
        telesales.push_skipped_to_telesales(
            rep=world["rep1"], customer_id=world["c_rep1"].id, day=now.date()
        )
        is None
    )
    with pytest.raises(LookupError):
        _log(world, "c_rep1", "not_reached")


def test_logging_through_the_page_is_idempotent(client, world):
    """Tests the real form: a re-sent client UUID does not create a second call."""
    login(client, world["tel1"].email)
    page = client.get("/televendas/")
    assert page.status_code == 200
    assert "Cliente Nota Alta" in page.get_data(as_text=True)
    data = {
        "customer_id": world["high"].id,
        "client_uuid": str(uuid.uuid4()),
        "outcome": "order",
        "order_value": "250,00",
    }
    first = post_form(client, "/televendas/ligacoes", data, page="/televendas/")
    again = post_form(client, "/televendas/ligacoes", data, page="/televendas/")
    assert first.status_code == again.status_code == 302
    calls = db.session.scalars(
        sa.select(Contact).where(Contact.customer_id == world["high"].id)
    ).all()
    assert len(calls) == 1
    assert (calls[0].outcome, str(calls[0].order_value)) == (Outcome.ORDER, "250.00")


def test_other_portfolio_answers_404_and_other_roles_403(client, world):
    """Tests scope on the endpoint and the role gate on the page."""
    login(client, world["tel1"].email)
    data = {
        "customer_id": world["c_rep2"].id,
        "client_uuid": str(uuid.uuid4()),
        "outcome": "not_reached",
    }
    assert post_form(client, "/televendas/ligacoes", data, page="/televendas/").status_code == 404
    client.post("/auth/logout", data={})
    other = client.application.test_client()
    login(other, world["rep1"].email)
    assert other.get("/televendas/").status_code == 403


def test_home_of_a_seat_is_the_call_list(client, world):
    """Tests ROLE_HOME for telesales."""
    login(client, world["tel1"].email)
    assert client.get("/").headers["Location"].endswith("/televendas/")
    assert client.get("/televendas/").status_code == 200
