"""Time the whole nightly planning run of a large synthetic company on PostgreSQL.

    python bench/nightly.py [--reps 200] [--customers 300] [--modes inline,local2,celery2]

Builds (once per invocation) a fresh PostgreSQL database with one company of ``--reps`` field
reps, each with ``--customers`` customers around the rep's base in Greater São Paulo and 18
months of orders, order lines, receivables and visits generated inside PostgreSQL
(``generate_series``), then runs the same pipeline as ``flask plan`` once per mode:

* ``inline``: one process solves every rep;
* ``local2``: a local process pool of 2;
* ``celery2``: two Celery worker processes (concurrency 1 each) on Redis.

Each run re-scores every customer, plans the next working day and the week agenda for every
rep and replaces the previous run's plans. Prints the wall time split into scoring, preparing
(reading the database, travel matrices), solving and writing, and the machine's core count.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.demo import settings as demo_settings  # noqa: E402
from app.extensions import db  # noqa: E402
from app.jobs import pipeline  # noqa: E402
from app.jobs.executors import CeleryExecutor, make_executor  # noqa: E402
from app.models import (  # noqa: E402
    Company,
    CompanySettings,
    Customer,
    Role,
    Team,
    User,
    WorkProfile,
)
from bench.support import (  # noqa: E402
    bench_app,
    fresh_postgres_database,
    work_profile_row,
)

TODAY = date(2026, 11, 23)  # a Monday: history ends here
PLAN_DAY = date(2026, 11, 24)
BASES = [  # a few neighbourhood centres of Greater São Paulo (lat, lon)
    (-23.561, -46.656),
    (-23.545, -46.638),
    (-23.600, -46.690),
    (-23.540, -46.575),
    (-23.625, -46.640),
    (-23.510, -46.625),
    (-23.567, -46.700),
    (-23.520, -46.700),
    (-23.583, -46.607),
    (-23.648, -46.573),
    (-23.497, -46.550),
    (-23.555, -46.530),
]
HOURS = [
    {k: [["08:00", "18:00"]] for k in ("mon", "tue", "wed", "thu", "fri")},
    {
        k: [["08:00", "12:00"], ["14:00", "18:00"]]
        for k in ("mon", "tue", "wed", "thu", "fri", "sat")
    },
    {k: [["07:00", "19:00"]] for k in ("mon", "tue", "wed", "thu", "fri", "sat")},
    {k: [["09:00", "17:00"]] for k in ("tue", "wed", "thu", "fri")},
]


def _staff(reps: int) -> int:
    """Insert the company, its settings, teams and reps with work profiles; return
    the company id."""
    company = Company(name="Distribuidora Bench", slug="bench")
    db.session.add(company)
    db.session.flush()
    db.session.add(
        CompanySettings(
            company_id=company.id,
            version=1,
            scoring=demo_settings.scoring(),
            planning=demo_settings.planning(),
            policies=demo_settings.policies(),
        )
    )
    teams = [Team(company_id=company.id, name=f"Equipe {i + 1}") for i in range(max(1, reps // 10))]
    db.session.add_all(teams)
    db.session.flush()
    users = [
        {
            "company_id": company.id,
            "team_id": teams[i % len(teams)].id,
            "email": f"rep{i}@bench.roteiro.app",
            "name": f"Representante {i}",
            "role": Role.REP,
            "password_hash": "!bench",
            "erp_code": f"R{i}",
        }
        for i in range(reps)
    ]
    db.session.execute(sa.insert(User), users)
    ids = db.session.scalars(
        sa.select(User.id).where(User.company_id == company.id).order_by(User.id)
    ).all()
    profiles = []
    for i, uid in enumerate(ids):
        lat, lon = BASES[i % len(BASES)]
        lat, lon = lat + (i // len(BASES)) * 0.002, lon - (i // len(BASES)) * 0.002
        profiles.append(work_profile_row(uid, lat, lon))
    db.session.execute(sa.insert(WorkProfile), profiles)
    return company.id


def _customers(company_id: int, per_rep: int) -> None:
    """Insert each rep's customers scattered around the rep's base."""
    import random

    rng = random.Random(42)
    rows = []
    reps = db.session.execute(
        sa.select(WorkProfile.user_id, WorkProfile.start_lat, WorkProfile.start_lon).order_by(
            WorkProfile.user_id
        )
    ).all()
    for uid, lat, lon in reps:
        for k in range(per_rep):
            n = len(rows)
            rows.append(
                {
                    "company_id": company_id,
                    "erp_code": f"C{n:06d}",
                    "legal_name": f"Comércio {n} Ltda",
                    "trade_name": f"Mercado {n}",
                    "segment": ("mercearia", "bar", "padaria", "farmácia")[n % 4],
                    "latitude": lat + rng.uniform(-0.04, 0.04),
                    "longitude": lon + rng.uniform(-0.04, 0.04),
                    "opening_hours": HOURS[n % len(HOURS)],
                    "service_minutes": (15, 20, 25, 30)[n % 4],
                    "visit_frequency_days": (7, 14, 14, 28, 28)[k % 5],
                    "owner_id": uid,
                    "city": "São Paulo",
                }
            )
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(Customer), rows[start : start + 5000])


HISTORY_SQL = [
    "SELECT setseed(0.42)",
    # Orders: each customer buys on its own cycle for 18 months; one in seven stops at some point.
    """
    INSERT INTO orders (company_id, customer_id, erp_code, order_date, total, created_at)
    SELECT c.company_id, c.id, 'B' || c.id || '-' || k,
           :today - 540 + k * cyc + (c.id + k) % 3,
           round((60 + random() * 540)::numeric, 2), now()
    FROM customers c
    CROSS JOIN LATERAL (SELECT (ARRAY[7, 10, 14, 21, 30, 45])[1 + c.id % 6] AS cyc) s
    CROSS JOIN LATERAL generate_series(0, 540 / s.cyc) k
    WHERE :today - 540 + k * cyc + (c.id + k) % 3 <= :today
      AND (c.id % 7 <> 0 OR k * cyc < 540 - (c.id * 7919) % 300)
    """,
    # Order lines: one to three product categories per order.
    """
    INSERT INTO order_lines
        (order_id, product_code, product_name, category, quantity, unit_price, total)
    SELECT o.id, 'SKU' || j, 'Produto ' || j,
           (ARRAY['Bebidas', 'Mercearia', 'Limpeza', 'Higiene', 'Frios', 'Doces'])
               [1 + (o.customer_id + j) % 6],
           1, round(o.total / (1 + o.id % 3), 2), round(o.total / (1 + o.id % 3), 2)
    FROM orders o CROSS JOIN LATERAL generate_series(1, 1 + o.id % 3) j
    """,
    # Receivables of the last 90 days; one customer in eleven leaves them unpaid.
    """
    INSERT INTO receivables
        (company_id, customer_id, erp_code, issue_date, due_date, amount, paid_date)
    SELECT o.company_id, o.customer_id, 'T' || o.id, o.order_date, o.order_date + 21, o.total,
           CASE WHEN o.customer_id % 11 = 0 OR o.order_date + 19 > :today THEN NULL
                ELSE o.order_date + 19 END
    FROM orders o WHERE o.order_date > :today - 90
    """,
    # Visits by the owner over the last 60 days, at the customer's frequency.
    """
    INSERT INTO contacts
        (client_uuid, company_id, customer_id, user_id, kind, planned, contact_date,
         outcome, check_in_flagged, created_at, updated_at)
    SELECT gen_random_uuid(), c.company_id, c.id, c.owner_id, 'visit', true,
           :today - k * c.visit_frequency_days - (c.id % 9),
           CASE WHEN (c.id + k) % 3 = 0 THEN 'no_sale' ELSE 'order' END, false, now(), now()
    FROM customers c CROSS JOIN LATERAL generate_series(0, 60 / c.visit_frequency_days) k
    """,
    "ANALYZE",
]


def build(url: str, reps: int, per_rep: int) -> tuple[int, dict[str, float]]:
    """Create and fill the bench database; return the company id and timings."""
    from flask_migrate import upgrade

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    fresh_postgres_database(url)
    app = bench_app(url, TESTING=False)
    with app.app_context():
        upgrade()
        timings["schema"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        company_id = _staff(reps)
        _customers(company_id, per_rep)
        db.session.commit()
        timings["staff_customers"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for sql in HISTORY_SQL:
            db.session.execute(sa.text(sql), {"today": TODAY} if ":today" in sql else {})
            if sql == "ANALYZE":
                continue
        db.session.commit()
        timings["history"] = time.perf_counter() - t0
        counts = {
            t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
            for t in ("customers", "orders", "order_lines", "receivables", "contacts")
        }
        print("rows:", json.dumps(counts))
    return company_id, timings


def _celery_workers(broker: str, count: int) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` Celery worker processes (concurrency 1 each) and wait until they answer."""
    from app.celery_app import make_celery

    env = dict(os.environ, ROTEIRO_CELERY_BROKER_URL=broker, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "app.celery_app",
                "worker",
                "--concurrency=1",
                f"--hostname=bench{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(count)
    ]
    celery = make_celery(broker)
    deadline = time.monotonic() + 60
    while len(celery.control.ping(timeout=0.5) or []) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("Celery workers did not start")
    celery.close()
    return procs


