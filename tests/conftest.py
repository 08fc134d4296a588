"""Shared fixtures: the app on SQLite and PostgreSQL, a rolled-back session per test,
a live HTTP server and a real browser.

Every test that asks for `app` (directly or through `db_session`, `client`...) runs
once per database backend. PostgreSQL runs when ROTEIRO_TEST_POSTGRES_URL points at a
server (the Makefile sets it); with ROTEIRO_REQUIRE_POSTGRES=1 an unreachable server
fails the run instead of skipping it.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.globals import app_ctx
from flask.testing import FlaskClient
from sqlalchemy.orm import InstanceState, Session, scoped_session, sessionmaker

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.services.clock import DEFAULT_TZ
from tests.support import session_clock

PG_URL = os.environ.get("ROTEIRO_TEST_POSTGRES_URL", "")
REQUIRE_PG = os.environ.get("ROTEIRO_REQUIRE_POSTGRES") == "1"


def _postgres_available() -> tuple[bool, str]:
    if not PG_URL:
        return False, "ROTEIRO_TEST_POSTGRES_URL is not set"
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # any driver error means "not reachable"
        return False, f"PostgreSQL at {PG_URL} is not reachable: {exc}"
    return True, ""


PG_OK, PG_WHY = _postgres_available()


def pytest_report_header(config: pytest.Config) -> list[str]:
    clock = session_clock.current()
    when = f"session clock: from {clock.start.astimezone(DEFAULT_TZ).isoformat()}"
    lines = [f"{when} (real clock +{clock.offset_s:.0f} s)"]
    if PG_OK:
        return [*lines, f"databases: sqlite, postgresql ({PG_URL})"]
    return [*lines, f"databases: sqlite only — PostgreSQL SKIPPED: {PG_WHY}"]


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_PG and not PG_OK:
        raise pytest.UsageError(f"PostgreSQL is required (ROTEIRO_REQUIRE_POSTGRES=1): {PG_WHY}")
    try:
        session_clock.start_session_clock()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from exc


BACKENDS = ["sqlite", "postgresql"]


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def make_database(backend: str, tmp_dir: Path, label: str) -> tuple[str, object]:
    """Create an empty isolated database; return its URL and a drop callback."""
    if backend == "sqlite":
        path = tmp_dir / f"{label}.sqlite3"
        return f"sqlite:///{path}", lambda: None
    schema = f"rt_{label}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return _pg_schema_url(schema), drop


def build_app(url: str, **overrides: object) -> Flask:
    """An app on the given database, with TestConfig and optional overrides."""
    attrs = {"SQLALCHEMY_DATABASE_URI": url, **overrides}
    config = type("IsolatedTestConfig", (TestConfig,), attrs)
    return create_app(config)


def migrate_up(app: Flask) -> None:
    """Build the schema through the real Alembic migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend a test runs on."""
    if request.param == "postgresql" and not PG_OK:
        pytest.skip(f"PostgreSQL skipped: {PG_WHY}")
    return str(request.param)


@pytest.fixture(scope="session")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on a freshly migrated, isolated database."""
    url, drop = make_database(backend, tmp_path_factory.mktemp("db"), "unit")
    application = build_app(url)
    migrate_up(application)
    yield application
    with application.app_context():
        db.engine.dispose()
    drop()  # type: ignore[operator]


def _current_app_context() -> int:
    """The scope of a test session: the app context it is used in (one per request)."""
    return id(app_ctx._get_current_object())


@contextmanager
def _session_on(connection: sa.Connection) -> Iterator[Session]:
    """Point `db.session` at a session on ``connection`` for the block, then restore it.

    A plain Session: Flask-SQLAlchemy's own get_bind() would ignore `bind` and pick the
    engine, escaping the outer transaction. Scoped per app context like Flask-SQLAlchemy's,
    so each request gets its own session. It joins the connection's transaction through a
    SAVEPOINT, so a `commit()` in the code under test never reaches the database.
    """
    original = db.session
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    db.session = scoped_session(factory, scopefunc=_current_app_context)  # type: ignore[method-assign]
    try:
        yield db.session  # type: ignore[misc]
    finally:
        db.session.remove()
        db.session = original  # type: ignore[method-assign]


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        try:
            with _session_on(connection) as session:
                yield session
        finally:
            outer.rollback()
            connection.close()


T = TypeVar("T")


@dataclass
class SharedData(Generic[T]):
    """Data built once for a test module, in a transaction every test of it starts from.

    ``built`` is what the build function returned. ORM rows in it belong to the build's
    session; `fresh()` gives each test the same rows loaded in its own session.
    """

    connection: sa.Connection
    built: T

    def fresh(self) -> T:
        """``built`` with every ORM row (also inside a dict) re-read in the current session."""

        def reload(value: Any) -> Any:
            state = sa.inspect(value, raiseerr=False)
            if isinstance(state, InstanceState):
                return db.session.get(type(value), state.identity)
            if isinstance(value, dict):
                return {k: reload(v) for k, v in value.items()}
            return value

        return reload(self.built)  # type: ignore[no-any-return]


@contextmanager
def shared_data(app: Flask, build: Callable[[], T]) -> Iterator[SharedData[T]]:
    """Run ``build`` once in an outer transaction kept open for the block (a module-scoped
    fixture), rolled back at its end; tests join it through `savepoint_session`.

    For costly data that tests read or change but never need fresh from scratch (a demo load,
    solved calendars): each test's changes are undone by its own SAVEPOINT, so every test
    still starts from exactly the state ``build`` left.
    """
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    try:
        with app.app_context(), _session_on(connection):
            built = build()
            # releases the session's SAVEPOINT into the outer transaction (closing the
            # session would roll it back); the outer transaction is never committed
            db.session.commit()
        yield SharedData(connection, built)
    finally:
        outer.rollback()
        connection.close()


@contextmanager
def savepoint_session(app: Flask, shared: SharedData[Any]) -> Iterator[Session]:
    """A test's session on the module's shared data: a SAVEPOINT rolled back after the test
    (the replacement of `db_session` in a module that uses `shared_data`)."""
    with app.app_context():
        test_transaction = shared.connection.begin_nested()
        try:
            with _session_on(shared.connection) as session:
                yield session
        finally:
            if test_transaction.is_active:
                test_transaction.rollback()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in
    production (fresh `g`, fresh session), even while the test holds one.

    Flask reuses an app context that is already pushed; the request therefore runs in an
    empty `contextvars.Context`, where no context is pushed, and Flask pushes its own (as a
    worker thread serving the request would). The test's context is left untouched.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    """A test client whose requests see (and roll back with) the test's data."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db_session: Session):  # type: ignore[no-untyped-def]
    """A CLI runner on the test's session."""
    return app.test_cli_runner()
