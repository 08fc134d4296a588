"""One execution of the pipeline: its options, the lock, the run record, its units of work.

Every step of a run goes through :class:`Run`: it commits each unit of work
(:func:`app.transactions.checkpoint`), keeps the lock's heartbeat fresh and writes each rep's
line of the run record; a dry run keeps everything in one transaction and rolls it back.
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
from app.jobs.executors import Executor
from app.jobs.lock import planning_lock_name
from app.models import PlanningRun, PlanningRunRep, RepRunStatus, RunStatus, RunTrigger, utcnow
from app.services.routing import PlanningConfig
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


class Run:
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
            "statistics": 0.0,
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
        if self.counts.get("customers_scored"):
            self.refresh_statistics(("score_snapshots",))

    def refresh_statistics(self, tables: tuple[str, ...]) -> None:
        """Refresh the planner's statistics of tables this run just wrote a day into.

        Every night adds a new date that the planner's statistics do not know yet, and
        tonight's plans, the dashboards and the portfolio all read exactly that date. Until
        autovacuum re-analyses (after 10 % of a table changes: nine nights of one day in a
        90-day window) PostgreSQL estimates one row for it and reads the whole company's day
        to find a team's 2,000 snapshots: 5.8 s instead of 0.3 s for a team's dashboard at
        200,000 customers (docs/benchmarks.md, "Growth"). ANALYZE samples a fixed number of
        rows, so its cost stays flat as the table grows. A failure is recorded, not raised:
        stale statistics slow the readers down but lose nothing.
        """
        if self.o.dry_run:
            return
        from app.services import db_maintenance

        t0 = time.perf_counter()
        try:
            db_maintenance.analyze(db.session(), tables)
            self.checkpoint()
        except lock.LockLost:
            raise
        except Exception as exc:
            log.exception("refreshing statistics of %s failed", ", ".join(tables))
            db.session.rollback()
            self.counts["statistics_error"] = f"{type(exc).__name__}: {exc}"[:500]
        self.seconds["statistics"] += time.perf_counter() - t0

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
        if moved:
            self.refresh_statistics(("score_history",))

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
