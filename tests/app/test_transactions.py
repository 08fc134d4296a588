"""One transaction owner: the request's end, CLI commands and jobs commit; nothing else does.

A GET never writes: every GET route of the app is called as every role while a
SQLAlchemy listener records the statements sent to the database.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, abort

from app.extensions import db
from app.models import JobLock, utcnow
from app.transactions import checkpoint, transactional, unit_of_work
from tests.app.test_authz_matrix import POLICY, PRINCIPAL_KEYS, Caller, world  # noqa: F401
from tests.conftest import build_app, make_database, migrate_up

APP_DIR = Path(__file__).resolve().parents[2] / "app"
WRITES = ("insert", "update", "delete", "merge", "replace")


def _commit_calls(path: Path) -> list[int]:
    """Return the lines of a module that call something's ``commit()``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def test_only_the_transaction_owner_commits() -> None:
    """Tests that no module under app/ but app/transactions.py calls commit()."""
    found = {
        str(path.relative_to(APP_DIR.parent)): lines
        for path in sorted(APP_DIR.rglob("*.py"))
        if path.name != "transactions.py" or path.parent != APP_DIR
        if (lines := _commit_calls(path))
    }
    assert found == {}, "commit through app/transactions.py (request end, unit_of_work)"


class Statements:
    """Records the SQL statements an engine executes while switched on."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.seen: list[str] = []
        self.on = False
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if self.on:
            self.seen.append(" ".join(statement.split()))

    def writes(self) -> list[str]:
        """Return the statements recorded that change data."""
        return [s for s in self.seen if s.lower().startswith(WRITES)]

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)


def test_no_get_route_writes_for_any_role(app: Flask, client, world) -> None:  # noqa: F811
    """Tests every GET route of the app as anonymous and as every role: no INSERT, UPDATE
    or DELETE reaches the database."""
    names = {"anonymous": None, **PRINCIPAL_KEYS, "rep1": "rep1", "sup1": "sup1"}
    names.update({"admin": "admin", "tel1": "tel1"})
    callers = {who: Caller(app, world[key] if key else None) for who, key in names.items()}
    gets = {e: r for e, r in POLICY.items() if r.method == "GET"}
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())
    }
    assert endpoints <= set(gets), "every GET endpoint is called (classify new ones in POLICY)"
    with app.app_context():
        recorder = Statements(db.engine)
    failures = []
    try:
        for endpoint, rule in sorted(gets.items()):
            for who, caller in callers.items():
                recorder.seen.clear()
                recorder.on = True
                try:
                    status, _location = caller.call(rule, world)
                finally:
                    recorder.on = False
                assert status < 500, f"{endpoint} as {who}: {status}"
                if recorder.writes():
                    failures.append(f"{endpoint} as {who}: {recorder.writes()}")
    finally:
        recorder.close()
    assert failures == [], "\n".join(failures)


# --------------------------------------------------------------------------- on committed data


@pytest.fixture
def committed(backend: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own migrated database whose data is really committed, with test routes."""
    url, drop = make_database(backend, tmp_path, "tx")
    app = build_app(url)
    migrate_up(app)

    def add(name: str) -> None:
        now = utcnow()
        db.session.add(JobLock(name=name, holder="t", acquired_at=now, expires_at=now))
        db.session.flush()

    @app.route("/t/ok", methods=["POST"])
    def ok() -> str:
        add("ok")
        return "ok"

    @app.route("/t/refused", methods=["POST"])
    def refused() -> tuple[str, int]:
        add("refused")
        return "no", 422

    @app.route("/t/aborted", methods=["POST"])
    def aborted() -> str:
        add("aborted")
        abort(409)

    @app.route("/t/boom", methods=["POST"])
    def boom() -> str:
        add("boom")
        raise RuntimeError("boom")

    @app.route("/t/read", methods=["GET"])
    def read() -> str:
        add("read")
        return "read"

    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()  # type: ignore[operator]


def _locks(app: Flask) -> set[str]:
    with app.app_context():
        names = set(db.session.scalars(sa.select(JobLock.name)))
        db.session.remove()
    return names


def test_request_end_commits_only_successful_writing_requests(committed: Flask) -> None:
    """Tests that a successful POST is committed, while a refused or aborted POST, a POST
    that raised and a GET leave nothing behind."""
    committed.config["WTF_CSRF_ENABLED"] = False
    committed.config["PROPAGATE_EXCEPTIONS"] = False
    client = committed.test_client()
    assert client.post("/t/ok").status_code == 200
    assert client.post("/t/refused").status_code == 422
    assert client.post("/t/aborted").status_code == 409
    assert client.post("/t/boom").status_code == 500
    assert client.get("/t/read").status_code == 200
    assert _locks(committed) == {"ok"}


def test_units_of_work_commit_at_their_end_and_roll_back_on_error(committed: Flask) -> None:
    """Tests the CLI/job side: a transactional function commits once at its end, a failing
    one leaves nothing, and a checkpoint keeps what came before a later failure."""
    now = utcnow()

    def lock(name: str) -> JobLock:
        return JobLock(name=name, holder="t", acquired_at=now, expires_at=now + timedelta(1))

    @transactional
    def job(fail: bool) -> None:
        db.session.add(lock("job-fail" if fail else "job"))
        db.session.flush()
        if fail:
            raise RuntimeError("job failed")

    with committed.app_context():
        job(False)
        with pytest.raises(RuntimeError):
            job(True)

        def two_units() -> None:
            with unit_of_work():
                db.session.add(lock("kept"))
                checkpoint()
                db.session.add(lock("lost"))
                db.session.flush()
                raise RuntimeError("second unit fails")

        with pytest.raises(RuntimeError):
            two_units()
        db.session.remove()
    assert _locks(committed) == {"job", "kept"}
