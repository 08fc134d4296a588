"""Planner statistics are refreshed after bulk loads, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role
from app.services import db_maintenance
from tests.factories import make_company, make_user
from tests.support.imports import CUSTOMER_HEADER, csv_bytes, customer_rows


def _stats_rows(table: str) -> float | None:
    """What the planner believes the table holds: None when never analysed."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        tuples = db.session.scalar(
            sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
        )
        return None if tuples is None or tuples < 0 else float(tuples)
    exists = db.session.scalar(
        sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    )
    if not exists:
        return None
    stat = db.session.scalar(
        sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t AND idx IS NULL"), {"t": table}
    ) or db.session.scalar(
        sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = :t LIMIT 1"), {"t": table}
    )
    return None if stat is None else float(str(stat).split()[0])


def _forget(table: str) -> None:
    """Drop SQLite's statistics of a table (PostgreSQL's cannot be dropped: the count moves)."""
    if db.session.connection().dialect.name == "sqlite":
        exists = db.session.scalar(
            sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        )
        if exists:
            db.session.execute(sa.text("DELETE FROM sqlite_stat1 WHERE tbl = :t"), {"t": table})


def _count(table: str) -> int:
    return int(db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)


def test_analyze_refreshes_the_statistics_of_the_tables_given(db_session: object) -> None:
    """Tests that after analyze the planner's row count is the table's real one."""
    company = make_company()
    for _ in range(7):
        make_user(company, Role.REP)
    db.session.flush()
    _forget("users")
    assert db_maintenance.analyze(db.session, ["users"]) == ["users"]
    assert _stats_rows("users") == _count("users")


def test_analyze_refuses_a_table_that_is_not_ours(db_session: object) -> None:
    """Tests that only model tables reach the SQL (their names are spliced into it)."""
    with pytest.raises(ValueError, match="not a Roteiro table"):
        db_maintenance.analyze(db.session, ["users; DROP TABLE users"])


def test_every_import_kind_names_tables_we_have() -> None:
    """Tests the import kinds' table lists against the models."""
    from app.services.imports import KINDS

    assert set(db_maintenance.IMPORT_TABLES) == set(KINDS)
    for tables in db_maintenance.IMPORT_TABLES.values():
        assert db_maintenance._known(tables) == list(tables)


def test_an_import_analyses_what_it_loaded(db_session: object, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Tests that `flask import customers` leaves statistics that count the imported rows."""
    company = make_company()
    make_user(company, Role.REP, erp_code="R010", email="rep.analyse@teste.roteiro.app")
    db.session.flush()
    _forget("customers")
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(CUSTOMER_HEADER, customer_rows(3)))
    out = runner.invoke(args=["import", "customers", str(path), "--company", company.slug])
    assert out.exit_code == 0, out.output
    assert _stats_rows("customers") == _count("customers")
