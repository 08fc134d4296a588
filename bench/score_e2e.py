"""End-to-end scale bench of the daily score: feature SQL + scoring + snapshot write.

    .venv/bin/python bench/score_e2e.py [--backend postgresql|sqlite|both] [--customers 200000]
        [--orders-per-customer 20] [--lines-per-order 2] [--pg-url URL]

Builds a synthetic company in a fresh database (a scratch PostgreSQL schema or a temporary
SQLite file, migrated with the real Alembic history) using bulk SQL only (``generate_series``
on PostgreSQL, a recursive CTE on SQLite): customers, orders with lines, receivables and
contacts. Then it runs ``app.services.scoring.score_company`` in a fresh child process, so the
reported peak memory (max RSS) is the scoring run's alone, and prints the stage timings.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support import DEFAULT_PG, bench_app, scratch_database  # noqa: E402

REF = date(2026, 11, 23)
SEGMENTS = ("mercearia", "bar", "padaria", "restaurante", "farmacia")
REPS = 100


class Sql:
    """The few spots where the bulk-generation SQL differs between the two databases."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def series(self, n: int, insert: str, select: str) -> str:
        """INSERT ... SELECT over g = 1..n."""
        if self.pg:
            return f"{insert} {select} FROM generate_series(1, {n}) AS s(g)"
        return (
            f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n}) "
            f"{insert} {select} FROM s"
        )

    def minus_days(self, expr: str) -> str:
        """The reference day minus ``expr`` days, as a DATE."""
        if self.pg:
            return f"(DATE '{REF.isoformat()}' - ({expr}))"
        return f"date('{REF.isoformat()}', '-' || ({expr}) || ' days')"

    def plus_days(self, column: str, days: int) -> str:
        if self.pg:
            return f"({column} + {days})"
        return f"date({column}, '+{days} days')"

    def now(self) -> str:
        return "TIMESTAMP '2024-01-02 03:04:05'" if self.pg else "'2024-01-02 03:04:05.000000'"

    def uuid(self) -> str:
        return "gen_random_uuid()" if self.pg else "lower(hex(randomblob(16)))"

    def div(self, a: str, b: str) -> str:
        """Integer division of two integer expressions."""
        return f"(({a}) / ({b}))"


