"""Daily score snapshots: written for every active customer, replaced on re-run; the
CLI; the card."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import CompanySettings, ScoreSnapshot
from app.services import company_settings, scoring
from optimizer.scoring import (
    COLLECTION,
    COMPONENTS,
    PURCHASE_LAPSE,
    RESCUE,
    ScoringSettings,
)
from tests.support.scoring import DAY, ago, small_portfolio
from tests.support.web import login


def snapshots(company_id: int, day: date = DAY) -> dict[int, ScoreSnapshot]:
    rows = db.session.scalars(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == day
        )
    )
    return {s.customer_id: s for s in rows}


def test_snapshots_written_for_active_customers(db_session):
    """Tests one snapshot per active customer with components, flags, reasons and offers."""
    w = small_portfolio()
    result = scoring.score_company(session=db.session, company_id=w["company"].id, day=DAY)
    snaps = snapshots(w["company"].id)
    assert result.customers == 5
    assert set(snaps) == {w[k].id for k in ("lapsed", "debtor", "never", "lost", "new")}
    for s in snaps.values():
        assert s.score_date == DAY
        assert 0 <= s.total <= 100
        assert set(s.components) == set(COMPONENTS)
        assert abs(sum(s.components.values()) - s.total) < 0.05 or s.flags & COLLECTION
        # reasons first, then the details (marked), never a reason after a detail
        assert all(set(r) in ({"key", "values"}, {"key", "values", "detail"}) for r in s.reasons)
        marks = [bool(r.get("detail")) for r in s.reasons]
        assert marks == sorted(marks)
        assert s.settings_version == 1
        assert s.purpose in {"sales", "collect_only", "none", "reactivation"}
    lapsed = snaps[w["lapsed"].id]
    assert lapsed.cycle_days is not None
    assert 14 <= lapsed.cycle_days <= 20
    assert lapsed.reasons[0]["values"]["days"] == 32
    assert snaps[w["debtor"].id].flags & COLLECTION
    assert snaps[w["debtor"].id].total == 0  # default policy "skip": not a sales visit
    assert snaps[w["lost"].id].flags & RESCUE
    assert not snaps[w["lost"].id].flags & PURCHASE_LAPSE
    assert snaps[w["lost"].id].purpose == "reactivation"
    assert snaps[w["lapsed"].id].purpose == "sales"
    assert snaps[w["debtor"].id].purpose == "none"
    # money in R$: the one ticket, what it brings a month by its own cycle, what is at stake
    lapsed_snap = snaps[w["lapsed"].id]
    assert lapsed_snap.avg_ticket == round((7 * 420 + 2 * 250 + 80) / 10, 2)
    # (the stored cycle is rounded to 0.1 day)
    expected = lapsed_snap.avg_ticket * 30.4375 / lapsed_snap.cycle_days
    assert abs(lapsed_snap.monthly_value - expected) < 0.005 * expected
    assert 0 < lapsed_snap.value_at_stake <= lapsed_snap.monthly_value
    assert snaps[w["never"].id].avg_ticket is None


def test_rerun_replaces_the_days_rows(db_session):
    """Tests that scoring the same day twice leaves one row per customer, with the new values."""
    w = small_portfolio()
    company_id = w["company"].id
    scoring.score_company(session=db.session, company_id=company_id, day=DAY)
    scoring.score_company(session=db.session, company_id=company_id, day=ago(1))
    first = {s.customer_id: s.total for s in snapshots(company_id).values()}
    db.session.add(
        CompanySettings(
            company_id=company_id,
            version=2,
            scoring=ScoringSettings(collection_policy="allow").to_dict(),
        )
    )
    db.session.flush()
    scoring.score_company(session=db.session, company_id=company_id, day=DAY)
    rows = db.session.execute(
        sa.select(
            ScoreSnapshot.customer_id,
            ScoreSnapshot.score_date,
            ScoreSnapshot.total,
            ScoreSnapshot.settings_version,
        ).where(ScoreSnapshot.company_id == company_id)
    ).all()
    assert len(rows) == 10  # 5 customers x 2 days
    today = {r.customer_id: r for r in rows if r.score_date == DAY}
    assert {r.settings_version for r in today.values()} == {2}
    assert today[w["debtor"].id].total > 0 == first[w["debtor"].id]  # policy "allow" now
    assert {r.settings_version for r in rows if r.score_date == ago(1)} == {1}


def test_company_without_settings_reads_the_defaults_and_writes_nothing(db_session):
    """Tests that a company without any settings version is scored with the defaults
    (version 0) and that reading its settings adds no row."""
    w = small_portfolio()
    db.session.execute(
        sa.delete(CompanySettings).where(CompanySettings.company_id == w["company"].id)
    )
    view = company_settings.get(company_id=w["company"].id)
    assert view.version == 0
    assert view.scoring == ScoringSettings()
    result = scoring.score_company(session=db.session, company_id=w["company"].id, day=DAY)
    assert result.settings_version == 0
    count = sa.select(sa.func.count(CompanySettings.id)).where(
        CompanySettings.company_id == w["company"].id
    )
    assert db.session.scalar(count) == 0


def test_cli_scores_and_commits(runner, db_session):
    """Tests `flask score --date D --company SLUG`."""
    w = small_portfolio()
    result = runner.invoke(
        args=["score", "--date", DAY.isoformat(), "--company", w["company"].slug]
    )
    assert result.exit_code == 0, result.output
    assert "5 clientes pontuados para 2026-11-23" in result.output
    assert len(snapshots(w["company"].id)) == 5
    bad = runner.invoke(args=["score", "--company", "no-such-company"])
    assert bad.exit_code != 0
    assert runner.invoke(args=["score", "--date", "23/11/2026"]).exit_code != 0


def test_card_explains_in_portuguese(client, db_session):
    """Tests that the customer card shows the score's reasons, flags and offers in pt-BR."""
    w = small_portfolio()
    scoring.score_company(session=db.session, company_id=w["company"].id, day=DAY)
    db.session.flush()
    login(client, w["admin"].email)
    snap = snapshots(w["company"].id)[w["lapsed"].id]
    cycle = snap.reasons[0]["values"]["cycle"]
    html = client.get(f"/carteira/clientes/{w['lapsed'].id}").get_data(as_text=True)
    assert f"32 dias sem comprar; costuma comprar a cada {cycle} dias" in html
    assert "Ciclo de compra" in html
    assert "pts" in html
    if snap.offers:
        assert "O que oferecer" in html
    debtor = client.get(f"/carteira/clientes/{w['debtor'].id}").get_data(as_text=True)
    assert "vencidos há 20 dias — cobrar" in debtor
    assert "Vencido: cobrar" in debtor
    lost = client.get(f"/carteira/clientes/{w['lost'].id}").get_data(as_text=True)
    assert "resgatar" in lost
    en = client.get(f"/carteira/clientes/{w['lapsed'].id}", headers={"Accept-Language": "en"})
    assert f"32 days without buying; usually buys every {cycle} days" in en.get_data(as_text=True)


def test_company_without_customers(db_session):
    """Tests that an empty company scores to nothing instead of failing the nightly run."""
    from tests.factories import make_company

    company = make_company()
    result = scoring.score_company(session=db.session, company_id=company.id, day=DAY)
    assert result.customers == 0
    assert snapshots(company.id) == {}
