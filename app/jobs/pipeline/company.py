"""A company's run from start to end: score, calendars, reps, telesales lists, compaction."""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa

from app import db_events
from app.extensions import db
from app.jobs import lock
from app.jobs.executors import make_executor
from app.jobs.pipeline.calendars import compute_calendars
from app.jobs.pipeline.reps import plan_reps
from app.jobs.pipeline.run import Run, RunOptions, RunSummary
from app.models import Channel, Customer, Role, RunStatus, ScoreSnapshot, User
from app.services import company_settings, routing
from app.services.company_settings import SettingsError

log = logging.getLogger(__name__)


def _rank_telesales(r: Run) -> None:
    """Count each telesales seat's ranked list (the telesales view reads the day's snapshots)."""
    rows = db.session.execute(
        sa.select(User.id, sa.func.count(ScoreSnapshot.id))
        .join(Customer, Customer.owner_id == User.id)
        .join(
            ScoreSnapshot,
            sa.and_(
                ScoreSnapshot.company_id == r.o.company_id,
                ScoreSnapshot.customer_id == Customer.id,
                ScoreSnapshot.score_date == r.o.plan_date,
            ),
        )
        .where(
            User.company_id == r.o.company_id,
            User.role == Role.TELESALES,
            User.active.is_(True),
            Customer.channel == Channel.TELESALES,
        )
        .group_by(User.id)
    ).all()
    r.counts["telesales_lists"] = len(rows)
    r.counts["telesales_customers"] = int(sum(n for _, n in rows))


def _refuse_settings(options: RunOptions, exc: SettingsError) -> RunSummary:
    """Record a run that failed because the settings in force do not read back."""
    row = company_settings.latest_row(company_id=options.company_id)
    r = Run(options)
    version = row.version if row is not None else 0
    r.start(routing.PlanningConfig(company_id=options.company_id, settings_version=version))
    return r.finish(RunStatus.FAILED, f"invalid settings v{version}: {exc}"[:2000])


def run_company(options: RunOptions) -> RunSummary:
    """Run the pipeline for one company and date; raise lock.LockBusy if one is running.

    Re-running a date replaces the plans not started and keeps those a rep has started;
    one rep's failure is recorded on its line and the others go on. Every step writes, so
    on SQLite each transaction takes the write lock when it begins (see app.db_events):
    web requests writing meanwhile queue between the steps instead of failing them.
    """
    with db_events.writing():
        return _run_company(options)


def _run_company(options: RunOptions) -> RunSummary:
    try:
        config = routing.load_config(company_id=options.company_id, osrm_url=options.osrm_url)
    except SettingsError as exc:  # refused when saved: only a hand edit of the table gets here
        return _refuse_settings(options, exc)
    r = Run(options)
    r.start(config)
    executor = options.executor or make_executor("inline")
    t0 = time.perf_counter()
    try:
        r.score()
        compute_calendars(r, config, executor)
        plan_reps(r, config, executor)
        _rank_telesales(r)
        r.compact()
    except lock.LockLost as exc:
        log.error("planning run lost its lock: %s", exc)
        db.session.rollback()
        return RunSummary(
            r.run.id if r.run else None, RunStatus.ABANDONED, options.plan_date, r.counts
        )
    except Exception as exc:
        log.exception("planning run failed")
        if options.dry_run:
            r.savepoint.rollback()
            return RunSummary(None, RunStatus.FAILED, options.plan_date, r.counts)
        db.session.rollback()
        r.counts["seconds_total"] = round(time.perf_counter() - t0, 3)
        return r.finish(RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
    finally:
        if options.executor is None:
            executor.close()
    r.counts["seconds_total"] = round(time.perf_counter() - t0, 3)
    failed = r.counts.get("reps_failed", 0)
    ok = r.counts["reps_total"] - failed
    status = RunStatus.SUCCEEDED if not failed else (RunStatus.PARTIAL if ok else RunStatus.FAILED)
    return r.finish(status)


def companies_to_plan() -> list[int]:
    """Return every company with at least one active field rep."""
    from app.models import Company

    query = sa.select(Company.id).where(
        sa.exists().where(
            User.company_id == Company.id, User.role == Role.REP, User.active.is_(True)
        )
    )
    return list(db.session.scalars(query.order_by(Company.id)))
