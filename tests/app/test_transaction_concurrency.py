"""Transactions under concurrency: reads never write, SQLite takes its write lock when a writing
transaction begins, and a visit's client UUID is inserted once however requests race.

The races themselves run against a real server in test_concurrency.py; these tests pin the
pieces: which statements a request issues, and how each transaction begins.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_wtf.csrf import CSRFError

from app import db_events
from app.extensions import db
from app.models import ApiToken, Contact, utcnow
from app.rep.schemas import load_visit
from app.security.scope import Scope
from app.services import api_tokens, visits
from tests.factories import make_company, make_customer, make_user, two_teams

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement.strip().upper())

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith(WRITES)]


def test_api_token_use_is_marked_by_writes_at_most_once_per_interval(app, client, db_session):
    """Tests that API GETs never write the token's last_used_at (a GET never writes: see
    test_transactions.py), that the first writing request marks it with one UPDATE, that the
    next writing requests within USE_PRECISION issue no mark, and that a stale mark is
    written again."""
    world = two_teams()
    token, clear = api_tokens.create(user=world["admin"], name="ERP", actor=world["admin"])
    db.session.flush()
    headers = {"Authorization": f"Bearer {clear}"}
    item = {"erp_code": "MARK1", "legal_name": "Loja da marca"}  # re-posted: unchanged, 200

    def post() -> list[str]:
        db.session.expire_all()  # each request reads the token afresh, as a new session does
        with statements(app) as seen:
            answer = client.post("/api/v1/customers", json={"items": [item]}, headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return [s for s in _writes(seen) if "API_TOKENS" in s]

    for _ in range(2):
        with statements(app) as seen:
            assert client.get("/api/v1/customers", headers=headers).status_code == 200
        assert _writes(seen) == []
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is None
    first_marks = post()
    assert [s.split()[0] for s in first_marks] == ["UPDATE"]
    db.session.expire_all()
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    for _ in range(2):
        assert post() == []
    token.last_used_at = utcnow() - api_tokens.USE_PRECISION - timedelta(seconds=1)
    db.session.flush()
    assert len(post()) == 1
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at > first


def test_mark_used_writes_once_for_twin_requests(db_session):
    """Tests that two marks of the same stale token write one row, not two updates."""
    world = two_teams()
    token, _clear = api_tokens.create(user=world["admin"], name="ERP", actor=world["admin"])
    db.session.flush()
    assert api_tokens.use_is_due(token)
    assert api_tokens.mark_used(token) is True
    assert api_tokens.mark_used(token) is False


def test_sqlite_begins_immediate_only_when_writing(app, backend):
    """Tests that a SQLite transaction begins IMMEDIATE under `writing()` and for unsafe
    request methods, and deferred otherwise (GET)."""
    if backend != "sqlite":
        pytest.skip("the BEGIN mode is SQLite's; PostgreSQL has row locks")
    with app.app_context():
        with statements(app) as seen:
            with db.engine.connect() as conn, conn.begin():
                conn.execute(sa.text("select 1"))
            with db_events.writing(), db.engine.connect() as conn, conn.begin():
                conn.execute(sa.text("select 1"))
        journal = db.session.execute(sa.text("PRAGMA journal_mode")).scalar()
        timeout = db.session.execute(sa.text("PRAGMA busy_timeout")).scalar()
        db.session.rollback()
    assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN", "BEGIN IMMEDIATE"]
    assert journal == "wal"
    assert timeout == db_events.BUSY_TIMEOUT_MS
    with app.test_request_context("/api/rep/contacts", method="POST"):
        with pytest.raises(CSRFError):  # the write intent is declared before any check
            app.preprocess_request()
        assert db_events.begins_immediate()
    assert not db_events.begins_immediate()
    with app.test_request_context("/api/rep/today", method="GET"):
        app.preprocess_request()
        assert not db_events.begins_immediate()


def test_contact_insert_ignores_an_existing_uuid(db_session):
    """Tests that the visit upsert inserts by client UUID with ON CONFLICT DO NOTHING: a
    second insert of the same UUID finds the first row (the racing twin's case)."""
    company = make_company()
    rep = make_user(company, with_profile=True)
    customer = make_customer(company, rep)
    scope = Scope.of(rep)
    client_uuid = uuid.uuid4()
    payload = {"client_uuid": str(client_uuid), "customer_id": customer.id, "action": "check_in"}
    visit = load_visit(payload, locale="pt_BR")
    first, created = visits.contact_for(scope, visit, customer, None, visit_day())
    assert created is True
    again, created_again = visits.contact_for(scope, visit, customer, None, visit_day())
    assert created_again is False
    assert again.id == first.id
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Contact).where(Contact.client_uuid == client_uuid)
    )
    assert count == 1


def visit_day():  # type: ignore[no-untyped-def]
    from app.services.clock import local_today

    return local_today()
