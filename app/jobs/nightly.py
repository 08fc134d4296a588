"""The nightly job: for every company (or one), run the planning pipeline for the next
working day."""

from __future__ import annotations

import logging
from datetime import date

from flask import current_app

from app.jobs import lock, pipeline
from app.jobs.executors import Executor, make_executor
from app.jobs.pipeline import Progress, RunOptions, RunSummary
from app.models import RunTrigger
from app.services import planning
from app.services.clock import local_today

log = logging.getLogger(__name__)


def target_day(day: date | None = None, *, company_id: int) -> date:
    """Return the date a run plans: the given one, else the company's next working
    day from today."""
    return day or planning.next_working_day(company_id=company_id, day=local_today())


def default_executor(workers: int | None = None, kind: str | None = None) -> Executor:
    """Return Celery when a broker is configured, else a local pool of all cores."""
    broker = current_app.config.get("CELERY_BROKER_URL")
    return make_executor(kind, workers=workers, broker_url=broker)


def nightly(
    *,
    company_id: int | None = None,
    day: date | None = None,
    dry_run: bool = False,
    trigger: RunTrigger = RunTrigger.SCHEDULE,
    rep_ids: list[int] | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    score: bool = True,
    triggered_by: int | None = None,
) -> list[RunSummary]:
    """Plan the day for every company (or one); a company already running is skipped."""
    companies = [company_id] if company_id is not None else pipeline.companies_to_plan()
    own = executor is None
    executor = executor or default_executor()
    out = []
    try:
        for cid in companies:
            options = RunOptions(
                company_id=cid,
                plan_date=target_day(day, company_id=cid),
                trigger=trigger,
                rep_ids=rep_ids,
                dry_run=dry_run,
                score=score,
                executor=executor,
                progress=progress,
                triggered_by_id=triggered_by,
                osrm_url=current_app.config.get("OSRM_URL"),
            )
            try:
                out.append(pipeline.run_company(options))
            except lock.LockBusy as exc:
                log.warning("company %s skipped: %s", cid, exc)
    finally:
        if own:
            executor.close()
    return out
