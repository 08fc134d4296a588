"""Planning runs as people see them, and the queue of re-runs asked for from the web.

A web request never plans: :func:`enqueue_rerun` only records a QUEUED run, which the
scheduler process (``flask jobs run``) picks up within seconds and executes with
:mod:`app.jobs.reruns`. The runs page shows each run queued, running, then how it ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.jobs import lock
from app.models import PlanningRun, PlanningRunRep, RepRunStatus, RunStatus, RunTrigger, User
from app.services.errors import Conflict


class RerunRefused(Conflict):
    """A re-run cannot be queued now: one is queued or running."""

    code: str | None = "busy"


@dataclass
class RunView:
    """A run as the "Planejamentos" page shows it, with the rep lines the viewer may see."""

    run: PlanningRun
    reps: list[tuple[PlanningRunRep, str]]

    @property
    def duration_s(self) -> float | None:
        """Return how long the run took (None while it is queued or runs)."""
        if self.run.finished_at is None or self.run.status == RunStatus.QUEUED:
            return None
        return (self.run.finished_at - self.run.started_at).total_seconds()

    @property
    def failures(self) -> list[tuple[PlanningRunRep, str]]:
        """Return the visible rep lines that failed."""
        return [(row, name) for row, name in self.reps if row.status == RepRunStatus.FAILED]


def list_runs(*, scope: Any, limit: int = 20) -> list[RunView]:
    """Return the company's latest runs; supervisors see only their team's rep lines."""
    runs = list(
        db.session.scalars(
            sa.select(PlanningRun)
            .where(PlanningRun.company_id == scope.company_id)
            .order_by(PlanningRun.started_at.desc(), PlanningRun.id.desc())
            .limit(limit)
        )
    )
    if not runs:
        return []
    rows = db.session.execute(
        sa.select(PlanningRunRep, User.name)
        .join(User, User.id == PlanningRunRep.user_id)
        .where(PlanningRunRep.run_id.in_([r.id for r in runs]), scope.user_filter())
        .order_by(PlanningRunRep.status != RepRunStatus.FAILED, User.name)
    ).all()
    by_run: dict[int, list[tuple[PlanningRunRep, str]]] = {r.id: [] for r in runs}
    for row, name in rows:
        by_run[row.run_id].append((row, name))
    return [RunView(run, by_run[run.id]) for run in runs]


def is_running(*, company_id: int) -> bool:
    """Tell whether a live run holds the company's lock."""
    found = lock.current(lock.planning_lock_name(company_id))
    return found is not None and not lock.is_stale(*found)


def queued_run(*, company_id: int) -> PlanningRun | None:
    """Return the company's re-run waiting for the scheduler, if any."""
    return db.session.scalar(
        sa.select(PlanningRun)
        .where(PlanningRun.company_id == company_id, PlanningRun.status == RunStatus.QUEUED)
        .order_by(PlanningRun.id)
        .limit(1)
    )


def is_busy(*, company_id: int) -> bool:
    """Tell whether a run of the company is queued or under way."""
    return queued_run(company_id=company_id) is not None or is_running(company_id=company_id)


def enqueue_rerun(*, company_id: int, day: date, user_id: int) -> PlanningRun:
    """Queue planning ``day`` again for the scheduler process (flush only).

    Raises
    ------
    RerunRefused
        ``busy`` when a run of the company is already queued or running.
    """
    if is_busy(company_id=company_id):
        raise RerunRefused("A planning run is already queued or going.")
    run = PlanningRun(
        company_id=company_id,
        plan_date=day,
        trigger=RunTrigger.MANUAL,
        status=RunStatus.QUEUED,
        triggered_by_id=user_id,
        counts={},
    )
    db.session.add(run)
    db.session.flush()
    return run


def queued_runs() -> list[PlanningRun]:
    """Return every queued re-run, oldest first (what the scheduler's queue job executes)."""
    return list(
        db.session.scalars(
            sa.select(PlanningRun)
            .where(PlanningRun.status == RunStatus.QUEUED)
            .order_by(PlanningRun.started_at, PlanningRun.id)
        )
    )
