"""Measure the supervisor dashboard's server time on the demo company (8 reps, 2,500 customers).

    python bench/dashboard.py [--db sqlite|postgresql] [--customers 2500] [--requests
    40] [--no-plans]

Builds a fresh database (SQLite file, or a PostgreSQL schema at ROTEIRO_TEST_POSTGRES_URL)
through the real migrations, loads the demo data set (`flask demo load`'s generator),
scores it for today and plans today for every rep, then times sequential GETs through
Flask's test client (server time only: routing, queries, template; no network) for:

* the admin's dashboard: the whole company, 8 reps and 2,500 customers (the target);
* a supervisor's dashboard (one team), and 30-day periods;
* the biggest drill-down list and the telesales call list.

Prints wall-clock and CPU p50/p95 in milliseconds, the machine's core count and load. On a shared,
loaded machine the CPU time is the closer estimate of server time: it is the app process's CPU plus,
on PostgreSQL, the CPU of the (single, pooled) database backend serving it, read from /proc (10 ms
clock ticks, so per-request values are coarse). Not a test: figures go to the "Supervisor dashboard"
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import build_app, make_database, migrate_up  # noqa: E402

TARGET_MS = 300
PAGES = [
    (
        "admin@demo.roteiro.app",
        "/supervisor/",
        "dashboard, company (8 reps, all customers), 7 days",
    ),
    ("admin@demo.roteiro.app", "/supervisor/?period=30", "dashboard, company, 30 days"),
    ("supervisor1@demo.roteiro.app", "/supervisor/", "dashboard, one team (4 reps + seat), 7 days"),
    ("admin@demo.roteiro.app", "/supervisor/clientes?list=all", "drill-down list, every customer"),
    ("admin@demo.roteiro.app", "/supervisor/mapa.json", "map data, every customer"),
    ("televendas1@demo.roteiro.app", "/televendas/", "telesales call list"),
]


def prepare(url: str, customers: int, plans: bool):  # type: ignore[no-untyped-def]
    """Build the app on a fresh database with demo data, today's scores and plans."""
    import sqlalchemy as sa

    from app.demo import loader
    from app.extensions import db
    from app.models import Role, User
    from app.services import planning, scoring
    from app.services.clock import local_today

    # One pooled connection: its PostgreSQL backend's CPU can be read from /proc.
    engine = {"pool_size": 1, "max_overflow": 0} if url.startswith("postgresql") else {}
    app = build_app(url, WTF_CSRF_ENABLED=False, SQLALCHEMY_ENGINE_OPTIONS=engine)
    migrate_up(app)
    today = local_today()
    with app.app_context():
        started = time.perf_counter()
        loader.load(seed=42, today=today, customer_count=customers)
        scoring.score_company(session=db.session, company_id=loader.demo_company_id(), day=today)
        stops = 0
        if plans:
            for rep in db.session.scalars(sa.select(User).where(User.role == Role.REP)).all():
                stops += planning.plan_rep(rep=rep, day=today, week=False).stops
        db.session.commit()
        print(
            f"data: {customers} customers, {stops} planned stops today "
            f"({time.perf_counter() - started:.1f} s to build)"
        )
    return app


def backend_cpu_ms(app) -> Callable[[], float]:  # type: ignore[no-untyped-def]
    """A reader of the PostgreSQL backend's CPU time (ms), or of zero on SQLite."""
    import sqlalchemy as sa

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return lambda: 0.0
        pid = db.session.scalar(sa.text("select pg_backend_pid()"))
        db.session.remove()
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return lambda: 0.0
    tick = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / tick  # utime + stime

    return read


def time_page(app, email: str, url: str, n: int) -> tuple[list[float], list[float], int]:  # type: ignore[no-untyped-def]
    """Wall and CPU (app + database backend) ms of n sequential GETs after 3 warm-ups."""
    from app.demo.people import DEMO_PASSWORD

    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.status_code
    size = 0
    for _ in range(3):
        size = len(client.get(url).data)
    db_cpu = backend_cpu_ms(app)
    wall, cpu = [], []
    for _ in range(n):
        t0, c0, d0 = time.perf_counter(), time.process_time(), db_cpu()
        response = client.get(url)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000 + db_cpu() - d0)
        assert response.status_code == 200, (url, response.status_code)
    return wall, cpu, size


def pct(samples: list[float], q: float) -> float:
    """The q-quantile (0–1) of the samples, nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--customers", type=int, default=2500)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--no-plans", action="store_true", help="skip planning today's routes")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; database: {args.db}")
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = make_database(args.db, Path(tmp), "bench")
        try:
            app = prepare(url, args.customers, plans=not args.no_plans)
            print("| page | n | wall p50 | wall p95 | CPU p50 | CPU p95 | KB |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for email, page, label in PAGES:
                wall, cpu, size = time_page(app, email, page, args.requests)
                print(
                    f"| {label} (`{page}`) | {len(wall)} | {statistics.median(wall):.0f} ms "
                    f"| {pct(wall, 0.95):.0f} ms | {statistics.median(cpu):.0f} ms "
                    f"| {pct(cpu, 0.95):.0f} ms | {size / 1024:.0f} |"
                )
            print(f"load average after: {os.getloadavg()}")
            print(f"target: dashboard p95 ≤ {TARGET_MS} ms")
        finally:
            from app.extensions import db

            with app.app_context():
                db.engine.dispose()
            drop()  # type: ignore[operator]


if __name__ == "__main__":
    main()