def run_mode(url: str, company_id: int, mode: str, broker: str) -> dict[str, object]:
    """Run the whole pipeline once with one executor; return the run's figures."""
    app = bench_app(url, TESTING=False)
    workers: list[subprocess.Popen[bytes]] = []
    with app.app_context():
        if mode == "inline":
            executor = make_executor("inline")
        elif mode.startswith("local"):
            executor = make_executor("local", workers=int(mode[5:]))
        else:
            workers = _celery_workers(broker, int(mode[6:]))
            executor = CeleryExecutor(broker, workers=len(workers))
        try:
            t0 = time.perf_counter()
            summary = pipeline.run_company(
                pipeline.RunOptions(
                    company_id=company_id,
                    plan_date=PLAN_DAY,
                    trigger="manual",
                    executor=executor,
                )
            )
            wall = time.perf_counter() - t0
        finally:
            executor.close()
            for proc in workers:
                proc.send_signal(signal.SIGTERM)
            for proc in workers:
                proc.wait(timeout=60)
    c = summary.counts
    return {
        "mode": mode,
        "status": summary.status.value,
        "wall_s": round(wall, 1),
        **c["seconds"],
        "reps": c["reps_planned"],
        "failed": c.get("reps_failed", 0),
        "stops": c["stops"],
        "drafts": c["drafts"],
        "customers_scored": c["customers_scored"],
        "solver_cpu_s": round(c["solver_seconds"], 1),
    }


