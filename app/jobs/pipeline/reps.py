"""Planning every rep of a run: prepare each one, solve on the executor, write each result.

Each rep is its own unit of work: one rep's failure is recorded on its line of the run
and the others go on.
"""

from __future__ import annotations

import logging
import time

from app.extensions import db
from app.jobs import lock
from app.jobs.executors import Executor
from app.jobs.pipeline.run import Run
from app.jobs.work import RepResult
from app.models import RepRunStatus, User
from app.services import planning
from app.services.planning.prepare import Prepared
from app.services.routing import PlanningConfig, PlanningError

log = logging.getLogger(__name__)


def _prepare(
    r: Run, rep: User, config: PlanningConfig, facts: planning.CompanyFacts
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


def _write(r: Run, result: RepResult, prepared: Prepared, config: PlanningConfig) -> None:
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
    r: Run,
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


def plan_reps(r: Run, config: PlanningConfig, executor: Executor) -> None:
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