def generate(url: str, customers: int, per_customer: int, lines: int) -> dict[str, float]:
    """Fill a fresh migrated database with one synthetic company; return counts and seconds."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app.extensions import db
    from app.models import Company, Role, User

    app = bench_app(url)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        company = Company(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        db.session.add(company)
        db.session.flush()
        reps = [
            User(
                company_id=company.id,
                email=f"rep{i}.{company.slug}@bench",
                name=f"Rep {i}",
                role=Role.REP,
                password_hash="x",
            )
            for i in range(REPS)
        ]
        db.session.add_all(reps)
        db.session.flush()
        first_user, cid = reps[0].id, company.id
        sql = Sql(db.engine.dialect.name)
        run = lambda text: db.session.execute(sa.text(text))  # noqa: E731
        segment = (
            "CASE g % 5 "
            + " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(SEGMENTS))
            + " END"
        )
        run(
            sql.series(
                customers,
                "INSERT INTO customers (company_id, erp_code, legal_name, trade_name, segment,"
                " opening_hours, service_minutes, visit_frequency_days, channel, owner_id,"
                " credit_limit, delivery_weekdays, active, created_at, updated_at)",
                f"SELECT {cid}, 'C' || g, 'Cliente ' || g, 'Cliente ' || g, {segment}, '{{}}', 20,"
                " CASE g % 3 WHEN 0 THEN 7 WHEN 1 THEN 14 ELSE 28 END, 'field',"
                f" {first_user} + g % {REPS},"
                " CASE WHEN g % 4 = 0 THEN 0 ELSE 2000 + (g % 50) * 100 END,"
                " CASE WHEN g % 3 = 0 THEN 31 ELSE 1 + (g % 2) * 8 END,"
                f" TRUE, {sql.now()}, {sql.now()}",
            )
        )
        c0 = db.session.scalar(sa.text(f"SELECT min(id) FROM customers WHERE company_id = {cid}"))
        n_orders = customers * per_customer
        c = f"((g - 1) % {customers})"
        k = sql.div("g - 1", str(customers))
        cycle = f"(5 + ({c} * 37) % 40)"
        offset = f"(({c} * 11) % 120)"
        run(
            sql.series(
                n_orders,
                "INSERT INTO orders"
                " (company_id, customer_id, erp_code, order_date, total, created_at)",
                f"SELECT {cid}, {c0} + {c}, 'P' || g,"
                f" {sql.minus_days(f'{offset} + {k} * {cycle} + ({c} * {k}) % 3')},"
                f" 50 + ({c} * 7 + {k} * 13) % 900, {sql.now()}",
            )
        )
        o0 = db.session.scalar(sa.text(f"SELECT min(id) FROM orders WHERE company_id = {cid}"))
        oc = f"((o.id - {o0}) % {customers})"
        ok = sql.div(f"o.id - {o0}", str(customers))
        category = (
            f"'Categoria ' || (CASE WHEN l.j = 0 THEN {oc} % 12"
            f" ELSE ({oc} + 3 + CASE WHEN {ok} < 3 THEN 7 ELSE 0 END) % 12 END)"
        )
        line_set = " UNION ALL ".join(f"SELECT {j} AS j" for j in range(lines))
        run(
            "INSERT INTO order_lines"
            " (order_id, product_code, product_name, category, quantity, unit_price, total)"
            f" SELECT o.id, 'SKU' || l.j, 'Produto', {category}, 1,"
            f" o.total / {lines}, o.total / {lines}"
            f" FROM orders o CROSS JOIN ({line_set}) AS l WHERE o.company_id = {cid}"
        )
        run(
            "INSERT INTO receivables"
            " (company_id, customer_id, erp_code, issue_date, due_date, amount, paid_date)"
            f" SELECT {cid}, o.customer_id, 'T' || o.id, o.order_date,"
            f" {sql.plus_days('o.order_date', 28)}, o.total,"
            f" CASE WHEN {oc} % 5 = 0 THEN NULL ELSE {sql.plus_days('o.order_date', 28)} END"
            f" FROM orders o WHERE o.company_id = {cid} AND {ok} < 2"
        )
        run(
            sql.series(
                customers * 5,
                "INSERT INTO contacts (client_uuid, company_id, customer_id, user_id, kind,"
                " planned, contact_date, check_in_flagged, outcome, created_at, updated_at)",
                f"SELECT {sql.uuid()}, {cid}, {c0} + {c},"
                f" {first_user} + ({c} + 1) % {REPS}, 'visit', FALSE,"
                f" {sql.minus_days(f'({c} % 40) + {k} * 21')}, FALSE,"
                f" CASE WHEN {c} % 3 = 0 THEN 'order' ELSE 'no_sale' END, {sql.now()}, {sql.now()}",
            )
        )
        db.session.commit()
        with db.engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()
        counts = {
            t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
            for t in ("customers", "orders", "order_lines", "receivables", "contacts")
        }
        db.engine.dispose()
    return {**counts, "company_id": cid, "generate_s": round(time.perf_counter() - started, 1)}


def score_once(url: str, company_id: int) -> dict[str, float]:
    """Score the company once (this process only does that, so max RSS is the run's peak)."""
    from app.extensions import db
    from app.services import scoring

    app = bench_app(url)
    with app.app_context():
        started = time.perf_counter()
        result = scoring.score_company(session=db.session, company_id=company_id, day=REF)
        db.session.commit()
        total = time.perf_counter() - started
        db.engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "customers": result.customers,
        **{f"{k}_s": v for k, v in result.seconds.items()},
        "total_s": round(total, 2),
        "peak_rss_mb": round(peak_mb),
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, object]:
    """Generate, then score in a child process, then drop the database."""
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = scratch_database(backend, Path(args.keep or tmp), "e2e", args.pg_url)
        try:
            built = generate(url, args.customers, args.orders_per_customer, args.lines_per_order)
            print(f"[{backend}] generated {built}", flush=True)
            child = subprocess.run(
                [sys.executable, __file__, "--score-only", url, str(built["company_id"])],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"[{backend}] scored {figures}", flush=True)
            return {"backend": backend, **built, **figures}
        finally:
            if args.keep:
                print(f"[{backend}] kept: --score-only '{url}' <company id>", flush=True)
            else:
                drop()  # type: ignore[operator]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--orders-per-customer", type=int, default=20)
    parser.add_argument("--lines-per-order", type=int, default=2)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the database (SQLite file in DIR) to re-run --score-only",
    )
    parser.add_argument(
        "--score-only", nargs=2, metavar=("URL", "COMPANY_ID"), help="score an existing database"
    )
    args = parser.parse_args(argv)
    if args.score_only:
        print(json.dumps(score_once(args.score_only[0], int(args.score_only[1]))))
        return
    print(f"cores: {os.cpu_count()} (usable {len(os.sched_getaffinity(0))})", flush=True)
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    results = [run_backend(b, args) for b in backends]
    print(json.dumps({"cores": os.cpu_count(), "runs": results}))


if __name__ == "__main__":
    main()
