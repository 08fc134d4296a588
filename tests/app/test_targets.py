"""Monthly targets (issue 17, item 5): coverage and positivação per portfolio and team.

A company built from scratch (not the demo): a rep's portfolio of four active customers and one
inactive, a telesales seat's customer, a second team and another company. The progress figures
are checked against numbers worked out by hand *and* against the dashboard's own KPIs, so the
targets page and the dashboard cannot disagree; then the page (set, errors, authorisation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import ContactKind, MonthlyTarget, Outcome, Role
from app.security.scope import Scope
from app.services import kpis, targets
from app.services.clock import DEFAULT_TZ
from app.services.errors import Invalid
from tests.factories import (
    make_company,
    make_contact,
    make_customer,
    make_order,
    make_team,
    make_user,
)
from tests.support.planning import score
from tests.support.web import login, post_form

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=DEFAULT_TZ)
MONTH = date(2026, 11, 1)
URL = "/supervisor/metas"


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(db_session):
    company = make_company("Atacado Meta")
    north, south = make_team(company, "Equipe Norte"), make_team(company, "Equipe Sul")
    w = {
        "company": company,
        "north": north,
        "south": south,
        "admin": make_user(company, Role.ADMIN),
        "sup": make_user(company, Role.SUPERVISOR, north),
        "sup_south": make_user(company, Role.SUPERVISOR, south),
        "rep": make_user(company, Role.REP, north, name="Ana Rep"),
        "seat": make_user(company, Role.TELESALES, north, name="Bia Tele"),
        "rep_south": make_user(company, Role.REP, south, name="Caio Sul"),
    }
    rep, seat = w["rep"], w["seat"]
    # In frequency and bought this month.
    a1 = make_customer(company, rep, trade_name="A1 Em dia", visit_frequency_days=7)
    make_contact(a1, rep, date(2026, 11, 18), outcome=Outcome.ORDER)
    make_order(a1, date(2026, 11, 18))
    # Contacted this month but past its weekly frequency; bought last month only.
    a2 = make_customer(company, rep, trade_name="A2 Semanal atrasado", visit_frequency_days=7)
    make_contact(a2, rep, date(2026, 11, 5), outcome=Outcome.NO_SALE)
    make_order(a2, date(2026, 10, 30))
    # Never contacted, never bought.
    a3 = make_customer(company, rep, trade_name="A3 Nunca visitado", visit_frequency_days=30)
    # A skipped visit is no contact; bought this month without a visit (an ERP order).
    a4 = make_customer(company, rep, trade_name="A4 Pulado", visit_frequency_days=14)
    make_contact(a4, rep, date(2026, 11, 10), outcome=Outcome.SKIPPED)
    make_order(a4, date(2026, 11, 2))
    # Inactive: never counted.
    gone = make_customer(company, rep, trade_name="A5 Inativo", active=False)
    make_order(gone, date(2026, 11, 3))
    s1 = make_customer(company, seat, trade_name="S1 Ligado", visit_frequency_days=7)
    make_contact(s1, seat, date(2026, 11, 19), kind=ContactKind.CALL, outcome=Outcome.CALLBACK)
    w["south_customer"] = make_customer(company, w["rep_south"], trade_name="Sul 1")
    for customer, total in ((a1, 10.0), (a2, 80.0), (a3, 50.0), (s1, 20.0)):
        score(customer, TODAY, total)
    w.update(a1=a1, a2=a2, a3=a3, a4=a4, s1=s1)
    other = make_company("Outra Empresa")
    other_team = make_team(other, "Equipe Fora")
    w["other_team"] = other_team
    w["other_admin"] = make_user(other, Role.ADMIN)
    db.session.flush()
    return w


def _set(w, values, actor="sup", team="north", month=MONTH):
    return targets.set_targets(
        actor=w[actor],
        scope=Scope.of(w[actor]),
        team=w[team],
        month=month,
        values=values,
        today=TODAY,
    )


def _row(progress, user):
    return next(r for r in progress.rows if r.user_id == user.id)


def test_progress_matches_hand_counts_and_the_dashboard(world):
    """Tests coverage and positivação per portfolio and team against hand-worked figures and
    against the dashboard's KPIs over the same month, and the gaps each target leaves."""
    w = world
    rep_key, team_key = f"u{w['rep'].id}", f"t{w['north'].id}"
    changed = _set(
        w,
        {
            rep_key: targets.TargetInput(Decimal("75"), Decimal("60")),
            team_key: targets.TargetInput(Decimal("40"), Decimal("50")),
        },
    )
    assert changed == 2
    progress = targets.team_progress(Scope.of(w["sup"]), w["north"], TODAY)
    rep = _row(progress, w["rep"])
    assert (rep.coverage.done, rep.coverage.base) == (1, 4)  # only A1 within its frequency
    assert (rep.activation.done, rep.activation.base) == (2, 4)  # A1 and A4 bought in November
    # 75 % of 4 = 3 customers in frequency: 2 to go; 60 % of 4 = ⌈2.4⌉ = 3 buyers: 1 to go.
    assert (rep.coverage.needed, rep.activation.needed) == (2, 1)
    assert [f.name for f in rep.to_contact] == ["A2 Semanal atrasado", "A3 Nunca visitado"]
    assert [f.name for f in rep.to_sell] == ["A2 Semanal atrasado"]
    seat = _row(progress, w["seat"])
    assert (seat.coverage.done, seat.activation.done, seat.coverage.target_pct) == (1, 0, None)
    assert seat.to_contact == []
    assert seat.to_sell == []
    total = progress.total
    assert (total.coverage.done, total.coverage.base, total.activation.done) == (2, 5, 2)
    assert total.coverage.reached  # 40 % of 5 = 2
    assert (total.activation.needed, total.activation.reached) == (1, False)  # ⌈2.5⌉ = 3
    # The dashboard's own figures over the month agree, portfolio by portfolio.
    flt = kpis.KpiFilter(scope=Scope.of(w["sup"]), start=MONTH, end=TODAY)
    facts = kpis.load_facts(flt)
    dash = {c.owner_id: c for c in kpis.coverage_by_owner(facts, {})}
    assert dash[w["rep"].id].in_frequency == rep.coverage.done
    assert dash[w["rep"].id].customers == rep.coverage.base
    assert kpis.coverage_total(facts).share == total.coverage.share
    assert kpis.activation(facts).this_month == total.activation.done
    rep_flt = kpis.KpiFilter(scope=Scope.of(w["sup"]), start=MONTH, end=TODAY, rep_id=w["rep"].id)
    assert kpis.activation(kpis.load_facts(rep_flt)).this_share == rep.activation.share


