"""What the bench scripts share: a scratch database on either backend, and the app on it.

A bench must never touch a real database: on PostgreSQL each run gets a schema of its own
(``bench_<name>_<random>``) dropped at the end, on SQLite a file in the run's temporary
folder. Import it after putting the repository root on ``sys.path``, as every script does.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import Company, Role, User

DEFAULT_PG = os.environ.get(
    "ROTEIRO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def scratch_database(
    backend: str, tmp: Path, name: str, pg_url: str = DEFAULT_PG
) -> tuple[str, Callable[[], None]]:
    """Return the URL of a fresh empty database and the callback that drops it.

    ``backend`` is ``sqlite`` (a file ``<name>.sqlite3`` in ``tmp``, gone with the folder) or
    ``postgresql`` (a new schema at ``pg_url``, reached through the URL's ``search_path``).
    """
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'{name}.sqlite3'}", lambda: None
    schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in pg_url else "?"
    return f"{pg_url}{sep}options=-csearch_path%3D{schema}", drop


def fresh_postgres_database(url: str) -> None:
    """Drop and create the database named by ``url`` on its PostgreSQL server (a whole
    database, for benches that measure the server's own caches and statistics)."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def bench_app(url: str, **config: Any) -> Flask:
    """The Flask app on ``url`` with the test configuration (no scheduler, no secrets needed);
    ``config`` overrides settings (``TESTING=False`` for a bench that measures production
    paths)."""
    return create_app(
        type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **config})
    )


def work_profile_row(
    user_id: int, lat: float | None, lon: float | None, **extra: Any
) -> dict[str, Any]:
    """A rep's work profile for a bulk insert: starts and ends at (lat, lon), 8:00 to 18:00,
    an hour's lunch between 11:30 and 13:30, at most 9 hours; ``extra`` sets other columns."""
    return {
        "user_id": user_id,
        "start_lat": lat,
        "start_lon": lon,
        "end_lat": lat,
        "end_lon": lon,
        "day_start": time(8),
        "day_end": time(18),
        "lunch_earliest": time(11, 30),
        "lunch_latest": time(13, 30),
        "lunch_minutes": 60,
        "max_working_minutes": 540,
        **extra,
    }


def company_with_rep(slug: str = "bench", email: str = "r010@bench.example") -> Company:
    """Add a company and its rep R010 (the rep the generated customer files name); flush only."""
    company = Company(name="Bench", slug=slug)
    db.session.add(company)
    db.session.flush()
    db.session.add(
        User(
            company_id=company.id,
            email=email,
            name="Rep",
            role=Role.REP,
            erp_code="R010",
            password_hash="!",
        )
    )
    db.session.flush()
    return company
