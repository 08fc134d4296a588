"""Engine tuning per database: SQLite gets real transactions, savepoints, foreign keys, WAL,
a busy timeout, and its write lock taken when a writing transaction begins.

Why the write lock is taken early: pysqlite's default (and SQLAlchemy's `BEGIN`) is a
*deferred* transaction, which reads on a snapshot and asks for the write lock only at its
first write. In WAL mode that upgrade cannot wait: when another connection has written
since the snapshot, SQLite answers "database is locked" at once, whatever the busy
timeout. A transaction that will write therefore starts with ``BEGIN IMMEDIATE``: it
queues for the lock (up to the busy timeout) *before* reading, so what it reads is what it
writes over. Reads stay deferred, so GET requests never wait for a writer (WAL readers do
not block, and are not blocked).

Writers of one process queue on a lock of their own before asking SQLite (:class:`_WriterGate`):
SQLite's busy handler polls with sleeps of up to 100 ms, so a crowd of threads of one
gunicorn worker polling for the lock hands it over slowly and unfairly, while a thread lock
wakes the next writer as soon as the last one commits. Between processes the busy timeout
still arbitrates; both waits together stay within the one busy timeout.

Who writes is declared, not guessed: every request whose method is not safe (POST, PUT,
PATCH, DELETE), and every block run under :func:`writing` (jobs such as the planning
run). PostgreSQL needs none of this (row locks and MVCC); the flag is simply ignored.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, request

from app.extensions import db

# Milliseconds a SQLite writer queues for the lock before giving up ("database is locked",
# answered 503 + Retry-After); the SQLITE_BUSY_TIMEOUT_MS setting overrides it.
BUSY_TIMEOUT_MS = 10_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_writing: ContextVar[bool] = ContextVar("roteiro_sqlite_writing", default=False)


@contextmanager
def writing(enabled: bool = True) -> Iterator[None]:
    """Within this block, SQLite transactions begin IMMEDIATE (they will write); with
    ``enabled=False``, deferred again (a long read inside a writing job)."""
    token = _writing.set(enabled)
    try:
        yield
    finally:
        _writing.reset(token)


def begins_immediate() -> bool:
    """Whether a transaction beginning now takes SQLite's write lock at once."""
    return _writing.get()


class _WriterGate:
    """One process's SQLite writers, one at a time: held from BEGIN IMMEDIATE to the end of
    the transaction, released at its commit or rollback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def enter(self, connection: sa.Connection, timeout_s: float) -> None:
        """Wait for this process's previous writer to finish (or raise "database is locked")."""
        me = threading.get_ident()
        if self._owner == me:  # a second connection of one thread: SQLite decides
            return
        if not self._lock.acquire(timeout=timeout_s):
            raise sa.exc.OperationalError(
                "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
            )
        self._owner = me
        connection.info[_GATE_KEY] = True

    def leave(self, connection: sa.Connection) -> None:
        """Let the next writer in (called at the end of a gated transaction)."""
        if connection.info.pop(_GATE_KEY, False):
            self._owner = None
            self._lock.release()


_GATE_KEY = "roteiro_writer_gate"


def _tune_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    """Let SQLAlchemy, not pysqlite, open transactions (needed for SAVEPOINT and for
    BEGIN IMMEDIATE), and turn on foreign keys, WAL and a busy timeout so the scheduler
    and gunicorn workers can share the file."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL is safe with NORMAL: a power cut may lose the last commits, never corrupt.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    gate = _WriterGate()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        if not begins_immediate():
            connection.exec_driver_sql("BEGIN")
            return
        gate.enter(connection, busy_timeout_ms / 1000)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            gate.leave(connection)
            raise

    @sa.event.listens_for(engine, "commit")
    def on_commit(connection: sa.Connection) -> None:
        gate.leave(connection)

    @sa.event.listens_for(engine, "rollback")
    def on_rollback(connection: sa.Connection) -> None:
        gate.leave(connection)


def _mark_writing_requests(app: Flask) -> None:
    """Requests that may write (unsafe methods) take the write lock when they begin."""

    @app.before_request
    def declare_writes() -> None:
        if request.method not in SAFE_METHODS:
            g._writing_token = _writing.set(True)

    @app.teardown_request
    def end_writes(_exc: BaseException | None) -> None:
        token: Token[bool] | None = g.pop("_writing_token", None)
        if token is not None:
            _writing.reset(token)


def register(app: Flask) -> None:
    """Install the per-dialect tuning on the app's engine."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _tune_sqlite(engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
    _mark_writing_requests(app)
