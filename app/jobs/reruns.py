"""The queue job: execute the re-runs admins asked for on the runs page, oldest first.

The web only records a QUEUED run (``app/services/runs.py``); the scheduler process calls
:func:`run_queued` every few seconds (``flask jobs run-once run_queued`` by hand), so
planning never runs inside a web worker. A re-run plans its own date and leaves every
other date's plans as they are.
"""

from __future__ import annotations

import logging

from flask import current_app

from app.extensions import db
from app.jobs import lock, pipeline
from app.jobs.executors import Executor
from app.jobs.nightly import default_executor
from app.jobs.pipeline import RunOptions, RunSummary
from app.models import RunTrigger
from app.services import runs

log = logging.getLogger(__name__)


def run_queued(*, executor: Executor | None = None) -> list[RunSummary]:
    """Execute every queued re-run; one whose company is planning now waits for the next call."""
    queued = [(r.id, r.company_id, r.plan_date, r.triggered_by_id) for r in runs.queued_runs()]
    if not queued:
        return []
    own = executor is None
    executor = executor or default_executor()
    out = []
    try:
        for run_id, company_id, day, user_id in queued:
            options = RunOptions(
                company_id=company_id,
                plan_date=day,
                trigger=RunTrigger.MANUAL,
                executor=executor,
                triggered_by_id=user_id,
                osrm_url=current_app.config.get("OSRM_URL"),
                queued_run_id=run_id,
                later_days=False,
            )
            try:
                out.append(pipeline.run_company(options))
            except (lock.LockBusy, pipeline.RunTaken) as exc:
                db.session.rollback()
                log.info("queued run %s waits: %s", run_id, exc)
    finally:
        if own:
            executor.close()
    return out
