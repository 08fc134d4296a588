"""Rescue cases: telesales first, a field slot only by policy or when a call asks for a visit."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest

from app.extensions import db
from app.models import CompanySettings, ContactKind, Outcome, ScoreSnapshot
from app.services import routing, telesales
from app.services.clock import DEFAULT_TZ
from optimizer.scoring import FIELD_REACTIVATION, RESCUE
from tests.factories import make_contact, make_customer, two_teams

DAY = date(2026, 11, 30)
NOW = datetime.combine(DAY, time(9, 0), tzinfo=DEFAULT_TZ)


def _snap(customer, *, purpose, flags=RESCUE, monthly=100.0, day=DAY):
    db.session.add(
        ScoreSnapshot(
            company_id=customer.company_id,
            customer_id=customer.id,
            score_date=day,
            total=20.0,
            flags=flags,
            purpose=purpose,
            monthly_value=monthly,
            reasons=[],
            offers=[],
        )
    )


@pytest.fixture
def world(db_session):
    w = two_teams()
    db.session.add(
        CompanySettings(
            company_id=w["company"].id, version=1, planning={"reactivation_daily_calls": 2}
        )
    )
    company, rep1 = w["company"], w["rep1"]
    w["big"] = make_customer(company, rep1, trade_name="Resgate Grande")
    w["mid"] = make_customer(company, rep1, trade_name="Resgate Médio")
    w["small"] = make_customer(company, rep1, trade_name="Resgate Pequeno")
    w["called"] = make_customer(company, rep1, trade_name="Resgate Já Ligado")
    w["legacy"] = make_customer(company, rep1, trade_name="Resgate Antigo")
    w["field"] = make_customer(company, rep1, trade_name="Resgate em Campo")
    _snap(w["big"], purpose="reactivation", monthly=5000.0)
    _snap(w["mid"], purpose="reactivation", monthly=900.0)
    _snap(w["small"], purpose="reactivation", monthly=50.0)
    _snap(w["called"], purpose="reactivation", monthly=9000.0)
    _snap(w["legacy"], purpose=None, monthly=None)  # written before purposes: the flag tells
    _snap(w["field"], purpose="reactivation", flags=RESCUE | FIELD_REACTIVATION, monthly=20000.0)
    _snap(w["c_rep1"], purpose="sales", flags=0, monthly=300.0)
    _snap(w["c_rep2"], purpose="reactivation", monthly=7000.0)  # the other team's
    make_contact(
        w["called"],
        w["tel1"],
        DAY - timedelta(days=3),
        kind=ContactKind.CALL,
        outcome=Outcome.NO_SALE,
    )
    db.session.flush()
    return w


def test_in_field_follows_the_policy_and_the_calls():
    """Tests the admission of a customer to a field slot by purpose, policy and request."""
    telesales_first = routing.PlanningConfig(company_id=1)
    never = routing.PlanningConfig(company_id=1, reactivation_policy="never")
    sales = routing.ScoreFacts(50.0, 0, "sales")
    rescue = routing.ScoreFacts(20.0, RESCUE, "reactivation")
    by_policy = routing.ScoreFacts(20.0, RESCUE | FIELD_REACTIVATION, "reactivation")
    assert routing.in_field(sales, 1, never, set())
    assert routing.in_field(None, 1, telesales_first, set())
    assert not routing.in_field(rescue, 1, telesales_first, set())
    assert routing.in_field(rescue, 1, telesales_first, {1})  # a call asked for a visit
    assert not routing.in_field(rescue, 1, never, {1})  # never: telesales only
    assert routing.in_field(by_policy, 1, telesales_first, set())


def test_the_call_list_gets_the_teams_most_valuable_rescue_cases(world):
    """Tests which rescue cases a seat calls today, and that they stay out of the field."""
    calls = telesales.get_call_list(seat=world["tel1"], day=DAY, now=NOW)
    rescued = [r.customer.id for r in calls.rows if r.rescue_of]
    # big and mid (the two best by monthly value); not "called" (contacted 3 days ago), not
    # "field" (the policy sends it to the field), not the other team's; limit 2 a day
    assert set(rescued) == {world["big"].id, world["mid"].id}
    assert all(r.rescue_of == world["rep1"].name for r in calls.rows if r.rescue_of)
    db.session.add(
        CompanySettings(
            company_id=world["company"].id, version=2, planning={"reactivation_daily_calls": 10}
        )
    )
    db.session.flush()
    ids = set(telesales.reactivation_customer_ids(seat=world["tel1"], day=DAY))
    assert ids == {world[k].id for k in ("big", "mid", "small", "legacy")}


def test_a_call_that_asks_for_a_visit_routes_the_customer(world):
    """Tests the 'visit requested' outcome: logged by the seat, then a field candidate."""
    data = telesales.CallInput(
        customer_id=world["mid"].id, client_uuid=str(uuid.uuid4()), outcome="visit_requested"
    )
    contact, created = telesales.log_call(seat=world["tel1"], data=data, day=DAY, now=NOW)
    assert created
    assert contact.outcome == Outcome.VISIT_REQUESTED
    tomorrow = DAY + timedelta(days=1)
    requested = routing.visit_requests(company_id=world["company"].id, day=tomorrow, since_days=30)
    assert requested == {world["mid"].id}
    # worked: not offered to the seat again within the retry window
    assert world["mid"].id not in telesales.reactivation_customer_ids(
        seat=world["tel1"], day=tomorrow
    )
    # the rep's candidates of tomorrow take it (and only the rescue cases admitted)
    config = routing.load_config(company_id=world["company"].id)
    scores = routing.scores_for(company_id=world["company"].id, day=tomorrow)
    customers = routing.field_customers(rep=world["rep1"])
    chosen = routing.build_candidates(
        rep=world["rep1"], day=tomorrow, config=config, customers=customers, scores=scores
    )
    picked = {info.customer_id for info in chosen.info.values()}
    assert world["mid"].id in picked
    assert world["field"].id in picked
    assert not picked & {world[k].id for k in ("big", "small", "called", "legacy")}
    # a visit answers the request
    make_contact(
        world["mid"], world["rep1"], tomorrow, kind=ContactKind.VISIT, outcome=Outcome.NO_SALE
    )
    assert (
        routing.visit_requests(
            company_id=world["company"].id, day=tomorrow + timedelta(days=1), since_days=30
        )
        == set()
    )
