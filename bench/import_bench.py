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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.extensions import db
from app.services.imports import import_file
from bench.support import DEFAULT_PG, bench_app, company_with_rep, scratch_database
from tests.support.imports import (
    CUSTOMER_HEADER,
    ORDER_HEADER,
    csv_bytes,
    customer_rows,
    order_rows,
)


def _timed(company_id: int, kind: str, raw: bytes) -> tuple[float, object]:
    started = time.perf_counter()
    result = import_file(
        kind=kind,
        raw=raw,
        filename=f"{kind}.csv",
        company_id=company_id,
        actor_id=None,
        dry_run=False,
    )
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
        url, drop = scratch_database(args.backend, Path(tmp), "import", args.pg_url)
        try:
            app = bench_app(url)
            with app.app_context():
                from flask_migrate import upgrade

                upgrade()
                company = company_with_rep()
                db.session.commit()
                codes = [f"C{i:05d}" for i in range(1, 2001)]
                t_cust, _ = _timed(
                    company.id, "customers", csv_bytes(CUSTOMER_HEADER, customer_rows(2000))
                )
                orders = args.lines // 5
                raw = csv_bytes(ORDER_HEADER, order_rows(codes, orders=orders, lines=5))
                t_first, first = _timed(company.id, "orders", raw)
                t_again, again = _timed(company.id, "orders", raw)
        finally:
            drop()  # type: ignore[operator]
    print(f"cores={os.cpu_count()} backend={args.backend} file={len(raw) / 1e6:.1f} MB")
    print(f"customers 2000: {t_cust:.2f} s")
    print(
        f"orders {orders} / lines {orders * 5}: first import {t_first:.2f} s "
        f"(created {first.created}), re-import {t_again:.2f} s (unchanged {again.unchanged})"
    )


if __name__ == "__main__":
    main()
