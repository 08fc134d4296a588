"""The nightly job: for every company (or one), run the planning pipeline for the next working day."""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import Any

from flask import current_app

from app.extensions import db
from app.jobs import lock
from app.jobs.executors import Executor, make_executor
from app.services import pipeline, planning
from app.services.clock import local_today
from app.services.pipeline import Progress, RunOptions, RunSummary

log = logging.getLogger(__name__)


def target_day(day: date | None = None) -> date:
    """Return the date a run plans: the given one, else the next working day from today."""
    return day or planning.next_working_day(local_today())


def default_executor(workers: int | None = None, kind: str | None = None) -> Executor:
    """Return Celery when a broker is configured, else a local pool of all cores."""
    broker = current_app.config.get("CELERY_BROKER_URL")
    return make_executor(kind, workers=workers, broker_url=broker)


def nightly(
    *,
    company_id: int | None = None,
    day: date | None = None,
    dry_run: bool = False,
    trigger: str = "schedule",
    rep_ids: list[int] | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    score: bool = True,
    triggered_by: int | None = None,
) -> list[RunSummary]:
    """Plan the day for every company (or one); a company already running is skipped."""
    plan_day = target_day(day)
    companies = [company_id] if company_id is not None else pipeline.companies_to_plan()
    own = executor is None
    executor = executor or default_executor()
    out = []
    try:
        for cid in companies:
            options = RunOptions(
                company_id=cid, plan_date=plan_day, trigger=trigger, rep_ids=rep_ids, dry_run=dry_run,
                score=score, executor=executor, progress=progress, triggered_by_id=triggered_by, osrm_url=current_app.config.get("OSRM_URL"),
            )
            try:
                out.append(pipeline.run_company(options))
            except lock.LockBusy as exc:
                log.warning("company %s skipped: %s", cid, exc)
    finally:
        if own:
            executor.close()
    return out


def start_rerun(app: Any, *, company_id: int, day: date, user_id: int) -> threading.Thread:
    """Re-run a company's date in a background thread (the request returns at once)."""

    def body() -> None:
        with app.app_context():
            try:
                nightly(company_id=company_id, day=day, trigger="manual", triggered_by=user_id)
            except Exception:
                log.exception("re-run of company %s for %s failed", company_id, day)
            finally:
                db.session.remove()

    thread = threading.Thread(target=body, name=f"roteiro-rerun-{company_id}", daemon=True)
    thread.start()
    return thread
