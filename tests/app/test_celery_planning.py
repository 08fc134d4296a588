"""Celery scale-out against a real Redis and a real worker process: same plans as local.

Redis is taken from ROTEIRO_TEST_REDIS_URL (default redis://127.0.0.1:6379/15, a database
number nothing else uses). Without Redis the tests are skipped, unless
ROTEIRO_REQUIRE_REDIS=1 makes that a failure.
"""

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

from app.extensions import db
from app.jobs import pipeline
from app.jobs.executors import CeleryExecutor, InlineExecutor
from app.models import Plan
from app.services import planning, routing
from tests.support.planning import planning_world
from tests.support.session_clock import clocked_command, clocked_env

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ROTEIRO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
MONDAY = date(2026, 11, 23)


def _redis_problem() -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
    except Exception as exc:  # any client error means "not reachable"
        return f"Redis at {REDIS_URL} is not reachable: {exc}"
    return None


@pytest.fixture(scope="session")
def celery_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `flask jobs worker` process on the test Redis database.

    Session-scoped: the suite runs the SQLite and the PostgreSQL tests apart, so a module-scoped
    worker was started and stopped twice (its start and warm shutdown take seconds).
    """
    problem = _redis_problem()
    if problem:
        if os.environ.get("ROTEIRO_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (ROTEIRO_REQUIRE_REDIS=1): {problem}")
        pytest.skip(f"Celery tests skipped: {problem}")
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = dict(os.environ)
    env.update(
        {
            "ROTEIRO_CELERY_BROKER_URL": REDIS_URL,
            "ROTEIRO_CONFIG": "test",
            "FLASK_APP": "app",
            "ROTEIRO_DATABASE_URL": f"sqlite:///{log.parent / 'unused.sqlite3'}",
            "PYTHONPATH": str(ROOT),
        }
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(
            clocked_command(
                [
                    sys.executable,
                    "-m",
                    "flask",
                    "jobs",
                    "worker",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "INFO",
                ]
            ),
            cwd=ROOT,
            env=clocked_env(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        from app.celery_app import make_celery

        app = make_celery(REDIS_URL)
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start: {log.read_text()[-3000:]}")
        app.close()
        yield REDIS_URL
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _works(company_id: int) -> list[planning.Prepared]:
    config = routing.load_config(company_id=company_id)
    reps = planning.planned_reps(company_id=company_id)
    return [planning.prepare_rep(rep=rep, day=MONDAY, config=config) for rep in reps]


def _solve_all(executor: object, works: list[planning.Prepared]) -> dict[int, object]:
    for p in works:
        executor.submit(p.work)  # type: ignore[attr-defined]
    out = {}
    while len(out) < len(works):
        for result in executor.collect(block=True):  # type: ignore[attr-defined]
            out[result.user_id] = result
    executor.close()  # type: ignore[attr-defined]
    return out


def test_celery_worker_solves_the_same_routes_as_local(
    celery_worker: str, db_session: object
) -> None:
    """Tests that a rep solved by a Celery worker gets exactly the local day and week."""
    world = planning_world(reps=3, customers=8, day=MONDAY)
    works = _works(world.company.id)
    local = _solve_all(InlineExecutor(), works)
    remote = _solve_all(CeleryExecutor(celery_worker, timeout_s=120), works)
    assert set(remote) == {r.id for r in world.reps}
    for rep_id, result in remote.items():
        assert result.error is None  # type: ignore[attr-defined]
        assert result.route == local[rep_id].route  # type: ignore[attr-defined]
        assert result.week == local[rep_id].week  # type: ignore[attr-defined]


def test_pipeline_on_celery_writes_the_local_plans(celery_worker: str, db_session: object) -> None:
    """Tests that a whole run on Celery writes the plans a local run writes."""
    world = planning_world(reps=2, customers=8, day=MONDAY)

    def plans() -> dict[int, list[tuple[int | None, int]]]:
        rows = db.session.scalars(
            sa.select(Plan).where(Plan.company_id == world.company.id, Plan.plan_date == MONDAY)
        )
        return {p.user_id: [(s.customer_id, s.start_s) for s in p.stops] for p in rows}

    options = {"company_id": world.company.id, "plan_date": MONDAY, "score": False}
    pipeline.run_company(pipeline.RunOptions(**options, executor=InlineExecutor()))  # type: ignore[arg-type]
    local = plans()
    summary = pipeline.run_company(
        pipeline.RunOptions(**options, executor=CeleryExecutor(celery_worker, timeout_s=120))
    )  # type: ignore[arg-type]
    assert summary.counts["reps_planned"] == 2
    assert plans() == local


def test_codec_round_trips_work_and_refuses_foreign_classes(db_session: object) -> None:
    """Tests that a rep's work survives JSON intact and only our dataclasses are rebuilt."""
    from app.jobs import codec
    from app.jobs.work import solve

    world = planning_world(reps=1, customers=5, day=MONDAY)
    (prepared,) = _works(world.company.id)
    assert codec.loads(codec.dumps(prepared.work)) == prepared.work
    result = solve(prepared.work)
    assert codec.loads(codec.dumps(result)) == result
    with pytest.raises(ValueError, match="refusing"):
        codec.loads('{"__dc__": "subprocess:Popen", "f": {"args": "true"}}')


def _calendar_works(company_id: int) -> list[object]:
    from dataclasses import replace

    from app.models import CalendarTrigger
    from app.services import visit_calendars

    out = []
    for rep in planning.planned_reps(company_id=company_id):
        work = visit_calendars.prepare(rep=rep, trigger=CalendarTrigger.SETUP, seconds=5.0).work
        out.append(replace(work, settings=replace(work.settings, deterministic=True)))
    return out


def test_celery_worker_computes_the_same_calendars_as_local(
    celery_worker: str, db_session: object
) -> None:
    """Tests that reps' visit calendars fan out to Celery like their days, and come back
    identical to the local answer (deterministic budget)."""
    from app.jobs import codec
    from app.jobs.work import solve_calendar_work

    world = planning_world(reps=2, customers=10, day=MONDAY)
    works = _calendar_works(world.company.id)
    first = works[0]
    assert codec.loads(codec.dumps(first)) == first
    local = {w.user_id: solve_calendar_work(w) for w in works}  # type: ignore[attr-defined]
    assert codec.loads(codec.dumps(local[first.user_id])) == local[first.user_id]  # type: ignore[attr-defined]
    executor = CeleryExecutor(celery_worker, timeout_s=120)
    for work in works:
        executor.submit(work)  # type: ignore[arg-type]
    remote: dict[int, object] = {}
    while len(remote) < len(works):
        for result in executor.collect(block=True):
            remote[result.user_id] = result
    executor.close()
    for rep_id, result in remote.items():
        assert result.error is None  # type: ignore[attr-defined]
        assert result.solution is not None  # type: ignore[attr-defined]
        assert result.solution.assignment == local[rep_id].solution.assignment  # type: ignore[attr-defined,union-attr]
