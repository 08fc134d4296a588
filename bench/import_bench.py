"""Import timing: 100,000 order lines (CSV, `;`, Brazilian numbers) into a fresh database.

    .venv/bin/python bench/import_bench.py [--backend postgresql|sqlite] [--lines 100000]

Creates a scratch PostgreSQL schema (or SQLite file) migrated with the real Alembic history,
imports 2,000 customers, then the order file (first import: all created; second: a no-op),
through the same service the CLI and the admin page use. Prints seconds and the core count.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import Company, Role, User
from app.services.imports import import_file
from tests.support.imports import (
    CUSTOMER_HEADER,
    ORDER_HEADER,
    csv_bytes,
    customer_rows,
    order_rows,
)

DEFAULT_PG = os.environ.get("ROTEIRO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _database(backend: str, pg_url: str, tmp: Path) -> tuple[str, object]:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'import.sqlite3'}", lambda: None
    schema = f"bench_import_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    sep = "&" if "?" in pg_url else "?"
    return f"{pg_url}{sep}options=-csearch_path%3D{schema}", drop


def _timed(company_id: int, kind: str, raw: bytes) -> tuple[float, object]:
    started = time.perf_counter()
    result = import_file(kind=kind, raw=raw, filename=f"{kind}.csv", company_id=company_id, actor_id=None,
                         dry_run=False)
    assert result.ok, result.problems[:5]
    db.session.commit()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = _database(args.backend, args.pg_url, Path(tmp))
        try:
            app = create_app(type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
            with app.app_context():
                from flask_migrate import upgrade

                upgrade()
                company = Company(name="Bench", slug="bench")
                db.session.add(company)
                db.session.flush()
                db.session.add(User(company_id=company.id, email="r@bench", name="R", role=Role.REP,
                                    erp_code="R010", password_hash="!"))
                db.session.commit()
                codes = [f"C{i:05d}" for i in range(1, 2001)]
                t_cust, _ = _timed(company.id, "customers", csv_bytes(CUSTOMER_HEADER, customer_rows(2000)))
                orders = args.lines // 5
                raw = csv_bytes(ORDER_HEADER, order_rows(codes, orders=orders, lines=5))
                t_first, first = _timed(company.id, "orders", raw)
                t_again, again = _timed(company.id, "orders", raw)
        finally:
            drop()  # type: ignore[operator]
    print(f"cores={os.cpu_count()} backend={args.backend} file={len(raw) / 1e6:.1f} MB")
    print(f"customers 2000: {t_cust:.2f} s")
    print(f"orders {orders} / lines {orders * 5}: first import {t_first:.2f} s "
          f"(created {first.created}), re-import {t_again:.2f} s (unchanged {again.unchanged})")


if __name__ == "__main__":
    main()
