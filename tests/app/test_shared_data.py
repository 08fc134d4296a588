"""The module-shared test data of tests/conftest.py (`shared_data`, `savepoint_session`):
built once, and every test starts from exactly that state, whatever the previous test
changed or committed. The tests run in file order: the second checks what the first did."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Company, Customer
from tests.conftest import savepoint_session, shared_data
from tests.factories import make_company, make_customer, make_user

BUILDS: list[str] = []


def _build():
    BUILDS.append(db.engine.dialect.name)
    company = make_company("Compartilhada")
    rep = make_user(company)
    return {"company": company, "customer": make_customer(company, rep), "label": "kept"}


@pytest.fixture(scope="module")
def shared(app):
    with shared_data(app, _build) as data:
        yield data


@pytest.fixture
def db_session(app, shared):
    with savepoint_session(app, shared) as session:
        yield session


def _customers(company_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Customer).where(Customer.company_id == company_id)
    )


def test_a_test_changes_and_commits_the_shared_rows(db_session, shared):
    """Tests that the rows come back in the test's own session, then changes them."""
    world = shared.fresh()
    assert world["label"] == "kept"
    assert world["company"] in db.session
    assert _customers(world["company"].id) == 1
    world["company"].name = "Renomeada"
    db.session.delete(world["customer"])
    make_customer(world["company"], make_user(world["company"]))
    make_customer(world["company"], make_user(world["company"]))
    db.session.commit()  # the code under test may commit: it releases a SAVEPOINT only
    assert _customers(world["company"].id) == 2


def test_the_next_test_starts_from_the_built_state(db_session, shared):
    """Tests that the previous test's changes (committed or not) were rolled back, and that
    the data was built once for the module on this backend."""
    world = shared.fresh()
    assert db.session.get(Company, world["company"].id).name.startswith("Compartilhada")
    assert world["customer"] is not None
    assert _customers(world["company"].id) == 1
    assert BUILDS.count(db.engine.dialect.name) == 1


def test_a_failed_statement_does_not_spoil_the_shared_transaction(db_session, shared):
    """Tests that an error inside a test (rolled back by the session) leaves the data usable."""
    world = shared.fresh()
    nested = db.session.begin_nested()
    db.session.add(Company(name="Slug repetido", slug=world["company"].slug))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    nested.rollback()
    assert _customers(world["company"].id) == 1
