"""The pipeline as real processes on committed databases: kill mid-run and redo; the scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.jobs import pipeline
from app.models import Plan, PlanningRun, PlanningRunRep, Role, RunStatus, User
from app.services import work_calendar
from tests.conftest import build_app, make_database, migrate_up
from tests.support.planning import planning_world
from tests.support.session_clock import clocked_command, clocked_env

ROOT = Path(__file__).resolve().parents[2]
MONDAY = date(2026, 11, 23)


@pytest.fixture
def committed(backend: str, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """An app on its own migrated database whose data is really committed."""
    url, drop = make_database(backend, tmp_path, "proc")
    app = build_app(url)
    migrate_up(app)
    yield app, url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()  # type: ignore[operator]


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "ROTEIRO_DATABASE_URL": url,
            "ROTEIRO_CONFIG": "test",
            "FLASK_APP": "app",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("ROTEIRO_CELERY_BROKER_URL", None)
    return clocked_env(env)


def _flask(url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            clocked_command([sys.executable, "-m", "flask", *args]),
            cwd=ROOT,
            env=_env(url),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_for(
    app: Flask,
    query: sa.Select[tuple[int]],
    minimum: int,
    timeout: float,
    proc: subprocess.Popen[bytes],
    log: Path,
) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            found = db.session.scalar(query) or 0
            db.session.remove()
        if found >= minimum:
            return found
        if proc.poll() is not None:
            pytest.fail(f"process ended early ({proc.returncode}): {log.read_text()[-3000:]}")
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for the run: {log.read_text()[-3000:]}")


def _assert_one_consistent_plan_per_rep(
    app: Flask, company_id: int, day: date, only: set[int] | None = None
) -> None:
    with app.app_context():
        reps = db.session.scalars(
            sa.select(User).where(User.company_id == company_id, User.role == Role.REP)
        ).all()
        for rep in reps:
            if only is not None and rep.id not in only:
                continue
            plans = db.session.scalars(
                sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == day)
            ).all()
            assert len(plans) == 1, f"rep {rep.id} has {len(plans)} plans"
            plan = plans[0]
            assert [s.seq for s in plan.stops] == list(range(len(plan.stops)))
            times = [s.start_s for s in plan.stops]
            assert times == sorted(times)
            assert plan.end_s >= (times[-1] if times else 0)
        db.session.remove()


def test_killed_run_is_abandoned_and_redone(committed: tuple[Flask, str], tmp_path: Path) -> None:
    """Tests that killing a run after its first reps and running again leaves one plan per rep."""
    app, url = committed
    with app.app_context():
        world = planning_world(
            reps=8,
            customers=25,
            day=MONDAY,
            settings={"day_seconds": 0.4, "agenda_seconds_per_day": 0.1},
        )
        company_id = world.company.id
        db.session.commit()
    log = tmp_path / "plan.log"
    proc = _flask(
        url,
        log,
        "plan",
        "--date",
        MONDAY.isoformat(),
        "--company",
        str(company_id),
        "--executor",
        "inline",
        "--no-score",
    )
    written = sa.select(sa.func.count(PlanningRunRep.id))
    try:
        _wait_for(app, written, 1, 120, proc, log)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    with app.app_context():
        first = db.session.scalar(sa.select(PlanningRun))
        assert first is not None
        assert first.status == RunStatus.RUNNING
        done_before = db.session.scalar(written)
        assert 1 <= done_before < 8, "the kill must land mid-run"
        db.session.remove()
        summary = pipeline.run_company(
            pipeline.RunOptions(company_id=company_id, plan_date=MONDAY, score=False)
        )
        assert summary.status == RunStatus.SUCCEEDED
        assert summary.abandoned == [first.id]
        assert summary.counts["reps_planned"] == 8
        plans = db.session.scalars(sa.select(Plan).where(Plan.plan_date == MONDAY)).all()
        assert {p.run_id for p in plans} == {summary.run_id}
        db.session.remove()
    _assert_one_consistent_plan_per_rep(app, company_id, MONDAY)


def test_scheduler_plans_the_demo_next_working_day(
    committed: tuple[Flask, str], tmp_path: Path
) -> None:
    """Tests that starting the scheduler with the demo data plans the next working day
    for all reps."""
    app, url = committed
    load = subprocess.run(
        clocked_command([sys.executable, "-m", "flask", "demo", "load", "--customers", "240"]),
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert load.returncode == 0, load.stdout + load.stderr
    log = tmp_path / "scheduler.log"
    proc = _flask(url, log, "jobs", "run", "--now")
    finished = sa.select(sa.func.count(PlanningRun.id)).where(PlanningRun.finished_at.is_not(None))
    try:
        _wait_for(app, finished, 1, 240, proc, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with app.app_context():
        run = db.session.scalar(sa.select(PlanningRun))
        assert run is not None
        assert run.status == RunStatus.SUCCEEDED, run.counts
        assert run.trigger == "schedule"
        day = run.plan_date
        calendar = work_calendar.load(company_id=run.company_id, since=day)
        assert calendar.company_day_off(day) is None
        reps = list(
            db.session.scalars(sa.select(User).where(User.role == Role.REP, User.active.is_(True)))
        )
        working = [rep for rep in reps if calendar.works(rep, day)]
        assert working, "the run's date is a day someone works"
        assert run.counts["reps_planned"] == len(working)
        assert run.counts.get("reps_skipped", 0) == len(reps) - len(working)
        assert run.counts["customers_scored"] > 0
        company_id = run.company_id
        working_ids = {rep.id for rep in working}
        db.session.remove()
    _assert_one_consistent_plan_per_rep(app, company_id, day, working_ids)


def test_admin_rerun_is_queued_and_the_scheduler_process_plans_it(
    committed: tuple[Flask, str], tmp_path: Path
) -> None:
    """Tests that the re-run button only queues (no planning in the web process) and that the
    scheduler process picks the queued run up and plans the date."""
    import threading

    from tests.support.web import login as web_login
    from tests.support.web import post_form

    app, url = committed
    with app.app_context():
        world = planning_world(reps=2, customers=6, day=MONDAY)
        admin_email, admin_id, company_id = world.admin.email, world.admin.id, world.company.id
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    web_login(client, admin_email)
    threads_before = set(threading.enumerate())
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement.lower())

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = post_form(
            client, "/planejamentos/replanejar", {"day": MONDAY.isoformat()}, page="/planejamentos/"
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 302
    assert set(threading.enumerate()) <= threads_before, "the web process started a thread"
    writes = [s for s in statements if s.startswith(("insert", "update", "delete"))]
    assert not any("job_locks" in s for s in writes), "the web process took the planning lock"
    assert not any(
        t in s for s in writes for t in ("into plans", "into plan_stops", "into score_snapshots")
    ), writes
    with app.app_context():
        run = db.session.scalar(sa.select(PlanningRun).where(PlanningRun.company_id == company_id))
        assert run is not None
        assert (run.status, run.trigger, run.triggered_by_id) == (
            RunStatus.QUEUED,
            "manual",
            admin_id,
        )
        assert db.session.scalar(sa.select(sa.func.count(Plan.id))) == 0
        db.session.remove()
    page = client.get("/planejamentos/").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page
    assert "run-queued" in page

    log = tmp_path / "scheduler.log"
    env_poll = {"ROTEIRO_PLANNING_QUEUE_POLL_S": "0.5"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            clocked_command([sys.executable, "-m", "flask", "jobs", "run"]),
            cwd=ROOT,
            env={**_env(url), **env_poll},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finished = sa.select(sa.func.count(PlanningRun.id)).where(PlanningRun.finished_at.is_not(None))
    try:
        _wait_for(app, finished, 1, 240, proc, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with app.app_context():
        runs = db.session.scalars(
            sa.select(PlanningRun).where(PlanningRun.company_id == company_id)
        ).all()
        assert len(runs) == 1, "the queued run itself was executed"
        assert runs[0].status == RunStatus.SUCCEEDED, runs[0].counts
        db.session.remove()
    _assert_one_consistent_plan_per_rep(app, company_id, MONDAY)
    page = client.get("/planejamentos/").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert "run-succeeded" in page
