"""Time the readiness check (the admin page and `flask doctor`) on a 200,000-customer company.

    python bench/readiness.py [--customers 200000] [--reps 400] [--repeat 5]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/roteiro_bench_readiness]

Builds a company from scratch (``companies.create_company``) with ``--reps`` field reps (every
50th without a base position, every 97th without a profile) and ``--customers`` customers
spread over them, with known shares of problems: 1 % without owner, 0.5 % without position,
0.2 % whose address was not found, 0.3 % owned by a telesales seat while served in the field,
and about a third at the default frequency or visit length. Then times
``readiness.check`` (a warm-up, then the median of ``--repeat`` runs) on SQLite (a file in a
temporary folder) and on PostgreSQL (a fresh database on the server of ``--postgres``), and
prints the findings' counts to show the work done, with the core count.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.extensions import db  # noqa: E402
from app.models import Channel, Customer, Role, User, WorkProfile  # noqa: E402
from app.services import companies, readiness  # noqa: E402
from bench.support import (  # noqa: E402
    bench_app,
    fresh_postgres_database,
    work_profile_row,
)

CHUNK = 10_000


def _people(company_id: int, reps: int) -> tuple[list[int], int]:
    """Insert the reps (with profiles, a few broken) and one telesales seat; return their ids."""
    rows = [
        {
            "company_id": company_id,
            "email": f"rep{i}@bench.example",
            "name": f"Rep {i:04d}",
            "role": Role.REP,
            "erp_code": f"R{i:04d}",
            "password_hash": "!bench",
            "active": True,
            "must_change_password": False,
        }
        for i in range(reps)
    ]
    rows.append(
        {
            "company_id": company_id,
            "email": "tel@bench.example",
            "name": "Televendas",
            "role": Role.TELESALES,
            "erp_code": "T0001",
            "password_hash": "!bench",
            "active": True,
            "must_change_password": False,
        }
    )
    db.session.execute(sa.insert(User), rows)
    ids = dict(
        db.session.execute(
            sa.select(User.email, User.id).where(User.company_id == company_id)
        ).all()
    )
    rep_ids = [ids[f"rep{i}@bench.example"] for i in range(reps)]
    profiles = []
    for i, uid in enumerate(rep_ids):
        if i % 97 == 96:
            continue
        lat, lon = (
            (None, None)
            if i % 50 == 49
            else (-23.55 + (i % 20) * 0.01, -46.63 + (i // 20 % 20) * 0.01)
        )
        profiles.append(
            work_profile_row(
                uid,
                lat,
                lon,
                working_weekdays=0b0111111 if i % 3 == 0 else 0b0011111,
                speed_profile="sao_paulo_urban",
            )
        )
    db.session.execute(sa.insert(WorkProfile), profiles)
    return rep_ids, ids["tel@bench.example"]


def _customers(company_id: int, rep_ids: list[int], seat_id: int, count: int) -> None:
    rng = random.Random(11)
    batch = []
    for n in range(count):
        roll = rng.random()
        owner = None if roll < 0.01 else (seat_id if roll < 0.013 else rep_ids[n % len(rep_ids)])
        no_position = 0.013 <= roll < 0.020
        batch.append(
            {
                "company_id": company_id,
                "erp_code": f"C{n:07d}",
                "legal_name": f"Cliente {n} Ltda",
                "trade_name": f"Cliente {n}",
                "segment": rng.choice(("mercado", "padaria", "bar", "farmacia")),
                "latitude": None if no_position else -23.55 + rng.uniform(-0.2, 0.2),
                "longitude": None if no_position else -46.63 + rng.uniform(-0.2, 0.2),
                "geocode_status": "failed" if 0.013 <= roll < 0.015 else None,
                "opening_hours": {},
                "service_minutes": rng.choice((20, 25, 30, 15)),
                "visit_frequency_days": rng.choice((7, 14, 14, 28, 30)),
                "channel": Channel.FIELD,
                "owner_id": owner,
                "credit_limit": 1000,
                "delivery_weekdays": 0b0011111,
                "active": True,
            }
        )
        if len(batch) == CHUNK:
            db.session.execute(sa.insert(Customer), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Customer), batch)


def build(url: str, reps: int, customers: int) -> int:
    """Create the schema and the company; return its id."""
    from flask_migrate import upgrade

    app = bench_app(url, TESTING=False)
    with app.app_context():
        upgrade()
        created = companies.create_company(
            name="Atacado Grande", admin_email="admin@bench.example", password="senha-bench-2026"
        )
        rep_ids, seat_id = _people(created.company.id, reps)
        _customers(created.company.id, rep_ids, seat_id, customers)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        company_id = created.company.id
        db.engine.dispose()
    return company_id


def measure(url: str, company_id: int, repeat: int) -> tuple[float, float, readiness.Report]:
    """Warm up once, then return the median and the worst of ``repeat`` checks, and the report."""
    app = bench_app(url, TESTING=False)
    with app.app_context():
        report = readiness.check(company_id=company_id)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            report = readiness.check(company_id=company_id)
            times.append(time.perf_counter() - t0)
            db.session.rollback()
        db.engine.dispose()
    return statistics.median(times), max(times), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "ROTEIRO_BENCH_POSTGRES_URL",
            "postgresql+psycopg://postgres@127.0.0.1:5432/roteiro_bench_readiness",
        ),
    )
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(
        f"cores={os.cpu_count()} customers={args.customers} reps={args.reps} repeat={args.repeat}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{tmp}/readiness.sqlite3")]
        if not args.skip_postgres:
            fresh_postgres_database(args.postgres)
            targets.append(("postgresql", args.postgres))
        for name, url in targets:
            t0 = time.perf_counter()
            company_id = build(url, args.reps, args.customers)
            built = time.perf_counter() - t0
            median, worst, report = measure(url, company_id, args.repeat)
            counts = ", ".join(f"{f.key}={f.count}" for f in report.findings)
            print(
                f"{name}: build {built:.1f} s; readiness.check median {median * 1000:.0f} ms, "
                f"worst {worst * 1000:.0f} ms; {report.customers} customers, {report.reps} reps"
            )
            print(f"  findings: {counts}")


if __name__ == "__main__":
    main()
