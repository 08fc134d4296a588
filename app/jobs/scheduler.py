"""The scheduler process: one cron per company at its local planning time, on working days.

Run with ``flask jobs run``; never inside gunicorn or the app factory (APScheduler's job
store cannot be shared between processes, and every web worker would plan the night).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from app.extensions import db
from app.jobs.nightly import nightly
from app.models import Company
from app.services import planning, routing

log = logging.getLogger(__name__)
DEFAULT_TIME = "02:00"


def _hour_minute(text: str) -> tuple[int, int]:
    """Parse ``HH:MM``; fall back to the default time when it is malformed."""
    try:
        hour, minute = (int(p) for p in text.split(":")[:2])
        if 0 <= hour < 24 and 0 <= minute < 60:
            return hour, minute
    except ValueError:
        pass
    return 2, 0


def run_company_job(app: Flask, company_id: int, force: bool = False) -> None:
    """The cron body: plan the company's next working day if today is a working day."""
    with app.app_context():
        company = db.session.get(Company, company_id)
        if company is None:
            return
        today = datetime.now(ZoneInfo(company.timezone)).date()
        if not force and not planning.is_working_day(today):
            log.info("company %s: %s is not a working day", company_id, today)
            return
        for summary in nightly(company_id=company_id, trigger="schedule"):
            log.info("company %s planned %s: %s %s", company_id, summary.plan_date, summary.status, summary.counts)
        db.session.remove()


def register_jobs(scheduler: Any, app: Flask, *, now: bool = False) -> list[str]:
    """Add (or replace) one cron job per company with reps; return the job ids."""
    ids = []
    with app.app_context():
        companies = db.session.execute(sa.select(Company.id, Company.timezone).order_by(Company.id)).all()
        for company_id, tz in companies:
            config = routing.load_config(company_id=company_id)
            hour, minute = _hour_minute(config.nightly_time or DEFAULT_TIME)
            job_id = f"nightly:{company_id}"
            trigger = CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute, timezone=ZoneInfo(tz))
            scheduler.add_job(
                run_company_job, trigger, args=(app, company_id), id=job_id, name=job_id,
                replace_existing=True, max_instances=1, coalesce=True, misfire_grace_time=3600,
            )
            ids.append(job_id)
            if now:  # once right away, even on a day off (first start, or catching up)
                scheduler.add_job(
                    run_company_job, "date", args=(app, company_id, True), id=f"{job_id}:now",
                    replace_existing=True, run_date=datetime.now(ZoneInfo(tz)),
                )
        db.session.remove()
    return ids


def build_scheduler(app: Flask, *, now: bool = False) -> BlockingScheduler:
    """Build the blocking scheduler with the company jobs and an hourly refresh of them."""
    scheduler = BlockingScheduler(timezone=ZoneInfo("America/Sao_Paulo"))
    register_jobs(scheduler, app, now=now)
    scheduler.add_job(
        register_jobs, "interval", minutes=15, args=(scheduler, app), id="refresh_schedule",
        replace_existing=True, max_instances=1, coalesce=True,
    )
    return scheduler
