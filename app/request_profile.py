"""Per-request server-side timings for the load bench; off unless ``ROTEIRO_REQUEST_PROFILE``
names a directory.

Why: on a shared machine the client's wall-clock percentiles measure the machine's load as much
as the app. What load does not distort is measured here, inside each gunicorn worker, per
request: the thread's own CPU time, the SQL statements (count and time spent in the driver),
the wait for a pooled connection, the COMMIT (PostgreSQL's WAL flush), the garbage
collector's pauses while the request ran (and the CPU of the collections its own thread
ran), how many requests the worker was serving at the same time, and, when the client
stamps ``X-Request-Start: t=<unix seconds>``, the time the request waited before the app saw
it (connection, gunicorn's queue, a free thread). ``bench/load.py --profile`` turns it on
and prints the breakdown per endpoint (``bench/server_profile.py``).

Each worker appends one JSON line per request to ``requests-<pid>.jsonl`` in that directory.
Nothing here runs in production or in tests unless the variable is set.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.wsgi import ClosingIterator

from app.extensions import db

_local = threading.local()


class _Collector:
    """The process-wide parts: GC pauses, requests in flight, the output file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lock = threading.Lock()
        self.gc_total_s = 0.0
        self.gc_full = 0
        self._gc_started = (0.0, 0.0)
        # Each full collection: (wall ms, own CPU ms, objects collected); CPU is what load
        # does not inflate.
        self.full_collections: list[tuple[float, float, int]] = []
        # SQL statement text -> [count, total ms, max ms], for the statements table.
        self.statements: dict[str, list[float]] = {}
        self.written = 0
        self.in_flight = 0
        self.serving = False  # set at the first request
        self._file: Any = None
        self._pid = 0

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        """gc.callbacks hook: a collection holds the GIL, so it stalls every thread."""
        if phase == "start":
            self._gc_started = (time.perf_counter(), time.thread_time())
            return
        wall = time.perf_counter() - self._gc_started[0]
        cpu = time.thread_time() - self._gc_started[1]
        self.gc_total_s += wall
        # The collection's own CPU is charged to the request whose thread triggered it.
        _local.gc_cpu_s = getattr(_local, "gc_cpu_s", 0.0) + cpu
        if info.get("generation") == 2 and self.serving:  # not the start-up gc.collect()
            self.gc_full += 1
            self.full_collections.append((wall * 1000, cpu * 1000, int(info.get("collected", 0))))

    def statement(self, text: str, ms: float) -> None:
        with self.lock:
            entry = self.statements.setdefault(text, [0, 0.0, 0.0])
            entry[0] += 1
            entry[1] += ms
            entry[2] = max(entry[2], ms)

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":")) + "\n"
        with self.lock:
            if self._file is None or self._pid != os.getpid():  # opened after gunicorn forks
                self._pid = os.getpid()
                self._file = open(  # noqa: SIM115 (kept open for the worker's life)
                    self.directory / f"requests-{self._pid}.jsonl", "a", buffering=1
                )
            self._file.write(line)
            self.written += 1
            if self.written % 100 == 0:  # gunicorn kills workers: keep the totals on disk
                self._dump()

    def close(self) -> None:
        """Write the totals and close this process's file (a worker's exit, a test's end)."""
        with self.lock:
            if self._file is not None:
                self._dump()
                self._file.close()
                self._file = None

    def _dump(self) -> None:
        totals = {
            "gc": {"full_collections": self.full_collections, "counts": gc.get_count()},
            "gc_frozen": gc.get_freeze_count(),
            "gc_old_objects": len(gc.get_objects(generation=2)),
            "statements": self.statements,
        }
        path = self.directory / f"totals-{self._pid}.json"
        path.write_text(json.dumps(totals))


def _record() -> dict[str, Any] | None:
    return getattr(_local, "record", None)


