"""`flask jobs run | run-once NAME | worker`: the scheduler process and its jobs by hand."""

from __future__ import annotations

import signal
from datetime import date

import click
from flask import current_app
from flask_babel import gettext as _

from app.commands.params import DATE
from app.commands.plan import echo_summary
from app.jobs.nightly import nightly
from app.jobs.reruns import run_queued
from app.models import RunTrigger
from app.services import calendar_requests

JOBS = ("nightly", "run_queued", "calendars")


@click.group("jobs")
def jobs_cli() -> None:
    """Scheduled jobs: the nightly planning and the queues of re-runs and re-optimised calendars
    asked for on the web."""


@jobs_cli.command("run")
@click.option("--now", is_flag=True, help="Also run every company's job right away.")
def run(now: bool) -> None:
    """Start the scheduler in this process (blocks; one scheduler process per deployment)."""
    from app.jobs.scheduler import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object(), now=now)  # type: ignore[attr-defined]
    for job in scheduler.get_jobs():
        click.echo(_("scheduled: %(job)s (%(trigger)s)", job=job.id, trigger=job.trigger))
    signal.signal(signal.SIGTERM, _stop)  # stop like Ctrl-C: let a running job end cleanly
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
        click.echo(_("scheduler stopped"))


def _stop(_signum: int, _frame: object) -> None:
    """Turn SIGTERM into SystemExit so the scheduler shuts down."""
    raise SystemExit(0)


@jobs_cli.command("run-once")
@click.argument("name", type=click.Choice(JOBS))
@click.option(
    "--date",
    "day",
    type=DATE,
    help="Date to plan (default: next working day).",
)
@click.option("--company", "company_id", type=int, help="Only this company.")
@click.option("--dry-run", is_flag=True, help="Plan and report, write nothing.")
def run_once(name: str, day: date | None, company_id: int | None, dry_run: bool) -> None:
    """Run one job now, the same code the scheduler runs."""
    if name == "run_queued":
        for summary in run_queued():
            echo_summary(summary, dry_run=False)
        return
    if name == "calendars":
        for rep_id, outcome in calendar_requests.run_requested():
            click.echo(_("calendar of rep %(rep)s: %(outcome)s", rep=rep_id, outcome=outcome))
        return
    for summary in nightly(
        company_id=company_id, day=day, dry_run=dry_run, trigger=RunTrigger.MANUAL
    ):
        echo_summary(summary, dry_run=dry_run)


@jobs_cli.command("worker")
@click.option("--concurrency", type=int, help="Worker processes (default: all cores).")
@click.option("--loglevel", default="INFO", show_default=True)
def worker(concurrency: int | None, loglevel: str) -> None:
    """Start a Celery worker that solves reps sent by planning runs (needs the broker URL)."""
    from app.celery_app import make_celery

    broker = current_app.config.get("CELERY_BROKER_URL")
    if not broker:
        raise click.ClickException(
            _("set ROTEIRO_CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
        )
    argv = ["worker", f"--loglevel={loglevel}", "--without-gossip", "--without-mingle"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    make_celery(broker).worker_main(argv)
