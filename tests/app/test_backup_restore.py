"""Restore drill: back up, change and delete data, restore, and the data is back
(both databases)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Role, ScoreHistory
from app.services import backup as backups
from tests.conftest import PG_OK, PG_WHY, build_app, make_database, migrate_up
from tests.factories import make_company, make_customer, make_user


def _names(company_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Customer.trade_name)
            .where(Customer.company_id == company_id)
            .order_by(Customer.id)
        )
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def drill_app(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A migrated database of its own (the drill commits for real and replaces it whole)."""
    if request.param == "postgresql":
        if not PG_OK:
            pytest.skip(f"PostgreSQL skipped: {PG_WHY}")
        if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
            pytest.skip("pg_dump/pg_restore not installed")
    url, drop = make_database(request.param, tmp_path, "drill")
    application = build_app(url)
    migrate_up(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()  # type: ignore[operator]


def test_restore_drill_brings_back_changed_and_deleted_data(drill_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Tests `flask backup`, then edits and deletes, then `flask restore`: the data is back."""
    runner = drill_app.test_cli_runner()
    with drill_app.app_context():
        company = make_company()
        rep = make_user(company, Role.REP)
        for name in ("Bar do Zé", "Mercadinho Sol", "Padaria Lua"):
            make_customer(company, rep, trade_name=name)
        db.session.commit()
        company_id = company.id
        before = _names(company_id)
        db.session.remove()

    target = tmp_path / "copias" / "antes.bak"
    out = runner.invoke(args=["backup", "--output", str(target)])
    assert out.exit_code == 0, out.output
    assert target.stat().st_size > 0
    assert str(target) in out.output

    with drill_app.app_context():
        first = db.session.scalar(sa.select(Customer).where(Customer.company_id == company_id))
        assert first is not None
        first.trade_name = "Nome trocado"
        db.session.execute(
            sa.delete(Customer).where(
                Customer.company_id == company_id, Customer.trade_name == "Padaria Lua"
            )
        )
        db.session.commit()
        assert _names(company_id) != before
        db.session.remove()

    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code != 0
    with drill_app.app_context():
        assert _names(company_id) != before  # nothing restored without the confirmation
        db.session.remove()

    done = runner.invoke(args=["restore", str(target), "--yes"])
    assert done.exit_code == 0, done.output
    with drill_app.app_context():
        assert _names(company_id) == before
        # The restored copy is at the code's schema: every table is there and usable.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ScoreHistory)) == 0
        make_customer(db.session.get(type(company), company_id), None, trade_name="Depois")
        db.session.commit()
        assert _names(company_id)[-1] == "Depois"


def test_restore_refuses_a_file_that_is_not_a_backup(drill_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Tests that a wrong file is refused before the database is touched."""
    runner = drill_app.test_cli_runner()
    with drill_app.app_context():
        company = make_company()
        db.session.commit()
        company_id = company.id
        db.session.remove()
    junk = tmp_path / "lixo.bak"
    junk.write_bytes(b"not a backup at all" * 100)
    out = runner.invoke(args=["restore", str(junk), "--yes"])
    assert out.exit_code != 0
    assert "Error" in out.output
    with drill_app.app_context():
        assert db.session.get(type(company), company_id) is not None


def test_default_backup_names_and_backends() -> None:
    """Tests the timestamped default file name and that only our two databases are accepted."""
    from datetime import UTC, datetime

    when = datetime(2026, 11, 28, 3, 4, 5, tzinfo=UTC)
    assert backups.default_path(Path("/b"), "sqlite", when) == Path(
        "/b/roteiro-20261128-030405.sqlite3"
    )
    assert backups.default_path(Path("/b"), "postgresql", when).suffix == ".dump"
    with pytest.raises(backups.BackupError, match="unsupported"):
        backups.backend_of("mysql://x@localhost/db")
