"""The nightly planning pipeline of one company: score, plan every rep, rank telesales, record.

This is a job's unit of work, so unlike other services it owns its transactions: the lock,
the run record and each rep's plans are committed separately, so a run killed halfway
leaves every rep with either its old plans or its new ones, never half of each, and the
next run finds the dead run (its lock is stale), marks it ABANDONED and redoes the date.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.jobs import lock
from app.jobs.executors import Executor, make_executor
from app.jobs.work import RepResult
from app.models import (
    Channel,
    Customer,
    PlanningRun,
    PlanningRunRep,
    Role,
    RunStatus,
    ScoreSnapshot,
    User,
    utcnow,
)
from app.services import planning, routing
from app.services.planning import Prepared
from app.services.routing import PlanningConfig, PlanningError

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=10)
Progress = Callable[[int, int, int, str], None]  # done, total, rep id, status


@dataclass
class RunOptions:
    """What to run: which company and date, with which executor, and how."""

    company_id: int
    plan_date: date
    trigger: str = "schedule"
    rep_ids: Collection[int] | None = None
    dry_run: bool = False
    score: bool = True
    executor: Executor | None = None
    triggered_by_id: int | None = None
    ttl: timedelta = DEFAULT_TTL
    progress: Progress | None = None
    osrm_url: str | None = None


@dataclass
class RunSummary:
    """What a run did (also returned by dry runs, which write nothing)."""

    run_id: int | None
    status: RunStatus
    plan_date: date
    counts: dict[str, Any]
    reps: list[dict[str, Any]] = field(default_factory=list)
    abandoned: list[int] = field(default_factory=list)


def lock_name(company_id: int) -> str:
    """Return the company's planning lock name."""
    return f"planning:company:{company_id}"


