"""KPIs against a hand-computed world (tests/support/kpis.py), on both databases.

Period: 17/11/2026–23/11/2026. Base of the team: five active customers (the inactive
one and the other team's are out).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.security.scope import Scope
from app.services import kpis
from app.services.errors import NotFound
from tests.support.kpis import TODAY, kpi_world

START = TODAY - timedelta(days=6)


@pytest.fixture
def world(db_session):
    return kpi_world()


@pytest.fixture
def facts(world):
    flt = kpis.KpiFilter(scope=Scope.of(world["sup"]), start=START, end=TODAY)
    return kpis.load_facts(flt)


def by_name(facts, world, key):
    return facts[world[key].id]


def test_base_is_the_scope_active_customers(world, facts):
    """Tests that inactive customers and other teams' customers stay out."""
    assert {f.name for f in facts.values()} == {
        "Cliente Em Dia",
        "Cliente Em Ruptura",
        "Cliente Nunca",
        "Bar Positivação",
        "Cliente Resgate",
    }
    admin = kpis.load_facts(kpis.KpiFilter(scope=Scope.of(world["admin"]), start=START, end=TODAY))
    assert len(admin) == 6


def test_coverage_counts_effective_contacts_within_frequency(world, facts):
    """Tests ruptura de atendimento: 2 of 5 in gap; not-reached calls do not count."""
    total = kpis.coverage_total(facts)
    assert (total.customers, total.in_gap, total.share) == (5, 2, pytest.approx(0.6))
    gap = by_name(facts, world, "gap")
    assert gap.last_contact == date(2026, 11, 11)
    assert gap.gap_days == 5
    assert by_name(facts, world, "never").in_gap
    assert by_name(facts, world, "never").gap_days is None
    names = kpis.owner_names(Scope.of(world["sup"]))
    per_rep = {c.owner_name: (c.customers, c.in_gap) for c in kpis.coverage_by_owner(facts, names)}
    assert per_rep == {"Ana Rep": (3, 2), "Bruno Rep": (2, 0)}


def test_activation_this_month_versus_same_days_last_month(facts):
    """Tests positivação: 2 of 5 bought in 1–23/11, 2 of 5 in 1–23/10."""
    act = kpis.activation(facts)
    assert (act.base, act.this_month, act.last_month) == (5, 2, 2)
    assert act.this_share == pytest.approx(0.4)


def test_churn_and_expansion(facts):
    """Tests churn (one customer, R$ 50 lost) and expansion (+100 on 1,400)."""
    ret = kpis.retention(facts)
    assert (ret.active_at_start, ret.churned) == (4, 1)
    assert ret.revenue_lost == pytest.approx(50.0)
    assert ret.retained_revenue_before == pytest.approx(1400.0)
    assert ret.retained_revenue_now == pytest.approx(1500.0)
    assert ret.expansion == pytest.approx(100 / 1400)


def test_lapses_rescues_value_at_risk_and_health(world, facts):
    """Tests lapse/rescue counts, value at risk (ticket × 30.4375 / cycle) and health scores."""
    risk = kpis.risk(facts)
    assert (risk.lapses, risk.rescues, risk.at_risk) == (1, 1, 1)
    # snapshots without a stored monthly value (older ones): the ticket by its own cycle
    assert risk.lapse_value == pytest.approx(300 * 30.4375 / 15)
    assert risk.rescue_value == pytest.approx(100 * 30.4375 / 30)
    health = {f.name: f.health for f in facts.values()}
    assert health == {
        "Cliente Em Dia": 100,
        "Cliente Em Ruptura": 54,
        "Cliente Nunca": 55,
        "Bar Positivação": 70,
        "Cliente Resgate": 30,
    }
    assert kpis.status_counts(facts) == {"ok": 1, "gap": 2, "lapse": 1, "rescue": 1}


def test_trends_by_week(facts):
    """Tests the last two weeks of the trends against the hand counts."""
    points = kpis.trends(facts, TODAY)
    assert len(points) == kpis.TREND_WEEKS
    last, before = points[-1], points[-2]
    assert last.week_end == TODAY
    assert last.coverage == pytest.approx(0.6)
    assert before.coverage == pytest.approx(0.4)
    assert last.activation == pytest.approx(0.2)
    assert last.churned == 1
    assert before.churned == 0


