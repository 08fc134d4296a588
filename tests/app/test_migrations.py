"""The Alembic history builds exactly the models' schema, up and down, on each database."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.conftest import build_app, make_database


def test_migrations_match_models(app):
    """Tests that the migrated database has no drift from the models."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrations_downgrade_and_upgrade_cleanly(backend, tmp_path: Path):
    """Tests that the whole history goes down to nothing and back up again."""
    url, drop = make_database(backend, tmp_path, "updown")
    application = build_app(url)
    try:
        with application.app_context():
            upgrade()
            downgrade(revision="base")
            tables = set(db.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()
            upgrade()
            assert "customers" in db.inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        drop()  # type: ignore[operator]