def _spin(n: int) -> float:
    """Burn CPU in pure Python for the parallelism control; return the seconds it took."""
    t0 = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - t0


def cpu_control() -> str:
    """Measure what 2 processes give this machine for pure CPU work right now (no I/O)."""
    import multiprocessing

    n = 6_000_000
    one = _spin(n)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [1, 1])  # both workers started and imported before timing
        t0 = time.perf_counter()
        pool.map(_spin, [n, n], chunksize=1)
        two = time.perf_counter() - t0
    return (
        f"CPU control: 1 task {one:.2f} s, 2 tasks on 2 processes {two:.2f} s "
        f"-> efficiency {one / two:.0%}"
    )


def main() -> None:
    """Parse arguments, build the data, run each mode and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/roteiro_bench"
    )
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--modes", default="inline,local2,celery2")
    parser.add_argument(
        "--broker", default=os.environ.get("ROTEIRO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument("--reuse", action="store_true", help="Keep the existing bench database.")
    args = parser.parse_args()
    print(
        f"cores: {os.cpu_count()} (usable {len(os.sched_getaffinity(0))}); "
        f"{args.reps} reps x {args.customers} customers"
    )
    print(cpu_control(), flush=True)
    if args.reuse:
        with bench_app(args.url, TESTING=False).app_context():
            company_id = db.session.scalar(sa.select(Company.id).where(Company.slug == "bench"))
    else:
        company_id, timings = build(args.url, args.reps, args.customers)
        print("build:", json.dumps({k: round(v, 1) for k, v in timings.items()}))
    rows = []
    for mode in args.modes.split(","):
        row = run_mode(args.url, company_id, mode, args.broker)
        rows.append(row)
        print(json.dumps(row), flush=True)
        print(cpu_control(), flush=True)
    keys = [
        "mode",
        "wall_s",
        "scoring",
        "preparing",
        "solving",
        "writing",
        "solver_cpu_s",
        "reps",
        "failed",
        "stops",
        "drafts",
    ]
    print("| " + " | ".join(keys) + " |")
    print("|" + " --- |" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row.get(k)) for k in keys) + " |")
    base = next((r for r in rows if r["mode"] == "inline"), None)
    for row in rows:
        n = int("".join(ch for ch in str(row["mode"]) if ch.isdigit()) or 1)
        if base and n > 1:
            eff = float(base["wall_s"]) / float(row["wall_s"]) / n  # type: ignore[arg-type]
            print(
                f"{row['mode']}: speed-up {float(base['wall_s']) / float(row['wall_s']):.2f}x, "
                f"efficiency {eff:.0%}"
            )  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
