"""The `flask plan` command: same code path as the nightly run, with dry run and one rep."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Plan, PlanningRun, RunStatus
from app.services import runs
from tests.support.planning import planning_world

MONDAY = date(2026, 11, 23)


def _plans(company_id: int) -> list[Plan]:
    return list(
        db.session.scalars(
            sa.select(Plan).where(Plan.company_id == company_id, Plan.plan_date == MONDAY)
        )
    )


def test_plan_command_dry_run_then_one_rep(runner, db_session: object) -> None:  # type: ignore[no-untyped-def]
    """Tests that --dry-run writes nothing and --rep plans only that rep."""
    world = planning_world(reps=2, customers=6, day=MONDAY)
    base = ["plan", "--date", MONDAY.isoformat(), "--executor", "inline", "--no-score"]
    result = runner.invoke(args=[*base, "--company", str(world.company.id), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "[simulação]" in result.output
    assert "2 planejados" in result.output
    assert _plans(world.company.id) == []
    rep = world.reps[1]
    result = runner.invoke(args=[*base, "--rep", rep.email])
    assert result.exit_code == 0, result.output
    assert "1 planejados" in result.output
    assert [p.user_id for p in _plans(world.company.id)] == [rep.id]
    run = db.session.scalar(
        sa.select(PlanningRun).where(PlanningRun.company_id == world.company.id)
    )
    assert run is not None
    assert run.trigger == "manual"


def test_plan_command_rejects_unknown_rep_and_bad_date(runner, db_session: object) -> None:  # type: ignore[no-untyped-def]
    """Tests that a wrong rep or date is a clear error, not a traceback."""
    result = runner.invoke(args=["plan", "--rep", "nobody@example.com", "--executor", "inline"])
    assert result.exit_code != 0
    assert "nenhum usuário" in result.output
    result = runner.invoke(args=["plan", "--date", "23/11/2026"])
    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output


def test_run_once_dry_run_reports(runner, db_session: object) -> None:  # type: ignore[no-untyped-def]
    """Tests that `flask jobs run-once nightly --dry-run` runs the job's code without writing."""
    world = planning_world(reps=1, customers=4, day=MONDAY)
    result = runner.invoke(
        args=[
            "jobs",
            "run-once",
            "nightly",
            "--date",
            MONDAY.isoformat(),
            "--company",
            str(world.company.id),
            "--dry-run",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "1 planejados" in result.output
    assert _plans(world.company.id) == []


def test_run_once_run_queued_executes_the_queued_rerun(runner, db_session: object) -> None:  # type: ignore[no-untyped-def]
    """Tests that `flask jobs run-once run_queued` plans the re-run queued from the web."""
    world = planning_world(reps=1, customers=4, day=MONDAY)
    assert world.admin is not None
    queued = runs.enqueue_rerun(company_id=world.company.id, day=MONDAY, user_id=world.admin.id)
    result = runner.invoke(args=["jobs", "run-once", "run_queued"])
    assert result.exit_code == 0, result.output
    assert "1 planejados" in result.output
    assert db.session.get(PlanningRun, queued.id).status == RunStatus.SUCCEEDED
    assert len(_plans(world.company.id)) == 1