def test_plan_versus_done(world):
    """Tests planned/visited/skipped/unplanned/orders/km/far check-ins per rep and day."""
    flt = kpis.KpiFilter(scope=Scope.of(world["sup"]), start=START, end=TODAY)
    rows = {(r.user_id, r.day): r for r in kpis.plan_vs_done(flt)}
    a, b = world["rep_a"].id, world["rep_b"].id
    today = rows[(a, TODAY)]
    assert (today.planned, today.visited, today.skipped, today.unplanned) == (
        3,
        1,
        1,
        0,
    )
    assert (today.orders, today.order_value, today.km, today.far_check_ins) == (
        1,
        250.0,
        12.5,
        1,
    )
    assert (rows[(a, date(2026, 11, 20))].visited, rows[(a, date(2026, 11, 20))].unplanned) == (
        1,
        1,
    )
    assert rows[(b, date(2026, 11, 21))].unplanned == 1
    visited = kpis.contact_customer_ids(flt, kind="visited", day=TODAY, user_id=a)
    assert visited == {world["ok"].id: 1}
    assert len(rows) == 3
    skipped = kpis.contact_customer_ids(flt, kind="skipped", day=TODAY, user_id=a)
    assert skipped == {world["gap"].id: 1}


def test_no_sale_reasons_and_filters(world):
    """Tests the reasons breakdown and that rep and segment filters narrow every figure."""
    sup = Scope.of(world["sup"])
    flt = kpis.KpiFilter(scope=sup, start=START, end=TODAY)
    assert kpis.no_sale_reasons(flt) == [("preco", 2)]
    behind = kpis.contact_customer_ids(flt, kind="no_sale", reason="preco")
    assert set(behind) == {world["ok"].id, world["lapse"].id}
    bar = kpis.KpiFilter(scope=sup, start=START, end=TODAY, segment="bar")
    assert kpis.no_sale_reasons(bar) == [("preco", 1)]
    assert {f.name for f in kpis.load_facts(bar).values()} == {"Bar Positivação"}
    only_b = kpis.KpiFilter(scope=sup, start=START, end=TODAY, rep_id=world["rep_b"].id)
    assert kpis.plan_vs_done(only_b)[0].user_id == world["rep_b"].id
    assert len(kpis.load_facts(only_b)) == 2


def test_other_team_sees_nothing_of_this_team(world):
    """Tests that a rep id from another team does not leak through the filter."""
    sup = Scope.of(world["sup"])
    flt = kpis.KpiFilter(scope=sup, start=START, end=TODAY, rep_id=world["rep_x"].id)
    assert kpis.load_facts(flt) == {}
    assert kpis.plan_vs_done(flt) == []


def test_drill_down_lists_match_their_figures(world):
    """Tests that each list holds the customers behind its figure, in the order that matters."""
    flt = kpis.KpiFilter(scope=Scope.of(world["sup"]), start=START, end=TODAY)

    def names(key, **kw):
        return [r.facts.name for r in kpis.customer_list(flt, key, **kw)]

    assert names("gap") == ["Cliente Nunca", "Cliente Em Ruptura"]
    assert names("retained") == ["Bar Positivação", "Cliente Em Ruptura", "Cliente Em Dia"]
    assert names("churned") == ["Cliente Nunca"]
    assert names("at_risk") == ["Cliente Resgate"]
    assert names("status_lapse") == ["Bar Positivação"]
    rows = kpis.customer_list(flt, "orders", day=TODAY, user_id=world["rep_a"].id)
    assert [(r.facts.name, r.count) for r in rows] == [("Cliente Em Dia", 1)]
    with pytest.raises(NotFound):
        kpis.customer_list(flt, "unknown")


def test_region_filter(world):
    """Tests the region (zone) filter on the base, plan versus done and the zone choices."""
    sup = Scope.of(world["sup"])
    north = kpis.KpiFilter(scope=sup, start=START, end=TODAY, zone="Norte")
    assert {f.name for f in kpis.load_facts(north).values()} == {"Bar Positivação"}
    assert kpis.no_sale_reasons(north) == [("preco", 1)]
    assert all(r.km == 0 for r in kpis.plan_vs_done(north))
    assert kpis.list_zones(scope=sup) == ["Norte"]


def test_latest_runs_count_the_reps_in_scope(world):
    """Tests that a run's rep counts cover only the viewer's reps (planned/kept vs failed)."""
    from app.extensions import db
    from app.models import PlanningRun, PlanningRunRep, RunStatus

    run = PlanningRun(company_id=world["company"].id, plan_date=TODAY, status=RunStatus.PARTIAL)
    run.reps = [
        PlanningRunRep(user_id=world["rep_a"].id, status="planned", stops=9),
        PlanningRunRep(user_id=world["rep_b"].id, status="failed", error="boom"),
        PlanningRunRep(user_id=world["rep_x"].id, status="planned", stops=7),
    ]
    db.session.add(run)
    db.session.flush()
    [row] = kpis.latest_runs(Scope.of(world["sup"]))
    assert (row.status, row.reps_ok, row.reps_failed, row.stops) == ("partial", 1, 1, 9)
