"""The scheduler process: one cron per company at its local planning time, every day.

The cron fires every day, Saturdays and Sundays included; the company calendar
(`app/services/work_calendar.py`) decides whether anyone works that day.

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
from app.jobs.calendar_requests import run_calendar_requests_job
from app.jobs.nightly import nightly
from app.jobs.reruns import run_queued
from app.models import Company, RunTrigger
from app.services import planning, routing
from app.services.company_settings import SettingsError

log = logging.getLogger(__name__)
QUEUE_POLL_S = 10  # how soon a re-run asked for on the runs page starts


def run_company_job(app: Flask, company_id: int, force: bool = False) -> None:
    """The cron body: plan today for the reps who work today (nobody works: nothing to do)."""
    with app.app_context():
        company = db.session.get(Company, company_id)
        if company is None:
            return
        today = datetime.now(ZoneInfo(company.timezone)).date()
        day = planning.next_working_day(company_id=company_id, day=today)
        if not force and day != today:
            log.info("company %s: nobody works on %s", company_id, today)
            db.session.remove()
            return
        for summary in nightly(company_id=company_id, day=day, trigger=RunTrigger.SCHEDULE):
            log.info(
                "company %s planned %s: %s %s",
                company_id,
                summary.plan_date,
                summary.status,
                summary.counts,
            )
        db.session.remove()


def run_queued_job(app: Flask) -> None:
    """The queue body: execute the re-runs admins asked for on the runs page."""
    with app.app_context():
        try:
            for summary in run_queued():
                log.info("re-run %s of %s: %s", summary.run_id, summary.plan_date, summary.status)
        finally:
            db.session.remove()


def register_jobs(scheduler: Any, app: Flask, *, now: bool = False) -> list[str]:
    """Add (or replace) one cron job per company with reps; return the job ids."""
    ids = []
    with app.app_context():
        companies = db.session.execute(
            sa.select(Company.id, Company.timezone).order_by(Company.id)
        ).all()
        for company_id, tz in companies:
            try:
                config = routing.load_config(company_id=company_id)
            except SettingsError as exc:  # refused when saved; only a hand edit gets here
                log.error("company %s not scheduled: its settings are invalid: %s", company_id, exc)
                continue
            hour, minute = (int(part) for part in config.nightly_time.split(":"))
            job_id = f"nightly:{company_id}"
            trigger = CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(tz))
            scheduler.add_job(
                run_company_job,
                trigger,
                args=(app, company_id),
                id=job_id,
                name=job_id,
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=3600,
            )
            ids.append(job_id)
            if now:  # once right away, even on a day off (first start, or catching up)
                scheduler.add_job(
                    run_company_job,
                    "date",
                    args=(app, company_id, True),
                    id=f"{job_id}:now",
                    replace_existing=True,
                    run_date=datetime.now(ZoneInfo(tz)),
                )
        db.session.remove()
    return ids


def build_scheduler(app: Flask, *, now: bool = False) -> BlockingScheduler:
    """Build the blocking scheduler with the company jobs and an hourly refresh of them."""
    scheduler = BlockingScheduler(timezone=ZoneInfo("America/Sao_Paulo"))
    register_jobs(scheduler, app, now=now)
    scheduler.add_job(
        register_jobs,
        "interval",
        minutes=15,
        args=(scheduler, app),
        id="refresh_schedule",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        run_queued_job,
        "interval",
        seconds=app.config.get("PLANNING_QUEUE_POLL_S", QUEUE_POLL_S),
        args=(app,),
        id="run_queued",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        run_calendar_requests_job,
        "interval",
        seconds=app.config.get("PLANNING_QUEUE_POLL_S", QUEUE_POLL_S),
        args=(app,),
        id="calendar_requests",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
    return scheduler
