"""Targets history and the targets API (issue 17, item 5).

The world of ``tests/app/test_targets.py`` (a company built from scratch, the clock frozen on
20 Nov 2026) with October's own contacts and orders: a closed month is read as the dashboard
reads that month, and the API reads and sets targets by role and team, on both databases.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import MonthlyTarget, Outcome
from app.security.scope import Scope
from app.services import api_tokens, kpis, targets
from tests.app.test_targets import TODAY, friday_morning, world  # noqa: F401  (fixtures)
from tests.factories import make_contact, make_order
from tests.support.web import login

OCTOBER = date(2026, 10, 1)


def _october(w) -> None:  # type: ignore[no-untyped-def]
    """A3 visited late October (in frequency on the 31st); October's targets, set back then."""
    make_contact(w["a3"], w["rep"], date(2026, 10, 25), outcome=Outcome.NO_SALE)
    make_order(w["s1"], date(2026, 10, 3))
    db.session.add_all(
        [
            MonthlyTarget(
                company_id=w["company"].id,
                month=OCTOBER,
                user_id=w["rep"].id,
                coverage_pct=Decimal(30),
                activation_pct=Decimal(25),
            ),
            MonthlyTarget(
                company_id=w["company"].id,
                month=OCTOBER,
                team_id=w["north"].id,
                coverage_pct=Decimal(20),
            ),
        ]
    )
    db.session.flush()


def test_history_reads_each_closed_month_as_the_dashboard_does(world):  # noqa: F811
    """Tests October against hand counts and the dashboard's KPIs for October."""
    w = world
    _october(w)
    history = targets.history(Scope.of(w["sup"]), w["north"], TODAY, months=2)
    assert [p.month for p in history] == [OCTOBER, date(2026, 9, 1)]
    october = history[0]
    assert october.end == date(2026, 10, 31)
    rep = next(r for r in october.rows if r.user_id == w["rep"].id)
    # On 31 Oct only A3 (contacted the 25th, every 30 days) is in frequency; A2 bought the 30th.
    assert (rep.coverage.done, rep.coverage.base, rep.coverage.target_pct) == (1, 4, 30)
    assert (rep.coverage.needed, rep.coverage.reached) == (1, False)  # ⌈1.2⌉ − 1
    assert (rep.activation.done, rep.activation.reached) == (1, True)  # ⌈1.0⌉ − 1 = 0
    assert rep.to_contact == []
    assert rep.to_sell == []
    seat = next(r for r in october.rows if r.user_id == w["seat"].id)
    assert (seat.activation.done, seat.activation.target_pct) == (1, None)
    total = october.total
    assert (total.coverage.done, total.coverage.base, total.coverage.reached) == (1, 5, True)
    assert (total.activation.done, total.activation.target_pct) == (2, None)
    flt = kpis.KpiFilter(scope=Scope.of(w["sup"]), start=OCTOBER, end=date(2026, 10, 31))
    facts = kpis.load_facts(flt)
    assert kpis.coverage_total(facts).in_frequency == total.coverage.done
    assert kpis.activation(facts).this_month == total.activation.done
    by_owner = {c.owner_id: c for c in kpis.coverage_by_owner(facts, {})}
    assert by_owner[w["rep"].id].in_frequency == rep.coverage.done
    # September had no target and no activity: nothing reached, nothing missed.
    assert history[1].total.coverage.reached is None


def test_history_page_shows_results_and_keeps_to_scope(client, world):  # noqa: F811
    """Tests the page (targets, results, reached or missed) and a team out of scope."""
    w = world
    _october(w)
    login(client, w["sup"].email)
    page = client.get("/supervisor/metas/historico?months=3")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("data-history-month=") == 3
    october = html.split('data-history-month="2026-10"')[1].split("</section>")[0]
    rep_row = october.split(f'data-row="u{w["rep"].id}"')[1].split("</tr>")[0]
    assert "25%" in rep_row
    assert "30%" in rep_row
    assert 'data-reached="no"' in rep_row
    assert 'data-reached="yes"' in rep_row
    assert "/supervisor/metas/historico" in client.get("/supervisor/metas").get_data(as_text=True)
    assert client.get(f"/supervisor/metas/historico?team={w['south'].id}").status_code == 404
    rep_client = client.application.test_client()
    login(rep_client, w["rep"].email)
    assert rep_client.get("/supervisor/metas/historico").status_code == 403


