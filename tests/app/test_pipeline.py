"""The nightly pipeline on the test session: idempotent re-runs, kept plans, failures, locks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import lock, pipeline
from app.jobs.lock import planning_lock_name
from app.models import (
    JobLock,
    Plan,
    PlanningRun,
    PlanStatus,
    RunStatus,
    WorkProfile,
    utcnow,
)
from tests.support.planning import planning_world

MONDAY = date(2026, 11, 23)


def _run(company_id: int, **kwargs: object) -> pipeline.RunSummary:
    options = pipeline.RunOptions(company_id=company_id, plan_date=MONDAY, score=False, **kwargs)  # type: ignore[arg-type]
    return pipeline.run_company(options)


def _plans(rep_id: int, day: date = MONDAY) -> list[Plan]:
    return list(
        db.session.scalars(sa.select(Plan).where(Plan.user_id == rep_id, Plan.plan_date == day))
    )


def test_run_plans_every_rep_and_records_the_run(db_session: object) -> None:
    """Tests that a run writes one plan per rep, drafts for the week and a complete record."""
    world = planning_world(reps=2, customers=8, day=MONDAY)
    summary = _run(world.company.id)
    assert summary.status == RunStatus.SUCCEEDED
    run = db.session.get(PlanningRun, summary.run_id)
    assert run is not None
    assert run.finished_at is not None
    assert run.settings_version == 1
    assert {r.status for r in run.reps} == {"planned"}
    assert run.counts["reps_planned"] == 2
    assert set(run.counts["seconds"]) == {
        "scoring",
        "preparing",
        "solving",
        "writing",
        "compacting",
        "calendars",
        "statistics",
    }
    for rep in world.reps:
        (plan,) = _plans(rep.id)
        assert plan.status == PlanStatus.PLANNED
        assert plan.run_id == run.id
        assert _plans(rep.id, MONDAY + timedelta(days=1))[0].status == PlanStatus.DRAFT
    assert db.session.get(JobLock, planning_lock_name(world.company.id)) is None


def test_rerun_is_idempotent_and_keeps_a_started_plan(db_session: object) -> None:
    """Tests that re-running replaces plans not started and keeps the one a rep started."""
    world = planning_world(reps=2, customers=8, day=MONDAY)
    _run(world.company.id)
    started, other = world.reps
    (kept,) = _plans(started.id)
    kept.status = PlanStatus.STARTED
    kept_stops = [(s.customer_id, s.start_s) for s in kept.stops]
    (before,) = _plans(other.id)
    before_stops = [(s.customer_id, s.start_s) for s in before.stops]
    db.session.flush()
    summary = _run(world.company.id)
    assert {r["user_id"]: r["status"] for r in summary.reps} == {
        started.id: "kept",
        other.id: "planned",
    }
    (again,) = _plans(other.id)
    assert again.revision == 2
    assert [(s.customer_id, s.start_s) for s in again.stops] == before_stops
    (still,) = _plans(started.id)
    assert still.status == PlanStatus.STARTED
    assert [(s.customer_id, s.start_s) for s in still.stops] == kept_stops


def test_one_rep_failing_does_not_stop_the_others(db_session: object) -> None:
    """Tests that a rep without a work profile is recorded as failed and the rest are planned."""
    world = planning_world(reps=3, customers=5, day=MONDAY)
    broken = world.reps[1]
    db.session.execute(sa.delete(WorkProfile).where(WorkProfile.user_id == broken.id))
    db.session.expire_all()
    summary = _run(world.company.id)
    assert summary.status == RunStatus.PARTIAL
    by_rep = {r["user_id"]: r for r in summary.reps}
    assert by_rep[broken.id]["status"] == "failed"
    assert by_rep[broken.id]["error"] == "missing_work_profile"
    assert [by_rep[r.id]["status"] for r in (world.reps[0], world.reps[2])] == [
        "planned",
        "planned",
    ]
    assert _plans(broken.id) == []


def test_dry_run_writes_nothing(db_session: object) -> None:
    """Tests that a dry run reports what it would do and leaves no plan, run or lock."""
    world = planning_world(reps=1, customers=5, day=MONDAY)
    summary = _run(world.company.id, dry_run=True)
    assert summary.counts["reps_planned"] == 1
    assert _plans(world.reps[0].id) == []
    runs = db.session.scalars(
        sa.select(PlanningRun).where(PlanningRun.company_id == world.company.id)
    )
    assert runs.all() == []


def test_lock_refuses_a_second_holder_and_a_stale_one_is_taken_over(db_session: object) -> None:
    """Tests that a live lock refuses a run and an expired one is replaced, abandoning its run."""
    world = planning_world(reps=1, customers=3, day=MONDAY)
    name = planning_lock_name(world.company.id)
    lock.acquire(name, "elsewhere:1:live", ttl=timedelta(minutes=5))
    with pytest.raises(lock.LockBusy):
        _run(world.company.id)
    db.session.execute(
        sa.update(JobLock)
        .where(JobLock.name == name)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    dead = PlanningRun(
        company_id=world.company.id,
        plan_date=MONDAY,
        status=RunStatus.RUNNING,
        heartbeat_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(dead)
    db.session.flush()
    summary = _run(world.company.id)
    assert summary.status == RunStatus.SUCCEEDED
    assert summary.abandoned == [dead.id]
    db.session.refresh(dead)
    assert dead.status == RunStatus.ABANDONED


def test_lock_of_a_dead_local_process_is_stale() -> None:
    """Tests that a holder whose process is gone on this machine counts as stale."""
    import socket
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    holder = f"{socket.gethostname()}:{proc.pid}:abc"
    later = utcnow() + timedelta(hours=1)
    assert lock.is_stale(holder, later)
    assert not lock.is_stale(lock.new_holder(), later)
    assert not lock.is_stale(f"other-host:{proc.pid}:abc", later)
