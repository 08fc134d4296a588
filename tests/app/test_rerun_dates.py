"""Re-running a date touches that date only: later plans, drafts or planned, stay as they were."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import pipeline
from app.jobs.executors import InlineExecutor
from app.jobs.reruns import run_queued
from app.models import Plan, PlanningRun, PlanStatus, RunStatus
from app.services import runs
from tests.support.planning import planning_world, score

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)


def _nightly(company_id: int, day: date) -> pipeline.RunSummary:
    summary = pipeline.run_company(
        pipeline.RunOptions(company_id=company_id, plan_date=day, score=False)
    )
    assert summary.status == RunStatus.SUCCEEDED, summary.counts
    return summary


def _state(company_id: int, after: date) -> dict[tuple[int, date], Any]:
    """Every plan after a date: status, revision, run and its stops as written."""
    db.session.expire_all()
    plans = db.session.scalars(
        sa.select(Plan).where(Plan.company_id == company_id, Plan.plan_date > after)
    ).all()
    return {
        (p.user_id, p.plan_date): (
            p.id,
            p.status,
            p.revision,
            p.run_id,
            p.source,
            [(s.seq, s.customer_id, s.start_s) for s in p.stops],
        )
        for p in plans
    }


def _world() -> Any:
    world = planning_world(reps=2, customers=8, day=MONDAY, settings={"plan_horizon_days": 4})
    for customers in world.customers.values():
        for cust in customers:
            score(cust, TUESDAY, 50.0)
    return world


def test_queued_rerun_of_an_earlier_date_leaves_every_later_plan_as_it_was(db_session) -> None:
    """Tests that after Monday and then Tuesday were planned (Tuesday PLANNED, later days
    drafts), re-running Monday from the runs page's queue rewrites Monday only."""
    world = _world()
    company_id = world.company.id
    _nightly(company_id, MONDAY)
    _nightly(company_id, TUESDAY)
    before = _state(company_id, MONDAY)
    assert {v[1] for k, v in before.items() if k[1] == TUESDAY} == {PlanStatus.PLANNED}
    assert any(v[1] == PlanStatus.DRAFT for v in before.values()), "later drafts exist too"
    monday_runs = {
        p.run_id for p in db.session.scalars(sa.select(Plan).where(Plan.plan_date == MONDAY))
    }

    queued = runs.enqueue_rerun(company_id=company_id, day=MONDAY, user_id=world.admin.id)
    (summary,) = run_queued(executor=InlineExecutor())

    assert summary.run_id == queued.id
    assert summary.status == RunStatus.SUCCEEDED, summary.counts
    assert db.session.get(PlanningRun, queued.id).status == RunStatus.SUCCEEDED
    assert _state(company_id, MONDAY) == before
    monday = db.session.scalars(sa.select(Plan).where(Plan.plan_date == MONDAY)).all()
    assert {p.run_id for p in monday} == {queued.id} != monday_runs
    assert {p.status for p in monday} == {PlanStatus.PLANNED}


def test_nightly_run_never_turns_a_later_planned_day_back_into_a_draft(db_session) -> None:
    """Tests that a run of Monday that drafts the week keeps Tuesday's PLANNED plan (made by
    Tuesday's own run) exactly as it was."""
    world = _world()
    company_id = world.company.id
    _nightly(company_id, TUESDAY)
    tuesday = {k: v for k, v in _state(company_id, MONDAY).items() if k[1] == TUESDAY}
    assert {v[1] for v in tuesday.values()} == {PlanStatus.PLANNED}

    _nightly(company_id, MONDAY)

    after = {k: v for k, v in _state(company_id, MONDAY).items() if k[1] == TUESDAY}
    assert after == tuesday


def test_enqueue_refuses_a_second_run_while_one_waits(db_session) -> None:
    """Tests that a company has at most one queued or running re-run."""
    world = _world()
    runs.enqueue_rerun(company_id=world.company.id, day=MONDAY, user_id=world.admin.id)
    with pytest.raises(runs.RerunRefused) as refused:
        runs.enqueue_rerun(company_id=world.company.id, day=TUESDAY, user_id=world.admin.id)
    assert refused.value.code == "busy"