def _bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _token, clear = api_tokens.create(user=user, name="metas", actor=user)
    db.session.flush()
    return {"Authorization": f"Bearer {clear}"}


def test_api_sets_and_reads_targets_by_role_and_team(client, world):  # noqa: F811
    """Tests PUT then GET: the page's rules (bounds, months, portfolios of the team), 403 for a
    rep before the body is read, 404 for another team, and who set the stored row."""
    w = world
    headers = _bearer(w["sup"])
    body = {
        "team_id": w["north"].id,
        "month": "2026-11",
        "targets": [
            {"user_id": w["rep"].id, "coverage_pct": 75, "activation_pct": 60.5},
            {"user_id": None, "coverage_pct": 40},
        ],
    }
    answer = client.put("/api/v1/targets", json=body, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert (data["month"], data["as_of"]) == ("2026-11", TODAY.isoformat())
    rep = next(p for p in data["portfolios"] if p["user_id"] == w["rep"].id)
    assert rep["coverage"] == {
        "done": 1,
        "base": 4,
        "share": 0.25,
        "target_pct": 75.0,
        "needed": 2,
        "reached": False,
    }
    assert rep["activation"]["target_pct"] == 60.5
    assert data["team_target"]["coverage"]["reached"] is True  # 40 % of 5 = 2, done 2
    stored = db.session.scalar(sa.select(MonthlyTarget).where(MonthlyTarget.user_id == w["rep"].id))
    assert (stored.coverage_pct, stored.set_by_id) == (Decimal("75.00"), w["sup"].id)
    # A null keeps; GET reads the same.
    keep = {**body, "targets": [{"user_id": w["rep"].id, "coverage_pct": None}]}
    assert client.put("/api/v1/targets", json=keep, headers=headers).status_code == 200
    read = client.get("/api/v1/targets?month=2026-11", headers=headers).get_json()
    assert next(p for p in read["portfolios"] if p["user_id"] == w["rep"].id) == rep
    # A month to come: targets, nothing achieved yet.
    future = client.get("/api/v1/targets?month=2026-12", headers=headers).get_json()
    assert future["as_of"] is None
    assert future["team_target"]["coverage"]["target_pct"] is None

    refused = [
        {**body, "month": "2026-10"},  # closed
        {**body, "targets": [{"user_id": w["rep_south"].id, "coverage_pct": 50}]},
        {**body, "targets": [{"user_id": w["rep"].id, "coverage_pct": 101}]},
        {**body, "month": "2026-13"},
    ]
    for bad in refused:
        assert client.put("/api/v1/targets", json=bad, headers=headers).status_code == 422, bad
    assert client.get("/api/v1/targets?month=11-2026", headers=headers).status_code == 422
    south = {**body, "team_id": w["south"].id}
    assert client.put("/api/v1/targets", json=south, headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/targets?team_id={w['south'].id}", headers=headers).status_code == 404
    )
    admin = _bearer(w["admin"])
    assert client.get(f"/api/v1/targets?team_id={w['south'].id}", headers=admin).status_code == 200
    other = _bearer(w["other_admin"])
    assert client.get(f"/api/v1/targets?team_id={w['north'].id}", headers=other).status_code == 404
    rep_headers = _bearer(w["rep"])
    assert client.put("/api/v1/targets", json={}, headers=rep_headers).status_code == 403
    assert client.get("/api/v1/targets", headers=rep_headers).status_code == 403
