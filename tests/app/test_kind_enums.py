"""The "kind" columns are enums: plans.source, plan_stops.kind, planning_runs.trigger and
score_snapshots.purpose read back as enum members, and their migration refuses stored values
the enums do not know (naming them) instead of leaving rows the ORM cannot read."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from flask_migrate import upgrade

from app.extensions import db
from app.models import PlanningRun, RunTrigger, ScorePurpose
from optimizer.scoring import PURPOSE_NAMES
from tests.conftest import build_app, make_database

REVISION = "c4e8a1f93b27"
BEFORE = "091c96821b69"


def test_score_purposes_are_the_engine_purposes() -> None:
    """Tests that the column's enum and the scoring engine name the same purposes, in order."""
    assert tuple(p.value for p in ScorePurpose) == PURPOSE_NAMES


def _run_row(conn: sa.Connection, trigger: str) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO planning_runs (id, company_id, plan_date, trigger, status,"
            " settings_version, started_at, counts)"
            " VALUES (1, 1, :day, :trigger, 'succeeded', 1, :now, '{}')"
        ),
        {"day": date(2026, 11, 30), "trigger": trigger, "now": datetime(2026, 11, 29, 22)},
    )


def test_migration_refuses_unknown_values_then_reads_enums(backend: str, tmp_path: Path) -> None:
    """Tests that an unknown trigger stops the upgrade with the column and value named, and
    that once corrected the upgrade passes and the ORM hands back the enum member."""
    url, drop = make_database(backend, tmp_path, "kinds")
    app = build_app(url)
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
            conn = db.session.connection()
            conn.execute(
                sa.text(
                    "INSERT INTO companies (id, name, slug, timezone, currency, created_at)"
                    " VALUES (1, 'Empresa', 'empresa', 'America/Sao_Paulo', 'BRL', :now)"
                ),
                {"now": datetime(2026, 11, 1)},
            )
            _run_row(conn, "cron")
            db.session.commit()
            # Alembic itself: Flask-Migrate's upgrade() would log the error and exit.
            config = app.extensions["migrate"].migrate.get_config()
            with pytest.raises(RuntimeError, match=r"planning_runs\.trigger: 'cron'"):
                command.upgrade(config, REVISION)
            db.session.rollback()
            db.session.execute(sa.text("UPDATE planning_runs SET trigger = 'schedule'"))
            db.session.commit()
            upgrade(revision=REVISION)
            run = db.session.scalars(sa.select(PlanningRun)).one()
            assert run.trigger is RunTrigger.SCHEDULE
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()  # type: ignore[operator]