class _Run:
    """One execution: the lock, the run row, the clock and the per-rep bookkeeping."""

    def __init__(self, options: RunOptions) -> None:
        self.o = options
        self.holder = lock.new_holder()
        self.name = lock_name(options.company_id)
        self.seconds: dict[str, float] = {"scoring": 0.0, "preparing": 0.0, "solving": 0.0, "writing": 0.0}
        self.counts: dict[str, Any] = {
            "reps_total": 0, "reps_planned": 0, "reps_kept": 0, "reps_failed": 0, "reps_skipped": 0,
            "stops": 0, "dropped": 0, "drafts": 0, "customers_scored": 0, "solver_seconds": 0.0,
        }
        self.run: PlanningRun | None = None
        self.rows: dict[int, PlanningRunRep] = {}
        self.abandoned: list[int] = []
        self.done = 0
        self.savepoint: Any = None

    # -- transactions ----------------------------------------------------------------

    def commit(self) -> None:
        """Commit one step (a dry run keeps everything in one transaction, rolled back)."""
        if self.o.dry_run:
            db.session.flush()
        else:
            db.session.commit()

    def beat(self) -> None:
        """Keep the lock and the run's heartbeat fresh (before each commit)."""
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
            db.session.commit()
        self.run = PlanningRun(
            company_id=self.o.company_id,
            plan_date=self.o.plan_date,
            trigger=self.o.trigger,
            status=RunStatus.RUNNING,
            settings_version=config.settings_version,
            heartbeat_at=utcnow(),
            triggered_by_id=self.o.triggered_by_id,
            counts={},
        )
        db.session.add(self.run)
        self.commit()

    def score(self) -> None:
        """Snapshot every customer's score for the date."""
        if not self.o.score:
            return
        from app.services import scoring

        t0 = time.perf_counter()
        try:
            result = scoring.score_company(session=db.session, company_id=self.o.company_id, day=self.o.plan_date)
            self.counts["customers_scored"] = result.customers
        except Exception as exc:  # plan on the latest snapshots rather than not at all
            log.exception("scoring failed; planning on the latest snapshots")
            if not self.o.dry_run:
                db.session.rollback()
            self.counts["scoring_error"] = f"{type(exc).__name__}: {exc}"[:500]
        self.seconds["scoring"] = time.perf_counter() - t0
        self.beat()
        self.commit()

    def record(self, rep_id: int, status: str, *, seconds: float = 0.0, stops: int = 0, dropped: int = 0, error: str | None = None) -> None:
        """Write the rep's line of the run record."""
        assert self.run is not None
        row = PlanningRunRep(
            run_id=self.run.id, user_id=rep_id, status=status, duration_ms=int(seconds * 1000),
            stops=stops, dropped=dropped, error=error,
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
        self.record(rep_id, "failed", seconds=seconds, error=error[:2000])
        self.beat()
        self.commit()

    def finish(self, status: RunStatus, error: str | None = None) -> RunSummary:
        """Close the run record and release the lock."""
        assert self.run is not None
        self.counts["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        self.run.status = status
        self.run.error = error
        self.run.counts = dict(self.counts)
        self.run.finished_at = utcnow()
        summary = RunSummary(
            self.run.id, status, self.o.plan_date, dict(self.counts),
            [{"user_id": r.user_id, "status": r.status, "stops": r.stops, "dropped": r.dropped, "error": r.error}
             for r in self.rows.values()],
            self.abandoned,
        )
        if self.o.dry_run:
            self.savepoint.rollback()
            return summary
        lock.release(self.name, self.holder)
        db.session.commit()
        return summary


def _abandon_running(company_id: int) -> list[int]:
    """Mark the company's runs still RUNNING as ABANDONED (we hold the lock: they are dead)."""
    runs = list(
        db.session.scalars(
            sa.select(PlanningRun).where(PlanningRun.company_id == company_id, PlanningRun.status == RunStatus.RUNNING)
        )
    )
    for run in runs:
        run.status = RunStatus.ABANDONED
        run.finished_at = utcnow()
        run.error = "the process stopped before finishing (heartbeat lost)"
    return [r.id for r in runs]


def _prepare(r: _Run, rep: User, config: PlanningConfig, facts: planning.CompanyFacts) -> Prepared | None:
    """Read one rep's work, recording a failure or a day off instead of raising."""
    t0 = time.perf_counter()
    try:
        if not planning.rep_works(rep, r.o.plan_date):
            r.record(rep.id, "skipped", error="not_a_working_day")
            r.beat()
            r.commit()
            return None
        return planning.prepare_rep(rep=rep, day=r.o.plan_date, config=config, facts=facts)
    except PlanningError as exc:
        r.fail(rep.id, str(exc), time.perf_counter() - t0)
    except Exception as exc:
        log.exception("preparing rep %s failed", rep.id)
        r.fail(rep.id, f"{type(exc).__name__}: {exc}", time.perf_counter() - t0)
    finally:
        r.seconds["preparing"] += time.perf_counter() - t0
    return None


def _write(r: _Run, result: RepResult, prepared: Prepared, config: PlanningConfig) -> None:
    """Write one solved rep and commit it, or record its failure."""
    t0 = time.perf_counter()
    r.counts["solver_seconds"] += result.seconds
    rep = db.session.get(User, result.user_id)
    assert rep is not None
    assert r.run is not None
    try:
        if result.error is not None:
            raise PlanningError(result.error)
        out = planning.write_result(rep=rep, prepared=prepared, result=result, config=config, run_id=r.run.id)
        r.record(rep.id, "kept" if out.kept else "planned", seconds=result.seconds, stops=out.stops, dropped=out.dropped)
        r.counts["stops"] += out.stops
        r.counts["dropped"] += out.dropped
        r.counts["drafts"] += out.drafts
        r.beat()
        r.commit()
    except lock.LockLost:
        raise
    except Exception as exc:
        log.exception("writing rep %s failed", rep.id)
        r.fail(rep.id, str(exc), result.seconds)
    finally:
        r.seconds["writing"] += time.perf_counter() - t0


def _drain(r: _Run, executor: Executor, prepared: dict[int, Prepared], config: PlanningConfig, *, block: bool) -> None:
    """Write every result the executor has ready."""
    for result in executor.collect(block=block):
        _write(r, result, prepared.pop(result.user_id), config)


def _plan_reps(r: _Run, config: PlanningConfig, executor: Executor) -> None:
    """Prepare each rep, send it to the executor, write results as they come back."""
    reps = planning.planned_reps(company_id=r.o.company_id, rep_ids=r.o.rep_ids)
    rep_ids = [rep.id for rep in reps]
    r.counts["reps_total"] = len(rep_ids)
    t0 = time.perf_counter()
    facts = planning.company_facts(company_id=r.o.company_id, day=r.o.plan_date)
    r.seconds["preparing"] += time.perf_counter() - t0
    prepared: dict[int, Prepared] = {}
    for rep_id in rep_ids:
        rep = db.session.get(User, rep_id)
        assert rep is not None
        work = _prepare(r, rep, config, facts)
        if work is not None:
            prepared[rep_id] = work
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
            sa.and_(ScoreSnapshot.customer_id == Customer.id, ScoreSnapshot.score_date == r.o.plan_date),
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


def run_company(options: RunOptions) -> RunSummary:
    """Run the pipeline for one company and date; raise lock.LockBusy if one is running.

    Re-running a date replaces the plans not started and keeps those a rep has started;
    one rep's failure is recorded on its line and the others go on.
    """
    config = routing.load_config(company_id=options.company_id, osrm_url=options.osrm_url)
    r = _Run(options)
    r.start(config)
    executor = options.executor or make_executor("inline")
    t0 = time.perf_counter()
    try:
        r.score()
        _plan_reps(r, config, executor)
        _rank_telesales(r)
    except lock.LockLost as exc:
        log.error("planning run lost its lock: %s", exc)
        db.session.rollback()
        return RunSummary(r.run.id if r.run else None, RunStatus.ABANDONED, options.plan_date, r.counts)
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
        sa.exists().where(User.company_id == Company.id, User.role == Role.REP, User.active.is_(True))
    )
    return list(db.session.scalars(query.order_by(Company.id)))


# --------------------------------------------------------------------------- reading runs


@dataclass
class RunView:
    """A run as the "Planejamentos" page shows it, with the rep lines the viewer may see."""

    run: PlanningRun
    reps: list[tuple[PlanningRunRep, str]]

    @property
    def duration_s(self) -> float | None:
        """Return how long the run took (None while it runs)."""
        if self.run.finished_at is None:
            return None
        return (self.run.finished_at - self.run.started_at).total_seconds()

    @property
    def failures(self) -> list[tuple[PlanningRunRep, str]]:
        """Return the visible rep lines that failed."""
        return [(row, name) for row, name in self.reps if row.status == "failed"]


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
        .order_by(PlanningRunRep.status != "failed", User.name)
    ).all()
    by_run: dict[int, list[tuple[PlanningRunRep, str]]] = {r.id: [] for r in runs}
    for row, name in rows:
        by_run[row.run_id].append((row, name))
    return [RunView(run, by_run[run.id]) for run in runs]


def is_running(*, company_id: int) -> bool:
    """Tell whether a live run holds the company's lock."""
    found = lock.current(lock_name(company_id))
    return found is not None and not lock.is_stale(*found)
