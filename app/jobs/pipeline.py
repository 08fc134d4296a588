"""The planning pipeline of one company and date: score, plan every rep, rank telesales, record.

A job, run by the scheduler process (the nightly cron and the queue of web re-runs) or by
``flask plan`` / ``flask jobs run-once``; never by a web worker. It splits its work into
units through :func:`app.transactions.checkpoint`: the lock, the run record and each rep's
plans are committed separately, so a run killed halfway leaves every rep with either its
old plans or its new ones, never half of each, and the next run finds the dead run (its
lock is stale), marks it ABANDONED and redoes the date. The services it calls only flush.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app import db_events
from app.extensions import db
from app.jobs import lock
from app.jobs.executors import Executor, make_executor
from app.jobs.lock import planning_lock_name
from app.jobs.work import CalendarResult, RepResult
from app.models import (
    Channel,
    Customer,
    PlanningRun,
    PlanningRunRep,
    RepRunStatus,
    Role,
    RunStatus,
    RunTrigger,
    ScoreSnapshot,
    User,
    utcnow,
)
from app.services import company_settings, planning, routing, visit_calendars
from app.services.company_settings import SettingsError
from app.services.planning.prepare import Prepared
from app.services.routing import PlanningConfig, PlanningError
from app.transactions import checkpoint, end_read

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=10)
Progress = Callable[[int, int, int, str], None]  # done, total, rep id, status


@dataclass
class RunOptions:
    """What to run: which company and date, with which executor, and how."""

    company_id: int
    plan_date: date
    trigger: RunTrigger = RunTrigger.SCHEDULE
    rep_ids: Collection[int] | None = None
    dry_run: bool = False
    score: bool = True
    executor: Executor | None = None
    triggered_by_id: int | None = None
    ttl: timedelta = DEFAULT_TTL
    progress: Progress | None = None
    osrm_url: str | None = None
    queued_run_id: int | None = None  # a re-run asked for from the web, waiting in the queue
    # Write the week agenda's later days as drafts. Re-runs of one date leave every other
    # date's plans exactly as they are (they only read them as fixed days of the agenda).
    later_days: bool = True


class RunTaken(RuntimeError):
    """The queued run was already started (or dropped) by someone else."""


@dataclass
class RunSummary:
    """What a run did (also returned by dry runs, which write nothing)."""

    run_id: int | None
    status: RunStatus
    plan_date: date
    counts: dict[str, Any]
    reps: list[dict[str, Any]] = field(default_factory=list)
    abandoned: list[int] = field(default_factory=list)


class _Run:
    """One execution: the lock, the run row, the clock and the per-rep bookkeeping."""

    def __init__(self, options: RunOptions) -> None:
        self.o = options
        self.holder = lock.new_holder()
        self.name = planning_lock_name(options.company_id)
        self.seconds: dict[str, float] = {
            "scoring": 0.0,
            "preparing": 0.0,
            "solving": 0.0,
            "writing": 0.0,
            "compacting": 0.0,
            "calendars": 0.0,
        }
        self.counts: dict[str, Any] = {
            "reps_total": 0,
            "reps_planned": 0,
            "reps_kept": 0,
            "reps_failed": 0,
            "reps_skipped": 0,
            "stops": 0,
            "dropped": 0,
            "drafts": 0,
            "customers_scored": 0,
            "solver_seconds": 0.0,
        }
        self.run: PlanningRun | None = None
        self.rows: dict[int, PlanningRunRep] = {}
        self.abandoned: list[int] = []
        self.done = 0
        self.savepoint: Any = None

    # -- transactions ----------------------------------------------------------------

    def checkpoint(self) -> None:
        """End one unit of work (a dry run keeps everything in one transaction, rolled back)."""
        if self.o.dry_run:
            db.session.flush()
        else:
            checkpoint()

    def end_read(self) -> None:
        """End the transaction a rep's preparation read in, keeping what it loaded.

        Nothing was written, so the objects read stay true; ending the transaction before
        the solver runs means no snapshot (PostgreSQL) or SQLite write lock is held for
        the seconds a solve takes. A dry run stays in its one transaction.
        """
        if self.o.dry_run:
            return
        end_read()

    def take_write_lock(self) -> None:
        """End the read transaction and begin the next one now, IMMEDIATE on SQLite: used
        after a long read (scoring) so the write lock is held for the write alone."""
        self.end_read()
        with db_events.writing():
            db.session.connection()  # begins the transaction (and takes the lock) here

    def beat(self) -> None:
        """Keep the lock and the run's heartbeat fresh (before each checkpoint)."""
        if self.o.dry_run or self.run is None:
            return
        lock.heartbeat(self.name, self.holder, ttl=self.o.ttl)
        self.run.heartbeat_at = utcnow()

    # -- phases ----------------------------------------------------------------------

    def start(self, config: PlanningConfig) -> None:
        """Take the lock, abandon dead runs and open the run record."""
        if self.o.dry_run:
            self.savepoint = db.session.begin_nested()  # undone at the end, caller's data kept
        else:
            lock.acquire(self.name, self.holder, ttl=self.o.ttl)
            self.abandoned = _abandon_running(self.o.company_id)
            checkpoint()
        self.run = self._queued() if self.o.queued_run_id is not None else None
        if self.run is None:
            self.run = PlanningRun(
                company_id=self.o.company_id,
                plan_date=self.o.plan_date,
                trigger=self.o.trigger,
                triggered_by_id=self.o.triggered_by_id,
            )
            db.session.add(self.run)
        self.run.status = RunStatus.RUNNING
        self.run.started_at = self.run.heartbeat_at = utcnow()
        self.run.settings_version = config.settings_version
        self.run.counts = {}
        self.checkpoint()

    def _queued(self) -> PlanningRun:
        """Return the queued run this execution takes over (we hold the company's lock)."""
        run = db.session.get(PlanningRun, self.o.queued_run_id)
        if run is None or run.status != RunStatus.QUEUED:
            if not self.o.dry_run:
                lock.release(self.name, self.holder)
                checkpoint()
            raise RunTaken(f"run {self.o.queued_run_id} is no longer queued")
        return run

    def score(self) -> None:
        """Snapshot every customer's score for the date."""
        if not self.o.score:
            return
        from app.services import scoring

        t0 = time.perf_counter()
        try:
            self.end_read()
            with db_events.writing(False):  # reading and scoring take no write lock
                result = scoring.score_company(
                    session=db.session(),
                    company_id=self.o.company_id,
                    day=self.o.plan_date,
                    before_write=self.take_write_lock,
                )
            self.counts["customers_scored"] = result.customers
        except Exception as exc:  # plan on the latest snapshots rather than not at all
            log.exception("scoring failed; planning on the latest snapshots")
            if not self.o.dry_run:
                db.session.rollback()
            self.counts["scoring_error"] = f"{type(exc).__name__}: {exc}"[:500]
        self.seconds["scoring"] = time.perf_counter() - t0
        self.beat()
        self.checkpoint()

    def compact(self) -> None:
        """Move snapshots past the company's full-detail window into the compact history.

        One day per transaction, so the first run after an upgrade (months of full rows)
        holds no long lock; a failure is recorded and leaves the plans alone.
        """
        if self.o.dry_run:
            return
        from app.services import score_retention

        t0 = time.perf_counter()
        moved = 0
        try:
            days = score_retention.company_full_days(db.session(), self.o.company_id)
            before = score_retention.cutoff(self.o.plan_date, days)
            for day in score_retention.days_to_compact(db.session(), self.o.company_id, before):
                moved += score_retention.compact_day(db.session(), self.o.company_id, day)
                self.beat()
                self.checkpoint()
        except lock.LockLost:
            raise
        except Exception as exc:
            log.exception("compacting old score snapshots failed")
            db.session.rollback()
            self.counts["compaction_error"] = f"{type(exc).__name__}: {exc}"[:500]
        self.counts["snapshots_compacted"] = moved
        self.seconds["compacting"] = time.perf_counter() - t0

    def record(
        self,
        rep_id: int,
        status: RepRunStatus,
        *,
        seconds: float = 0.0,
        stops: int = 0,
        dropped: int = 0,
        error: str | None = None,
    ) -> None:
        """Write the rep's line of the run record."""
        assert self.run is not None
        row = PlanningRunRep(
            run_id=self.run.id,
            user_id=rep_id,
            status=status,
            duration_ms=int(seconds * 1000),
            stops=stops,
            dropped=dropped,
            error=error,
        )
        db.session.add(row)
        self.rows[rep_id] = row
        self.counts[f"reps_{status}"] = self.counts.get(f"reps_{status}", 0) + 1
        self.done += 1
        if self.o.progress is not None:
            self.o.progress(self.done, self.counts["reps_total"], rep_id, status)

    def fail(self, rep_id: int, error: str, seconds: float = 0.0) -> None:
        """Record a rep's failure in its own transaction, then go on with the others."""
        if not self.o.dry_run:
            db.session.rollback()
        self.record(rep_id, RepRunStatus.FAILED, seconds=seconds, error=error[:2000])
        self.beat()
        self.checkpoint()

    def finish(self, status: RunStatus, error: str | None = None) -> RunSummary:
        """Close the run record and release the lock."""
        assert self.run is not None
        self.counts["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        self.run.status = status
        self.run.error = error
        self.run.counts = dict(self.counts)
        self.run.finished_at = utcnow()
        summary = RunSummary(
            self.run.id,
            status,
            self.o.plan_date,
            dict(self.counts),
            [
                {
                    "user_id": r.user_id,
                    "status": r.status,
                    "stops": r.stops,
                    "dropped": r.dropped,
                    "error": r.error,
                }
                for r in self.rows.values()
            ],
            self.abandoned,
        )
        if self.o.dry_run:
            self.savepoint.rollback()
            return summary
        lock.release(self.name, self.holder)
        checkpoint()
        return summary


def _abandon_running(company_id: int) -> list[int]:
    """Mark the company's runs still RUNNING as ABANDONED (we hold the lock: they are dead)."""
    runs = list(
        db.session.scalars(
            sa.select(PlanningRun).where(
                PlanningRun.company_id == company_id, PlanningRun.status == RunStatus.RUNNING
            )
        )
    )
    for run in runs:
        run.status = RunStatus.ABANDONED
        run.finished_at = utcnow()
        run.error = "the process stopped before finishing (heartbeat lost)"
    return [r.id for r in runs]


def _prepare(
    r: _Run, rep: User, config: PlanningConfig, facts: planning.CompanyFacts
) -> Prepared | None:
    """Read one rep's work, recording a failure or a day off instead of raising."""
    t0 = time.perf_counter()
    try:
        day_off = facts.calendar.why_off(rep, r.o.plan_date)
        if day_off is not None:
            planning.discard_unstarted_plans(
                user_id=rep.id, first=r.o.plan_date, last=r.o.plan_date
            )
            r.record(rep.id, RepRunStatus.SKIPPED, error=day_off.code)
            r.beat()
            r.checkpoint()
            return None
        return planning.prepare_rep(
            rep=rep, day=r.o.plan_date, config=config, facts=facts, later_days=r.o.later_days
        )
    except PlanningError as exc:
        r.fail(rep.id, str(exc), time.perf_counter() - t0)
    except Exception as exc:
        log.exception("preparing rep %s failed", rep.id)
        r.fail(rep.id, f"{type(exc).__name__}: {exc}", time.perf_counter() - t0)
    finally:
        r.seconds["preparing"] += time.perf_counter() - t0
    return None


def _write(r: _Run, result: RepResult, prepared: Prepared, config: PlanningConfig) -> None:
    """Write one solved rep as its own unit of work, or record its failure."""
    t0 = time.perf_counter()
    r.counts["solver_seconds"] += result.seconds
    rep = db.session.get(User, result.user_id)
    assert rep is not None
    assert r.run is not None
    try:
        if result.error is not None:
            raise PlanningError(result.error)
        out = planning.write_result(
            rep=rep, prepared=prepared, result=result, config=config, run_id=r.run.id
        )
        r.record(
            rep.id,
            RepRunStatus.KEPT if out.kept else RepRunStatus.PLANNED,
            seconds=result.seconds,
            stops=out.stops,
            dropped=out.dropped,
        )
        r.counts["stops"] += out.stops
        r.counts["dropped"] += out.dropped
        r.counts["drafts"] += out.drafts
        r.beat()
        r.checkpoint()
    except lock.LockLost:
        raise
    except Exception as exc:
        log.exception("writing rep %s failed", rep.id)
        r.fail(rep.id, str(exc), result.seconds)
    finally:
        r.seconds["writing"] += time.perf_counter() - t0


def _drain(
    r: _Run,
    executor: Executor,
    prepared: dict[int, Prepared],
    config: PlanningConfig,
    *,
    block: bool,
) -> None:
    """Write every result the executor has ready."""
    for result in executor.collect(block=block):
        assert isinstance(result, RepResult)
        _write(r, result, prepared.pop(result.user_id), config)


def _store_calendar(r: _Run, job: visit_calendars.CalendarJob, result: CalendarResult) -> None:
    """Store one rep's new calendar as its own unit of work; a failure is counted, not fatal.

    The rep is still planned: on the calendar in force if there is one, else by score.
    """
    t0 = time.perf_counter()
    try:
        visit_calendars.store(job, result)
        r.counts["calendars_computed"] += 1
        r.beat()
        r.checkpoint()
    except lock.LockLost:
        raise
    except Exception as exc:
        log.warning("storing rep %s's calendar failed: %s", job.user_id, exc)
        if not r.o.dry_run:
            db.session.rollback()
        r.counts["calendars_failed"] += 1
    finally:
        r.seconds["calendars"] += time.perf_counter() - t0


def _compute_calendars(r: _Run, config: PlanningConfig, executor: Executor) -> None:
    """In ``calendar`` mode, recompute the calendars that are stale or missing, fanned out.

    A calendar is recomputed only when its portfolio, the rep's week or the delivery rules
    changed since (``app/services/calendar_triggers.py``), or when none exists yet; every
    other night reads the stored ones. The executor solves them like the reps' days, in
    parallel; each is stored as it comes back.
    """
    r.counts["calendars_computed"] = r.counts["calendars_failed"] = 0
    if config.nightly_mode != "calendar":
        return
    t0 = time.perf_counter()
    reps = planning.planned_reps(company_id=r.o.company_id, rep_ids=r.o.rep_ids)
    todo = visit_calendars.reps_to_compute(
        company_id=r.o.company_id, rep_ids=[rep.id for rep in reps]
    )
    view = company_settings.get(company_id=r.o.company_id)
    jobs: dict[int, visit_calendars.CalendarJob] = {}
    for rep_id in todo:
        rep = db.session.get(User, rep_id)
        assert rep is not None
        try:
            job = visit_calendars.prepare(
                rep=rep, trigger=visit_calendars.pending_trigger(rep_id=rep_id), settings=view
            )
        except PlanningError:
            continue  # the rep cannot be routed either: the planning phase records why
        except Exception:
            log.exception("preparing rep %s's calendar failed", rep_id)
            r.counts["calendars_failed"] += 1
            continue
        jobs[rep_id] = job
        r.end_read()
        executor.submit(job.work)
    r.seconds["calendars"] += time.perf_counter() - t0
    while jobs:
        for result in executor.collect(block=True):
            assert isinstance(result, CalendarResult)
            _store_calendar(r, jobs.pop(result.user_id), result)
        if not executor.pending:
            break


def _plan_reps(r: _Run, config: PlanningConfig, executor: Executor) -> None:
    """Prepare each rep, send it to the executor, write results as they come back."""
    reps = planning.planned_reps(company_id=r.o.company_id, rep_ids=r.o.rep_ids)
    rep_ids = [rep.id for rep in reps]
    r.counts["reps_total"] = len(rep_ids)
    t0 = time.perf_counter()
    facts = planning.company_facts(
        company_id=r.o.company_id, day=r.o.plan_date, nightly_mode=config.nightly_mode
    )
    r.seconds["preparing"] += time.perf_counter() - t0
    prepared: dict[int, Prepared] = {}
    for rep_id in rep_ids:
        rep = db.session.get(User, rep_id)
        assert rep is not None
        work = _prepare(r, rep, config, facts)
        if work is not None:
            prepared[rep_id] = work
            r.end_read()
            executor.submit(work.work)
        _drain(r, executor, prepared, config, block=False)
    while executor.pending:
        _drain(r, executor, prepared, config, block=True)
    _drain(r, executor, prepared, config, block=False)
    spent = time.perf_counter() - t0
    r.seconds["solving"] = max(0.0, spent - r.seconds["preparing"] - r.seconds["writing"])


def _rank_telesales(r: _Run) -> None:
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
    r = _Run(options)
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
    r = _Run(options)
    r.start(config)
    executor = options.executor or make_executor("inline")
    t0 = time.perf_counter()
    try:
        r.score()
        _compute_calendars(r, config, executor)
        _plan_reps(r, config, executor)
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
