"""The one owner of every transaction: requests, CLI commands and jobs commit here, nowhere else.

Services only ``flush()``. Who commits is structural, as in indico's request handler:

- **Requests**: :func:`register` installs an ``after_request`` hook that commits a request
  whose method may write (POST, PUT, PATCH, DELETE) and whose response is not an error
  (status below 400); any other request's changes are rolled back when the session is
  removed at the end of the app context. GET, HEAD and OPTIONS never commit, so a read can
  never leave a write behind. An exception in a view goes to the 500 handler,
  which rolls back; a commit that fails turns the response into that 500.
- **CLI commands and jobs**: :func:`unit_of_work` (a context manager) and :func:`transactional`
  (the same as a decorator) commit when the block ends normally and roll back when it raises.
  A job that deliberately splits its work into several units (the planning run commits the
  run record and then each rep, so a killed run leaves every rep whole) calls
  :func:`checkpoint` between units.
- **After the commit**: work that must see committed data (refreshing planner statistics
  after a bulk load, which only counts committed rows) is registered with
  :func:`after_commit`; it runs right after the next commit of this session, in a short
  transaction of its own committed here too, and is dropped when the work is rolled back.

A test (``tests/app/test_transactions.py``) fails when ``commit()`` appears anywhere else
under ``app/``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import Flask, request
from werkzeug.wrappers import Response

from app.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
P = ParamSpec("P")
R = TypeVar("R")


def request_may_write() -> bool:
    """Tell whether the current request's method is one that may change data."""
    return request.method not in SAFE_METHODS


_AFTER_COMMIT = "roteiro_after_commit"


def after_commit(fn: Callable[[], object]) -> None:
    """Run ``fn`` right after the current unit of work commits (never if it rolls back)."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(fn)


def _discard_after_commit() -> None:
    db.session.info.pop(_AFTER_COMMIT, None)


def _commit() -> None:
    """Commit, then run the after-commit work, each piece committed on its own."""
    db.session.commit()
    while pending := db.session.info.pop(_AFTER_COMMIT, None):
        for fn in pending:
            fn()
            db.session.commit()


def _finish_request(response: Response) -> Response:
    """Commit a successful writing request; anything else is discarded at teardown.

    Flask-SQLAlchemy removes the session when the app context ends, which rolls back
    whatever was not committed: a GET, a refused POST, a request that raised.
    """
    if request_may_write() and response.status_code < 400:
        _commit()
    else:
        _discard_after_commit()
    return response


def register(app: Flask) -> None:
    """Make the end of each request its transaction's end."""
    app.after_request(_finish_request)


def checkpoint() -> None:
    """Commit the work done so far as one unit (jobs that split their work into units)."""
    _commit()


def end_read() -> None:
    """End a transaction that only read, keeping the objects it loaded usable.

    Nothing was written, so what was read stays true; a job ends such a transaction before
    long work without the database (the planning run's solver) so no snapshot (PostgreSQL)
    or SQLite lock is held meanwhile. A session with pending changes is left alone.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did when it ends normally; roll it back when it raises."""
    try:
        yield
    except BaseException:
        _discard_after_commit()
        db.session.rollback()
        raise
    _commit()


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a CLI command or job function as one unit of work."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return fn(*args, **kwargs)

    return wrapper
