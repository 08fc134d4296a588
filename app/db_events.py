"""Engine tuning per database: SQLite gets real transactions, savepoints and foreign keys."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.extensions import db


def _tune_sqlite(engine: sa.Engine) -> None:
    """Let SQLAlchemy, not pysqlite, open transactions (needed for SAVEPOINT), and
    turn on foreign keys, WAL and a busy timeout so the scheduler and gunicorn
    workers can share the file."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def register(app: Flask) -> None:
    """Install the per-dialect tuning on the app's engine."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _tune_sqlite(engine)
