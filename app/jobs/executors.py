"""Where reps are solved: in this process, in a local process pool, or on Celery workers.

All three take units of work (:class:`~app.jobs.work.RepWork`, a rep's day; or
:class:`~app.jobs.work.CalendarWork`, a rep's visit calendar) and hand back their results
(:class:`~app.jobs.work.RepResult`, :class:`~app.jobs.work.CalendarResult`) as they complete;
the parent process alone talks to the database and writes the results.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from app.jobs.work import CalendarResult, CalendarWork, RepResult, Result, Work, run


class Executor(Protocol):
    """Submit works, collect results as they complete."""

    name: str
    workers: int

    def submit(self, work: Work) -> None:
        """Start solving one rep."""

    def collect(self, *, block: bool) -> list[Result]:
        """Return the results ready now (waiting for at least one when ``block``)."""

    @property
    def pending(self) -> int:
        """Return how many works are still out."""

    def close(self) -> None:
        """Release processes and connections."""


def _error(work: Work, exc: BaseException) -> Result:
    """Return a failed result for a work whose worker crashed."""
    detail = f"{type(exc).__name__}: {exc}"[:2000]
    if isinstance(work, CalendarWork):
        return CalendarResult(work.user_id, None, 0.0, (), detail)
    return RepResult(work.user_id, None, None, 0.0, detail)


class InlineExecutor:
    """Solve in this process, one rep after the other (tests, one core, dry runs)."""

    name = "inline"
    workers = 1

    def __init__(self) -> None:
        self._done: list[Result] = []

    def submit(self, work: Work) -> None:
        """Solve right away."""
        self._done.append(run(work))

    def collect(self, *, block: bool) -> list[Result]:
        """Return what was solved since the last call."""
        out, self._done = self._done, []
        return out

    @property
    def pending(self) -> int:
        """Nothing is ever out."""
        return 0

    def close(self) -> None:
        """Nothing to release."""


def _watch_parent(parent_pid: int) -> None:
    """Exit this pool worker when the parent dies (a killed run must not leave orphans)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class LocalPoolExecutor:
    """Solve in a pool of local processes (spawned: no inherited database sockets)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_watch_parent,
            initargs=(os.getpid(),),
        )
        self._futures: dict[Future[Result], Work] = {}

    def submit(self, work: Work) -> None:
        """Queue a rep on the pool."""
        self._futures[self._pool.submit(run, work)] = work

    def collect(self, *, block: bool) -> list[Result]:
        """Return finished reps; a crashed worker becomes that rep's error."""
        if not self._futures:
            return []
        done, _ = wait(
            list(self._futures), timeout=None if block else 0, return_when=FIRST_COMPLETED
        )
        out = []
        for future in done:
            work = self._futures.pop(future)
            try:
                out.append(future.result())
            except Exception as exc:
                out.append(_error(work, exc))
        return out

    @property
    def pending(self) -> int:
        """Return reps still in the pool."""
        return len(self._futures)

    def close(self) -> None:
        """Stop the pool's processes."""
        self._pool.shutdown(wait=True, cancel_futures=True)


PEEK = 8  # pending Celery results checked per non-blocking collect


class CeleryExecutor:
    """Send each rep to the ``roteiro.solve_rep`` task on Celery workers (Redis broker)."""

    name = "celery"

    def __init__(self, broker_url: str, *, workers: int = 0, timeout_s: float = 600.0) -> None:
        from app.celery_app import make_celery

        self.workers = workers
        self._celery = make_celery(broker_url)
        self._timeout_s = timeout_s
        self._results: dict[Any, tuple[Work, float]] = {}

    def submit(self, work: Work) -> None:
        """Queue a rep (or a rep's calendar) for the workers."""
        task = "roteiro.solve_calendar" if isinstance(work, CalendarWork) else "roteiro.solve_rep"
        async_result = self._celery.send_task(task, args=(work,))
        self._results[async_result] = (work, time.monotonic())

    def collect(self, *, block: bool) -> list[Result]:
        """Return finished reps: wait on the oldest (pub/sub) when blocking, peek at
        a few otherwise.

        Work is handed out in order, so the oldest results finish first; asking Redis about
        every pending task on every call would cost more than the solving.
        """
        out: list[Result] = []
        if block and self._results:
            oldest = next(iter(self._results))
            # A timeout is not fatal here: _expire below turns it into that rep's error.
            with contextlib.suppress(Exception):
                oldest.get(timeout=self._timeout_s, propagate=False, disable_sync_subtasks=False)
        for async_result in list(self._results)[:PEEK]:
            if async_result.ready():
                out.append(self._take(async_result))
        out.extend(self._expire())
        return out

    def _take(self, async_result: Any) -> Result:
        """Turn a finished task into its result (or the rep's error) and forget it."""
        work, _ = self._results.pop(async_result)
        try:
            result: Result = async_result.get(disable_sync_subtasks=False, propagate=True)
        except Exception as exc:
            result = _error(work, exc)
        async_result.forget()
        return result

    def _expire(self) -> list[Result]:
        """Give up on reps no worker answered in time (no worker running, lost task)."""
        now = time.monotonic()
        late = [r for r, (_, t0) in self._results.items() if now - t0 > self._timeout_s]
        return [
            _error(self._results.pop(r)[0], TimeoutError("no Celery worker answered")) for r in late
        ]

    @property
    def pending(self) -> int:
        """Return reps still out."""
        return len(self._results)

    def close(self) -> None:
        """Close the broker connections."""
        self._celery.close()


def make_executor(
    kind: str | None, *, workers: int | None = None, broker_url: str | None = None
) -> Executor:
    """Pick the executor: Celery when a broker URL is set, else a local pool (inline for 1)."""
    if kind is None:
        kind = "celery" if broker_url else ("inline" if workers == 1 else "local")
    if kind == "celery":
        if not broker_url:
            raise ValueError("the Celery executor needs ROTEIRO_CELERY_BROKER_URL")
        return CeleryExecutor(broker_url, workers=workers or 0)
    if kind == "local":
        return LocalPoolExecutor(workers)
    if kind == "inline":
        return InlineExecutor()
    raise ValueError(f"unknown executor {kind!r}; use inline, local or celery")