def test_blank_keeps_and_bounds_refuse_without_writing(world):
    """Tests that a blank keeps a stored figure, that a value out of 0–100 or a portfolio of
    another team is refused by field with nothing written, and that past months are closed."""
    w = world
    key = f"u{w['rep'].id}"
    _set(w, {key: targets.TargetInput(Decimal("70"), Decimal("55"))})
    _set(w, {key: targets.TargetInput(None, Decimal("65"))})
    stored = targets.targets_of(w["north"], MONTH)[key]
    assert (stored.coverage_pct, stored.activation_pct) == (Decimal("70"), Decimal("65"))
    assert stored.set_by_id == w["sup"].id
    with pytest.raises(Invalid) as refused:
        _set(
            w,
            {
                key: targets.TargetInput(Decimal("101"), Decimal("-1")),
                f"u{w['rep_south'].id}": targets.TargetInput(Decimal("50")),
            },
        )
    assert set(refused.value.errors) == {
        f"{key}_coverage",
        f"{key}_activation",
        f"u{w['rep_south'].id}",
    }
    with pytest.raises(Invalid) as past:
        _set(w, {key: targets.TargetInput(Decimal("10"))}, month=date(2026, 10, 1))
    assert "month" in past.value.errors
    with pytest.raises(Invalid):  # a supervisor cannot set another team's targets
        _set(w, {f"t{w['south'].id}": targets.TargetInput(Decimal("10"))}, team="south")
    rows = db.session.scalars(sa.select(MonthlyTarget)).all()
    assert [(r.coverage_pct, r.activation_pct) for r in rows] == [(Decimal("70"), Decimal("65"))]
    # An admin sets any team of the company, next month too.
    _set(
        w,
        {f"t{w['south'].id}": targets.TargetInput(Decimal("80"))},
        actor="admin",
        team="south",
        month=date(2026, 12, 1),
    )
    assert targets.targets_of(w["south"], date(2026, 12, 1))[f"t{w['south'].id}"].coverage_pct == 80


