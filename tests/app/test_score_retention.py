"""Score snapshots: full for the company's window, compact beyond it, readers find both."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import pipeline
from app.models import Customer, PlanningRun, ScoreHistory, ScoreSnapshot
from app.security.scope import Scope
from app.services import db_maintenance, kpis, score_retention
from app.services.clock import local_today
from app.services.portfolio import get_customer_detail
from optimizer.scoring.flags import COLLECTION, RESCUE, SERVICE_GAP
from tests.support.planning import planning_world
from tests.support.web import login

MONDAY = date(2026, 11, 23)
REASONS = [{"key": "days_without_purchase", "values": {"days": 32, "cycle": 14}}]
COMPONENTS = {"urgency": 31.5, "service": 12.0}
OFFERS = [{"category": "Bebidas"}]


def _full(customer: Customer, day: date, total: float, flags: int, purpose: str) -> None:
    db.session.add(
        ScoreSnapshot(
            company_id=customer.company_id,
            customer_id=customer.id,
            score_date=day,
            total=total,
            flags=flags,
            purpose=purpose,
            components=COMPONENTS,
            reasons=REASONS,
            offers=OFFERS,
            cycle_days=14.0,
            monthly_value=1234.5,
            value_at_stake=300.0,
        )
    )


def _snapshot(customer_id: int, day: date) -> ScoreSnapshot | None:
    return db.session.scalar(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.customer_id == customer_id, ScoreSnapshot.score_date == day
        )
    )


def _history(customer_id: int, day: date) -> ScoreHistory | None:
    return db.session.scalar(
        sa.select(ScoreHistory).where(
            ScoreHistory.customer_id == customer_id, ScoreHistory.score_date == day
        )
    )


def test_the_window_defaults_to_90_days_and_is_bounded() -> None:
    """Tests the setting's default, that a company's value wins and that nonsense is refused
    when the version is read (typed settings: no silent clamp)."""
    from app.services.company_settings import SettingsError, parse

    def window(planning: dict[str, object] | None) -> int:
        view = parse(company_id=1, version=1, scoring=None, planning=planning, policies=None)
        return view.planning.snapshot_full_days

    assert window(None) == 90
    assert window({}) == 90
    assert window({"snapshot_full_days": 30}) == 30
    assert window({"snapshot_full_days": 3650}) == score_retention.MAX_FULL_DAYS
    for bad in (0, 6, 3651, "45", "x", 30.5, True):
        with pytest.raises(SettingsError, match="snapshot_full_days"):
            window({"snapshot_full_days": bad})
    assert score_retention.cutoff(MONDAY, 30) == date(2026, 10, 24)


def test_the_nightly_run_keeps_the_window_in_full_and_compacts_older_days(
    db_session: object,
) -> None:
    """Tests that a day inside the window keeps its explanations, one outside keeps only its
    numbers, and that it is the nightly run that moves it."""
    world = planning_world(reps=1, customers=2, day=MONDAY, settings={"snapshot_full_days": 30})
    first, second = world.customers[world.reps[0].id]
    inside, outside = MONDAY - timedelta(days=30), MONDAY - timedelta(days=31)
    _full(first, inside, 61.25, SERVICE_GAP, "sales")
    _full(first, outside, 72.5, RESCUE | COLLECTION, "reactivation")
    _full(second, outside, 10.0, 0, "collect_only")
    db.session.flush()
    assert _history(first.id, outside) is None

    summary = pipeline.run_company(
        pipeline.RunOptions(company_id=world.company.id, plan_date=MONDAY, score=False)
    )

    assert summary.counts["snapshots_compacted"] == 2
    kept = _snapshot(first.id, inside)
    assert kept is not None
    assert (kept.reasons, kept.components, kept.offers) == (REASONS, COMPONENTS, OFFERS)
    assert _snapshot(first.id, outside) is None
    assert _snapshot(second.id, outside) is None
    old = _history(first.id, outside)
    assert old is not None
    assert (old.total, old.flags, old.company_id) == (72.5, RESCUE | COLLECTION, world.company.id)
    assert old.purpose_code == 3  # PURPOSE_NAMES.index("reactivation")
    assert (old.cycle_days, old.monthly_value) == (14.0, 1234.5)
    other = _history(second.id, outside)
    assert other is not None
    assert other.purpose_code == 1
    run = db.session.get(PlanningRun, summary.run_id)
    assert run is not None
    assert run.counts["snapshots_compacted"] == 2
    assert "compacting" in run.counts["seconds"]

    again = pipeline.run_company(
        pipeline.RunOptions(company_id=world.company.id, plan_date=MONDAY, score=False)
    )
    assert again.counts["snapshots_compacted"] == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoreHistory)) >= 2


def test_a_rescored_old_day_replaces_its_compact_rows(db_session: object) -> None:
    """Tests that compacting a day again (it was scored again) leaves one row per customer."""
    world = planning_world(reps=1, customers=1, day=MONDAY)
    (customer,) = world.customers[world.reps[0].id]
    old = MONDAY - timedelta(days=200)
    _full(customer, old, 40.0, 0, "sales")
    db.session.flush()
    assert score_retention.compact_day(db.session, world.company.id, old) == 1
    _full(customer, old, 55.0, SERVICE_GAP, "sales")
    db.session.flush()
    assert score_retention.days_to_compact(db.session, world.company.id, MONDAY) == [old]
    assert score_retention.compact_day(db.session, world.company.id, old) == 1
    rows = db.session.scalars(
        sa.select(ScoreHistory).where(ScoreHistory.customer_id == customer.id)
    ).all()
    assert [(r.score_date, r.total, r.flags) for r in rows] == [(old, 55.0, SERVICE_GAP)]


def test_a_dashboard_of_a_past_period_reads_the_compact_scores(db_session: object) -> None:
    """Tests that the KPI facts of a period ending beyond the window still carry the scores."""
    world = planning_world(reps=1, customers=2, day=MONDAY)
    first, second = world.customers[world.reps[0].id]
    old = MONDAY - timedelta(days=120)
    _full(first, old, 80.0, SERVICE_GAP | COLLECTION, "sales")
    _full(second, old, 20.0, 0, "sales")
    db.session.flush()
    score_retention.compact_day(db.session, world.company.id, old)
    db.session.flush()

    scope = Scope.of(world.supervisor)
    flt = kpis.KpiFilter(scope=scope, start=old - timedelta(days=29), end=old + timedelta(days=3))
    facts = kpis.load_facts(flt)
    assert kpis.latest_score_date(company_id=world.company.id, on=flt.end) == old
    assert (facts[first.id].score, facts[first.id].flags) == (80.0, SERVICE_GAP | COLLECTION)
    assert (facts[first.id].cycle_days, facts[first.id].monthly_value) == (14.0, 1234.5)
    assert facts[second.id].score == 20.0
    # Today's dashboard still reads today's full snapshots.
    today = kpis.load_facts(kpis.KpiFilter(scope=scope, start=MONDAY, end=MONDAY))
    full = _snapshot(first.id, MONDAY)
    assert full is not None
    assert today[first.id].score == full.total


def test_the_customer_card_shows_a_compact_score_without_explanations(
    client: object, db_session: object
) -> None:
    """Tests the card of a customer whose latest score is past the window: the numbers, no
    reasons, and the page renders."""
    today = local_today()
    world = planning_world(reps=1, customers=1, day=today - timedelta(days=400))
    (customer,) = world.customers[world.reps[0].id]
    old = today - timedelta(days=200)
    _full(customer, old, 66.0, SERVICE_GAP, "sales")
    db.session.flush()
    for day in score_retention.days_to_compact(db.session, world.company.id, today):
        score_retention.compact_day(db.session, world.company.id, day)
    db.session.flush()

    detail = get_customer_detail(scope=Scope.of(world.admin), customer_id=customer.id, today=today)
    assert detail.snapshot is not None
    assert (detail.snapshot.score_date, detail.snapshot.total) == (old, 66.0)
    assert (detail.snapshot.reasons, detail.snapshot.components) == ([], {})
    assert detail.snapshot.purpose == "sales"
    assert detail.snapshot not in db.session  # transient: never written back

    assert world.admin is not None
    login(client, world.admin.email)  # type: ignore[arg-type]
    page = client.get(f"/carteira/clientes/{customer.id}")  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert ">66<" in page.get_data(as_text=True)


def test_the_window_is_set_per_company_as_a_new_audited_settings_version(
    db_session: object, runner: object
) -> None:
    """Tests `flask company history-days`: shows the default, saves a version, refuses nonsense."""
    from app.models import AuditLog, CompanySettings

    world = planning_world(reps=1, customers=1, day=MONDAY)
    slug = world.company.slug
    shown = runner.invoke(args=["company", "history-days", "--company", slug])  # type: ignore[attr-defined]
    assert shown.exit_code == 0, shown.output
    assert "90 dias" in shown.output
    saved = runner.invoke(args=["company", "history-days", "--company", slug, "45"])  # type: ignore[attr-defined]
    assert saved.exit_code == 0, saved.output
    assert score_retention.company_full_days(db.session, world.company.id) == 45
    latest = db.session.scalar(
        sa.select(CompanySettings)
        .where(CompanySettings.company_id == world.company.id)
        .order_by(CompanySettings.version.desc())
        .limit(1)
    )
    assert latest is not None
    assert latest.version == 2
    assert latest.planning["day_seconds"] == 0.1  # the rest of the version is carried over
    audit = db.session.scalar(
        sa.select(AuditLog).where(
            AuditLog.company_id == world.company.id,
            AuditLog.action == "settings.planning.update",
        )
    )
    assert audit is not None
    assert audit.details["after"] == 45
    refused = runner.invoke(args=["company", "history-days", "--company", slug, "3"])  # type: ignore[attr-defined]
    assert refused.exit_code != 0
    assert score_retention.company_full_days(db.session, world.company.id) == 45


def _estimated_rows(day: date) -> float:
    """The planner's row estimate for one day of snapshots (PostgreSQL's EXPLAIN)."""
    plan = db.session.execute(
        sa.text("EXPLAIN (FORMAT JSON) SELECT * FROM score_snapshots WHERE score_date = :d"),
        {"d": day},
    ).scalar_one()
    return float(plan[0]["Plan"]["Plan Rows"])


def _analysed_rows() -> int:
    """Rows of score_snapshots when SQLite last analysed it (sqlite_stat1), 0 if never."""
    stat = db.session.execute(
        sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'score_snapshots' LIMIT 1")
    ).scalar()
    return int(stat.split()[0]) if stat else 0


def test_nightly_run_refreshes_the_statistics_of_the_day_it_scored(db_session: object) -> None:
    """Tests that the planner knows tonight's date as soon as the run has scored it.

    Without it PostgreSQL estimates one row for a date newer than its statistics and reads a
    whole company's day to find one team's snapshots (docs/benchmarks.md, "Growth").
    """
    yesterday = MONDAY - timedelta(days=1)
    world = planning_world(reps=1, customers=30, day=yesterday)
    customers = [c for cs in world.customers.values() for c in cs]
    for back in range(1, 15):
        for customer in customers:
            _full(customer, yesterday - timedelta(days=back), 50.0, 0, "sales")
    db.session.flush()
    db_maintenance.analyze(db.session(), ["score_snapshots"])
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        assert _estimated_rows(MONDAY) < 5  # the stale statistics this run must refresh

    summary = pipeline.run_company(
        pipeline.RunOptions(company_id=world.company.id, plan_date=MONDAY)
    )

    assert summary.counts["customers_scored"] == len(customers)
    assert "statistics_error" not in summary.counts
    assert "statistics" in summary.counts["seconds"]
    if dialect == "postgresql":
        assert _estimated_rows(MONDAY) >= len(customers) / 2
    else:
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(ScoreSnapshot))
        assert _analysed_rows() == stored