def _install_sql_hooks(engine: sa.Engine, collector: _Collector) -> None:
    """Count statements and their driver time; time the wait for a pooled connection."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(*_args: Any) -> None:
        _local.sql_started = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        record = _record()
        if record is not None:
            ms = (time.perf_counter() - _local.sql_started) * 1000
            record["sql_n"] += 1
            record["sql_ms"] += ms
            collector.statement(f"{record['endpoint']}: {statement}", ms)

    dialect = engine.dialect
    do_commit = dialect.do_commit

    def timed_commit(dbapi_connection: Any) -> None:
        """COMMIT's round trip: on PostgreSQL it waits for the WAL flush (fsync)."""
        started = time.perf_counter()
        try:
            do_commit(dbapi_connection)
        finally:
            record = _record()
            if record is not None:
                record["commit_ms"] += (time.perf_counter() - started) * 1000

    dialect.do_commit = timed_commit  # type: ignore[method-assign]

    pool = engine.pool

    connect = pool.connect

    def timed_connect() -> Any:
        started = time.perf_counter()
        try:
            return connect()
        finally:
            record = _record()
            if record is not None:
                record["pool_ms"] += (time.perf_counter() - started) * 1000
                record["pool_out"] = max(record["pool_out"], pool.checkedout())  # type: ignore[attr-defined]

    pool.connect = timed_connect  # type: ignore[method-assign]


def _queue_ms(environ: dict[str, Any], now: float) -> float | None:
    stamp = environ.get("HTTP_X_REQUEST_START", "")
    try:
        return max(0.0, (now - float(stamp.removeprefix("t="))) * 1000)
    except ValueError:
        return None


def _wrap(app: Flask, collector: _Collector) -> None:
    inner = app.wsgi_app

    def profiled(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        now = time.time()
        collector.serving = True
        with collector.lock:
            collector.in_flight += 1
            in_flight = collector.in_flight
        record: dict[str, Any] = {
            "t": now,
            "endpoint": environ.get("PATH_INFO", ""),
            "method": environ.get("REQUEST_METHOD", ""),
            "status": 0,
            "queue_ms": _queue_ms(environ, now),
            "in_flight": in_flight,
            "sql_n": 0,
            "sql_ms": 0.0,
            "pool_ms": 0.0,
            "pool_out": 0,
            "commit_ms": 0.0,
        }
        _local.record = record
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        _local.gc_cpu_s = 0.0
        gc0, full0 = collector.gc_total_s, collector.gc_full

        def status_seen(status: str, headers: Any, *rest: Any) -> Any:
            record["status"] = int(status.split()[0])
            return start_response(status, headers, *rest)

        def finish() -> None:
            record["wall_ms"] = (time.perf_counter() - wall0) * 1000
            record["cpu_ms"] = (time.thread_time() - cpu0) * 1000
            record["gc_ms"] = (collector.gc_total_s - gc0) * 1000
            record["gc_cpu_ms"] = _local.gc_cpu_s * 1000
            record["gc_full"] = collector.gc_full - full0
            _local.record = None
            with collector.lock:
                collector.in_flight -= 1
            collector.write(record)

        try:
            body = inner(environ, status_seen)
        except BaseException:
            finish()
            raise
        return ClosingIterator(body, [finish])

    app.wsgi_app = profiled  # type: ignore[method-assign]

    @app.url_value_preprocessor  # runs before every before_request hook (the login's SQL)
    def _name_endpoint(endpoint: str | None, _values: Any) -> None:
        record = _record()
        if record is not None and endpoint:
            record["endpoint"] = endpoint


def register(app: Flask) -> None:
    """Install the hooks when the app is configured with a profile directory."""
    directory = app.config.get("REQUEST_PROFILE_DIR")
    if not directory:
        return
    collector = _Collector(Path(directory))
    collector.directory.mkdir(parents=True, exist_ok=True)
    gc.callbacks.append(collector.on_gc)
    atexit.register(collector.close)
    app.extensions["request_profile"] = collector
    with app.app_context():
        _install_sql_hooks(db.engine, collector)
    _wrap(app, collector)
