"""A rescue case that was contacted still counts as at risk (issue 17, "Em risco").

Built from a company of its own, not the demo: a rescue case called within its frequency that owes
nothing and has no revenue fall scores health exactly 50 (only the rescue penalty), which the old
"health below 50" rule left out of the at-risk figure and list.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import ContactKind, Outcome, Role, ScoreSnapshot
from app.security.scope import Scope
from app.services import kpis
from tests.factories import (
    make_company,
    make_contact,
    make_customer,
    make_order,
    make_team,
    make_user,
)

END = date(2027, 3, 10)
START = END - timedelta(days=13)
FLAG_LAPSE_AND_RESCUE = kpis.FLAG_LAPSE | kpis.FLAG_RESCUE


def _snapshot(customer, flags: int) -> None:
    db.session.add(
        ScoreSnapshot(
            company_id=customer.company_id,
            customer_id=customer.id,
            score_date=END,
            total=40.0,
            flags=flags,
            cycle_days=21.0,
            reasons=[],
            offers=[],
        )
    )


@pytest.fixture
def world(db_session):
    company = make_company("Atacado Serra")
    team = make_team(company)
    sup = make_user(company, Role.SUPERVISOR, team)
    rep = make_user(company, Role.REP, team, with_profile=True, name="Carla Rep")
    seat = make_user(company, Role.TELESALES, team, name="Dora Tele")
    called = make_customer(company, rep, trade_name="Resgate Ligado", visit_frequency_days=10)
    visited = make_customer(company, rep, trade_name="Resgate Visitado", visit_frequency_days=20)
    silent = make_customer(company, rep, trade_name="Resgate Sem Contato", visit_frequency_days=10)
    healthy = make_customer(company, rep, trade_name="Loja Saudável", visit_frequency_days=10)
    for customer in (called, visited, silent):
        make_order(customer, date(2026, 6, 2), [("Frios", Decimal("420"))])
        _snapshot(customer, FLAG_LAPSE_AND_RESCUE)
    make_order(healthy, END - timedelta(days=3), [("Frios", Decimal("90"))])
    _snapshot(healthy, 0)
    # Spoken to within their frequency: no service gap, so only the rescue penalty applies.
    make_contact(called, seat, END - timedelta(days=2), kind=ContactKind.CALL)
    make_contact(visited, rep, END - timedelta(days=9), outcome=Outcome.CALLBACK)
    make_contact(healthy, rep, END - timedelta(days=3), outcome=Outcome.ORDER)
    db.session.flush()
    return {"sup": sup, "called": called, "visited": visited, "silent": silent}


def test_contacted_rescue_cases_stay_at_risk(world):
    """Tests that health 50 from the rescue penalty alone still counts, in figure and list."""
    flt = kpis.KpiFilter(scope=Scope.of(world["sup"]), start=START, end=END)
    facts = kpis.load_facts(flt)
    by_name = {f.name: f for f in facts.values()}
    assert by_name["Resgate Ligado"].health == 50
    assert by_name["Resgate Visitado"].health == 50
    assert not by_name["Resgate Ligado"].in_gap
    assert by_name["Resgate Sem Contato"].health < 50
    assert by_name["Loja Saudável"].health == 100

    risk = kpis.risk(facts)
    assert (risk.rescues, risk.at_risk) == (3, 3)
    listed = [r.facts.name for r in kpis.customer_list(flt, "at_risk")]
    assert listed == ["Resgate Sem Contato", "Resgate Ligado", "Resgate Visitado"]
    # every rescue case is in the at-risk list: the two figures cannot disagree
    rescue_names = {r.facts.name for r in kpis.customer_list(flt, "rescue")}
    assert rescue_names <= set(listed)
