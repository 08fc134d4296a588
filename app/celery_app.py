"""Celery on Redis for scaling the nightly planning out over several machines.

Workers need no database: a task receives one rep's pure
:class:`~app.jobs.work.RepWork` and returns its :class:`~app.jobs.work.RepResult`.
Both travel as JSON through :mod:`app.jobs.codec`, which rebuilds only our own dataclasses
(never pickle: whoever can write to the queue must not be able to run code on a worker).
Start a worker with
``flask jobs worker`` (or ``celery -A app.celery_app worker``).
"""

from __future__ import annotations

import os

from celery import Celery

from app.jobs import codec
from app.jobs.work import (
    CalendarResult,
    CalendarWork,
    RepResult,
    RepWork,
    solve,
    solve_calendar_work,
)


def make_celery(broker_url: str | None = None) -> Celery:
    """Build the Celery app on the broker (and result backend) at ``broker_url``."""
    codec.register()
    url = broker_url or os.environ.get("ROTEIRO_CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
    celery = Celery("roteiro", broker=url, backend=url, set_as_current=False)
    celery.conf.update(
        task_serializer=codec.NAME,
        result_serializer=codec.NAME,
        accept_content=[codec.NAME],
        result_accept_content=[codec.NAME],
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        task_reject_on_worker_lost=True,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    celery.task(name="roteiro.solve_rep")(solve_rep)
    celery.task(name="roteiro.solve_calendar")(solve_calendar)
    return celery


def solve_rep(work: RepWork) -> RepResult:
    """Solve one rep (the task body; the same function the local pool runs)."""
    return solve(work)


def solve_calendar(work: CalendarWork) -> CalendarResult:
    """Compute one rep's visit calendar (the task body; the same the local pool runs)."""
    return solve_calendar_work(work)


app = make_celery()
