"""The visit calendars a run recomputes first (``calendar`` mode), fanned out like the reps."""

from __future__ import annotations

import logging
import time

from app.extensions import db
from app.jobs import lock
from app.jobs.executors import Executor
from app.jobs.pipeline.run import Run
from app.jobs.work import CalendarResult
from app.models import User
from app.services import company_settings, planning, visit_calendars
from app.services.routing import PlanningConfig, PlanningError

log = logging.getLogger(__name__)


def _store_calendar(r: Run, job: visit_calendars.CalendarJob, result: CalendarResult) -> None:
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


def compute_calendars(r: Run, config: PlanningConfig, executor: Executor) -> None:
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
