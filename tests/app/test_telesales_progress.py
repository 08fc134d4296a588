"""Telesales progress against the day's list as ranked in the morning (issue 17, item 6).

A company of its own: one seat with five customers of its portfolio, a list of three a day, a rep
whose skipped visit is pushed to the seat. As calls are logged the list refills with the next best
customers and the pushed visit joins it; the total stays the morning's three and the newcomers are
counted apart, so "2 of 3" never turns into "2 of 5".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from app.extensions import db
from app.models import (
    Channel,
    CompanySettings,
    ContactKind,
    Outcome,
    Plan,
    PlanStop,
    Role,
    ScoreSnapshot,
    StopStatus,
)
from app.services import telesales
from app.services.clock import DEFAULT_TZ, local_now
from tests.factories import make_company, make_contact, make_customer, make_team, make_user
from tests.support.web import login

DAY = date(2027, 2, 15)
NOW = datetime(2027, 2, 15, 10, 0, tzinfo=DEFAULT_TZ)
SCORES = {"Empório A": 90.0, "Empório B": 80.0, "Empório C": 70.0, "Empório D": 60.0}


@pytest.fixture
def world(db_session):
    return _build(DAY)


def _build(day: date) -> dict[str, Any]:
    company = make_company("Atacadista Litoral")
    team = make_team(company)
    db.session.add(
        CompanySettings(
            company_id=company.id,
            version=1,
            planning={
                "telesales_daily_calls": 3,
                "no_sale_reasons": [{"key": "caro", "label": "Caro", "label_en": "Too dear"}],
            },
        )
    )
    seat = make_user(company, Role.TELESALES, team, name="Eva Tele")
    rep = make_user(company, Role.REP, team, with_profile=True, name="Fábio Rep")
    w = {"company": company, "seat": seat, "rep": rep}
    for name, score in [*SCORES.items(), ("Empório E", 50.0)]:
        w[name] = make_customer(company, seat, trade_name=name, channel=Channel.TELESALES)
        db.session.add(
            ScoreSnapshot(
                company_id=company.id,
                customer_id=w[name].id,
                score_date=day,
                total=score,
                flags=0,
                reasons=[],
                offers=[],
            )
        )
    # Not reached yesterday: still part of this morning's list, as a fresh call.
    make_contact(
        w["Empório C"],
        seat,
        day - timedelta(days=1),
        kind=ContactKind.CALL,
        outcome=Outcome.NOT_REACHED,
    )
    w["field"] = make_customer(company, rep, trade_name="Mercado do Campo")
    db.session.flush()
    return w


def _call(w, name, outcome, now=NOW, **fields):
    data = telesales.CallInput(
        customer_id=w[name].id, client_uuid=str(uuid.uuid4()), outcome=outcome, **fields
    )
    return telesales.log_call(seat=w["seat"], data=data, day=now.date(), now=now)


def _progress(w):
    calls = telesales.get_call_list(seat=w["seat"], day=DAY, now=NOW)
    p = calls.progress
    return calls, (p.total, p.worked, p.added, p.added_worked)


def _skip_field_visit(w):
    plan = Plan(company_id=w["company"].id, user_id=w["rep"].id, plan_date=DAY)
    plan.stops.append(
        PlanStop(
            seq=0,
            customer_id=w["field"].id,
            arrival_s=0,
            start_s=0,
            departure_s=0,
            status=StopStatus.SKIPPED,
        )
    )
    db.session.add(plan)
    db.session.flush()


def test_progress_keeps_the_morning_total_and_counts_newcomers_apart(world):
    """Tests 0 of 3 → 2 of 3 · +2 refilled → +3 with a pushed visit, one of them worked."""
    calls, progress = _progress(world)
    assert [r.customer.trade_name for r in calls.rows] == ["Empório A", "Empório B", "Empório C"]
    assert progress == (3, 0, 0, 0)

    _call(world, "Empório A", "order", order_value="310,00")
    _call(world, "Empório C", "no_sale", no_sale_reason="caro")
    calls, progress = _progress(world)
    # the list refilled with the next best two, which the morning did not hold
    assert {r.customer.trade_name for r in calls.rows if r.added} == {"Empório D", "Empório E"}
    assert progress == (3, 2, 2, 0)

    _skip_field_visit(world)
    _call(world, "field", "not_reached")
    calls, progress = _progress(world)
    pushed = next(r for r in calls.rows if r.customer.id == world["field"].id)
    assert pushed.added
    assert pushed.pushed_by == "Fábio Rep"
    assert progress == (3, 2, 3, 1)

    _call(world, "Empório B", "no_sale", no_sale_reason="caro")
    _call(world, "Empório D", "order", order_value="99")
    _, progress = _progress(world)
    assert progress == (3, 3, 3, 2)


def test_page_shows_the_morning_total_and_the_added_apart(client, db_session):
    """Tests the seat's page in pt-BR: "2 de 3 clientes trabalhados · +2 adicionados"."""
    now = local_now()
    w = _build(now.date())
    _call(w, "Empório A", "order", now=now, order_value="310,00")
    _call(w, "Empório C", "not_reached", now=now)
    login(client, w["seat"].email)
    html = client.get("/televendas/").get_data(as_text=True)
    assert "2 de 3 clientes trabalhados" in html
    assert "+2 adicionados" in html