def test_page_sets_targets_and_shows_progress_and_gap_customers(client, world):
    """Tests the page: a supervisor saves targets (decimal comma accepted), sees progress and
    the customers closing the gap linked to their cards; errors answer 422 next to the field."""
    w = world
    login(client, w["sup"].email)
    page = client.get(URL)
    assert page.status_code == 200
    rep_key = f"u{w['rep'].id}"
    saved = post_form(
        client,
        f"{URL}?month=2026-11",
        {f"{rep_key}_coverage": "75,0", f"{rep_key}_activation": "60"},
        page=URL,
    )
    assert saved.status_code == 302
    html = client.get(URL).get_data(as_text=True)
    assert 'value="75,00"' in html
    gap = re.search(rf'data-gap="{rep_key}".*?</article>', html, re.S).group(0)
    assert f'href="/carteira/clientes/{w["a2"].id}"' in gap
    assert f'href="/carteira/clientes/{w["a3"].id}"' in gap
    assert "A1 Em dia" not in gap
    # Each portfolio's figures open the dashboard's list of the customers behind them.
    row = re.search(rf'data-row="{rep_key}".*?</tr>', html, re.S).group(0)
    assert f"list=gap&amp;rep={w['rep'].id}&amp;start=2026-11-01&amp;end=2026-11-20" in row
    assert "list=not_activated" in row
    refused = post_form(client, URL, {f"{rep_key}_coverage": "120"}, page=URL)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert re.search(rf'name="{rep_key}_coverage".*?class="field-error"', body, re.S)
    stored = targets.targets_of(w["north"], MONTH)[rep_key]
    assert stored.coverage_pct == Decimal("75")
    no_token = client.post(URL, data={f"{rep_key}_coverage": "10"})
    assert no_token.status_code == 400  # CSRF: refused before the view
    assert targets.targets_of(w["north"], MONTH)[rep_key].coverage_pct == Decimal("75")


def test_page_speaks_portuguese(client, world):
    """Tests the pt_BR catalogue on the page (the default language)."""
    login(client, world["sup"].email)
    html = client.get(URL, headers={"Accept-Language": "pt-BR"}).get_data(as_text=True)
    assert "Metas" in html
    assert "Positivação" in html


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("sup", "", 200),
        ("sup", "?team={north}", 200),
        ("sup", "?team={south}", 404),
        ("sup", "?team={other}", 404),
        ("admin", "?team={south}", 200),
        ("admin", "?team={other}", 404),
        ("other_admin", "?team={north}", 404),
        ("rep", "", 403),
        ("seat", "", 403),
    ],
)
def test_page_authorisation(client, world, who, query, status):
    """Tests roles and scope: supervisors their team, admins their company, others refused."""
    w = world
    login(client, w[who].email)
    ids = {"north": w["north"].id, "south": w["south"].id, "other": w["other_team"].id}
    assert client.get(URL + query.format(**ids)).status_code == status


def test_post_to_another_team_writes_nothing(client, world):
    """Tests that a supervisor posting to another team's page is refused and nothing is stored."""
    w = world
    login(client, w["sup"].email)
    url = f"{URL}?team={w['south'].id}"
    answer = post_form(client, url, {f"t{w['south'].id}_coverage": "50"}, page=URL)
    assert answer.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyTarget)) == 0


def test_a_company_without_teams_gets_a_page_that_says_so(client, db_session):
    """Tests a company created from scratch with no team: the admin's targets page explains
    where teams come from instead of answering 404; asking for a team id still 404s."""
    company = make_company("Empresa Nova")
    admin = make_user(company, Role.ADMIN)
    login(client, admin.email)
    page = client.get(URL)
    assert page.status_code == 200
    assert "data-no-team" in page.get_data(as_text=True)
    assert client.get(f"{URL}?team=1").status_code == 404
