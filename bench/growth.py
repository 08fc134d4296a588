"""A year of nightly runs on PostgreSQL: database size, nightly write and dashboard time
as history grows.

    ROTEIRO_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/growth.py [--customers 200000] [--days 365] [--checkpoints 30,182,365]

Builds a fresh PostgreSQL schema through the real migrations, one company with ``--customers``
customers, a rep per 250 customers (teams of 8 reps under a supervisor), then simulates each
night of ``--days`` days:

* the nightly write, timed: one score snapshot per customer written as the scorer writes it
  (delete the day, then ``COPY`` through ``app.services.scoring_copy.insert_rows``), then the
  real compaction of snapshots past the company's 90-day window
  (``app.services.score_retention``, as ``pipeline.run.Run.compact`` calls it), then ANALYZE
  of the tables the night wrote (``Run.refresh_statistics``: without it the planner does not
  know tonight's date and the team dashboard read the whole company's day);
* the day's activity, not timed: each rep's plan with 12 stops and 12 visits, and orders for
  one customer in 25.

The snapshot rows are **synthetic but shaped like the scorer's** (six components, two to four
reason lines with their values, zero to three offers: about 600 bytes of JSON, as written by
``stored_rows``): running the real scorer 365 times on 200,000 customers would take hours and
measure the scorer, whose own figures are in "Scoring scale". Compaction deletes a day of
full rows every night and relies on autovacuum to re-use their space; when the server's
autovacuum is off (as on the shared test server) the bench applies autovacuum's default rules
itself after each night (VACUUM ANALYZE past 20 % dead rows, ANALYZE past 10 % changed rows),
timed apart (``--no-vacuum`` to see the bloat without it).

At each checkpoint (day numbers) it reports the schema's size on disk (tables + indexes +
TOAST) and the biggest tables, the night's write and compaction times, and server-side times
(median of repeated calls through the services, no HTTP) of:

* a supervisor's dashboard (``kpis.build_dashboard``: one team, 2,000 customers, 7 days);
* the same dashboard for a period ending 180 days ago (read from the compact history);
* the portfolio's first page for the whole company (``portfolio.list_customers``);
* a customer card (``portfolio.get_customer_detail``).

Prints the machine's core count and load; the last line is JSON. Not a test: figures go to
"Growth: a year of nights" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import PG_URL, build_app, make_database, migrate_up  # noqa: E402

CUSTOMERS_PER_REP = 250
REPS_PER_TEAM = 8
STOPS_PER_DAY = 12
ORDER_EVERY = 25  # one customer in 25 orders on a given day
SEGMENTS = ("mercado", "bar", "padaria", "restaurante", "conveniencia")
CATEGORIES = ("Bebidas", "Mercearia", "Limpeza", "Higiene", "Frios", "Doces")
COMPONENT_KEYS = ("urgency", "service", "value", "finance", "delivery", "mix")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def seed(app: Any, customers: int, start: date) -> dict[str, Any]:
    """The company, its people and customers (bulk inserted)."""
    from app.extensions import db
    from app.models import Role
    from app.services.scoring_copy import insert_rows
    from tests.factories import make_company, make_team, make_user
    from tests.support.planning import add_settings

    rng = random.Random(7)
    with app.app_context():
        company = make_company("Crescimento")
        add_settings(company)
        reps_total = max(customers // CUSTOMERS_PER_REP, 1)
        admin = make_user(company, Role.ADMIN)
        reps: list[int] = []
        supervisors: list[int] = []
        team = None
        for k in range(reps_total):
            if k % REPS_PER_TEAM == 0:
                team = make_team(company)
                supervisors.append(make_user(company, Role.SUPERVISOR, team).id)
            reps.append(make_user(company, Role.REP, team).id)
        db.session.flush()
        now = _now()
        rows = (
            (
                company.id,
                f"C{i:07d}",
                f"Cliente {i} Ltda",
                f"Cliente {i}",
                SEGMENTS[i % len(SEGMENTS)],
                "{}",
                20,
                rng.choice((7, 14, 28)),
                "field",
                reps[i % reps_total],
                0,
                31,
                True,
                -23.55 + rng.uniform(-0.2, 0.2),
                -46.63 + rng.uniform(-0.2, 0.2),
                now,
                now,
            )
            for i in range(customers)
        )
        insert_rows(
            db.session,
            "customers",
            (
                "company_id",
                "erp_code",
                "legal_name",
                "trade_name",
                "segment",
                "opening_hours",
                "service_minutes",
                "visit_frequency_days",
                "channel",
                "owner_id",
                "credit_limit",
                "delivery_weekdays",
                "active",
                "latitude",
                "longitude",
                "created_at",
                "updated_at",
            ),
            rows,
        )
        db.session.commit()
        from app.services import db_maintenance

        db_maintenance.analyze(db.session)
        db.session.commit()
        ids = db.session.execute(
            sa.text("SELECT id, owner_id FROM customers WHERE company_id = :c ORDER BY id"),
            {"c": company.id},
        ).all()
        by_rep: dict[int, list[int]] = {}
        for cid, owner in ids:
            by_rep.setdefault(owner, []).append(cid)
        return {
            "company_id": company.id,
            "admin_id": admin.id,
            "supervisor_id": supervisors[0],
            "customer_ids": [cid for cid, _ in ids],
            "by_rep": by_rep,
            "start": start,
        }


def _snapshot_row(rng: random.Random, company_id: int, cid: int, day: date, now: datetime) -> tuple:
    points = [round(rng.uniform(0, 30), 2) for _ in COMPONENT_KEYS]
    total = round(sum(points), 2)
    components = (
        "{" + ",".join(f'"{k}":{v}' for k, v in zip(COMPONENT_KEYS, points, strict=True)) + "}"
    )
    cycle = rng.choice((7.0, 14.0, 21.0, 28.0, 35.0))
    days = rng.randint(1, 90)
    reasons = [{"key": "days_without_purchase", "values": {"days": days, "cycle": cycle}}]
    if rng.random() < 0.6:
        reasons.append(
            {"key": "visit_overdue", "values": {"days": rng.randint(1, 30), "frequency": 14}}
        )
    if rng.random() < 0.5:
        reasons.append(
            {
                "key": "value_at_stake",
                "values": {"amount": round(rng.uniform(100, 9000), 2), "risk": 0.4},
            }
        )
    reasons.append(
        {"key": "next_delivery", "values": {"weekday": rng.randint(0, 4)}, "detail": True}
    )
    offers = [
        {"category": c, "days": rng.randint(20, 120), "share": round(rng.random(), 2)}
        for c in rng.sample(CATEGORIES, rng.randint(0, 3))
    ]
    flags = rng.choice((0, 0, 0, 1, 2, 3, 8, 4))
    monthly = round(rng.uniform(200, 12000), 2)
    return (
        company_id,
        cid,
        day,
        total,
        flags,
        components,
        json.dumps(reasons, separators=(",", ":")),
        json.dumps(offers, separators=(",", ":")),
        cycle,
        "reactivation" if flags & 4 else "sales",
        round(rng.uniform(80, 900), 2),
        monthly,
        round(monthly * 0.3, 2),
        1,
        now,
    )


def nightly_write(app: Any, world: dict[str, Any], day: date, rng: random.Random) -> dict[str, Any]:
    """The night's snapshot write and compaction, each in its own transaction, timed; then
    the statistics refresh the nightly run does after each (``Run.refresh_statistics``)."""
    from app.extensions import db
    from app.models import ScoreSnapshot
    from app.services import db_maintenance, score_retention
    from app.services.scoring_copy import insert_rows
    from app.services.scoring_rows import SNAPSHOT_COLUMNS

    company_id = world["company_id"]
    now = _now()
    with app.app_context():
        t0 = time.perf_counter()
        db.session.execute(
            sa.delete(ScoreSnapshot).where(
                ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == day
            )
        )
        insert_rows(
            db.session,
            ScoreSnapshot.__tablename__,
            SNAPSHOT_COLUMNS,
            (_snapshot_row(rng, company_id, cid, day, now) for cid in world["customer_ids"]),
        )
        db.session.commit()
        write = time.perf_counter() - t0
        t0 = time.perf_counter()
        days = score_retention.company_full_days(db.session, company_id)
        moved = 0
        for old in score_retention.days_to_compact(
            db.session, company_id, score_retention.cutoff(day, days)
        ):
            moved += score_retention.compact_day(db.session, company_id, old)
            db.session.commit()
        compact = time.perf_counter() - t0
        t0 = time.perf_counter()
        db_maintenance.analyze(
            db.session, ("score_snapshots", "score_history") if moved else ("score_snapshots",)
        )
        db.session.commit()
        analyze = time.perf_counter() - t0
    return {"write_s": write, "compact_s": compact, "analyze_s": analyze, "moved": moved}


GROWING = ("score_snapshots", "score_history", "contacts", "plans", "plan_stops", "orders")


def autovacuum_on(app: Any) -> bool:
    """Whether the server's autovacuum runs (the bench server's may be off)."""
    from app.extensions import db

    with app.app_context():
        value = db.session.scalar(sa.text("SHOW autovacuum"))
        db.session.rollback()
    return value == "on"


def vacuum(app: Any) -> float:
    """What autovacuum would do after the night, by its default rules: VACUUM ANALYZE a table
    whose dead rows exceed 50 + 20 % of its live rows, ANALYZE one whose changes since the last
    analysis exceed 50 + 10 %."""
    from app.extensions import db

    t0 = time.perf_counter()
    with app.app_context(), db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        rows = conn.execute(
            sa.text(
                "SELECT relname, n_live_tup, n_dead_tup, n_mod_since_analyze "
                "FROM pg_stat_user_tables WHERE schemaname = current_schema()"
            )
        ).all()
        for name, live, dead, changed in rows:
            if name not in GROWING:
                continue
            if dead > 50 + 0.2 * live:
                conn.execute(sa.text(f"VACUUM (ANALYZE) {name}"))
            elif changed > 50 + 0.1 * live:
                conn.execute(sa.text(f"ANALYZE {name}"))
    return time.perf_counter() - t0


def day_activity(app: Any, world: dict[str, Any], day: date, rng: random.Random) -> None:
    """Plans, stops, visits and orders of one day (bulk, untimed)."""
    from app.extensions import db
    from app.services.scoring_copy import insert_rows

    company_id = world["company_id"]
    now = _now()
    with app.app_context():
        plan_rows = [
            (company_id, rep, day, "done", "nightly", 1, 1, 28800, 64800, 0, 0, 0, 0.0, "[]", now)
            for rep in world["by_rep"]
        ]
        insert_rows(
            db.session,
            "plans",
            (
                "company_id",
                "user_id",
                "plan_date",
                "status",
                "source",
                "revision",
                "settings_version",
                "start_s",
                "end_s",
                "total_m",
                "driving_s",
                "working_s",
                "prize",
                "dropped",
                "created_at",
            ),
            plan_rows,
        )
        plan_ids = dict(
            db.session.execute(
                sa.text("SELECT user_id, id FROM plans WHERE company_id = :c AND plan_date = :d"),
                {"c": company_id, "d": day},
            ).all()
        )
        stops, contacts = [], []
        for rep, customers in world["by_rep"].items():
            chosen = rng.sample(customers, min(STOPS_PER_DAY, len(customers)))
            for seq, cid in enumerate(chosen):
                start = 28800 + seq * 2400
                stops.append(
                    (plan_ids[rep], seq, "visit", cid, start, 0, start, start + 1200, 600, 4000)
                )
                stops[-1] += (round(rng.uniform(10, 90), 2), False, False, "done")
                outcome = rng.choice(("order", "no_sale", "order", "closed"))
                contacts.append(
                    (
                        uuid.uuid4(),
                        company_id,
                        cid,
                        rep,
                        "visit",
                        True,
                        day,
                        False,
                        False,
                        False,
                        outcome,
                        now,
                        now,
                    )
                )
        insert_rows(
            db.session,
            "plan_stops",
            (
                "plan_id",
                "seq",
                "kind",
                "customer_id",
                "arrival_s",
                "wait_s",
                "start_s",
                "departure_s",
                "travel_s",
                "travel_m",
                "score",
                "pinned",
                "appointment",
                "status",
            ),
            stops,
        )
        insert_rows(
            db.session,
            "contacts",
            (
                "client_uuid",
                "company_id",
                "customer_id",
                "user_id",
                "kind",
                "planned",
                "contact_date",
                "check_in_flagged",
                "no_check_in",
                "time_flagged",
                "outcome",
                "created_at",
                "updated_at",
            ),
            contacts,
        )
        n = len(world["customer_ids"]) // ORDER_EVERY
        orders = [
            (company_id, cid, f"P{day:%Y%m%d}-{k}", day, round(rng.uniform(80, 2500), 2), now)
            for k, cid in enumerate(rng.sample(world["customer_ids"], n))
        ]
        insert_rows(
            db.session,
            "orders",
            ("company_id", "customer_id", "erp_code", "order_date", "total", "created_at"),
            orders,
        )
        db.session.commit()


def _column_type(app: Any, table: str, column: str) -> str:
    """PostgreSQL's name for a column's type (``jsonb``, ``uuid``...), for casts in bulk SQL."""
    from app.extensions import db

    with app.app_context():
        found = db.session.scalar(
            sa.text(
                "SELECT udt_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = :t AND column_name = :c"
            ),
            {"t": table, "c": column},
        )
        db.session.rollback()
    return str(found)


# 512 explanations shaped like _snapshot_row's (six components, two to four reasons, zero to
# three offers), built once; each bulk row takes one of them, so the server copies JSON
# instead of building ~600 bytes of it per customer-day (5x faster on this machine).
_VARIANTS = """
CREATE TABLE IF NOT EXISTS growth_variants AS
SELECT i,
    jsonb_build_object(
        'urgency', round((random() * 30)::numeric, 2),
        'service', round((random() * 30)::numeric, 2),
        'value', round((random() * 30)::numeric, 2),
        'finance', round((random() * 30)::numeric, 2),
        'delivery', round((random() * 30)::numeric, 2),
        'mix', round((random() * 30)::numeric, 2)) AS components,
    jsonb_build_array(jsonb_build_object('key', 'days_without_purchase', 'values',
            jsonb_build_object('days', 1 + floor(random() * 90)::int,
                'cycle', (ARRAY[7, 14, 21, 28, 35])[1 + floor(random() * 5)::int])))
        || CASE WHEN random() < 0.6 THEN jsonb_build_array(jsonb_build_object(
            'key', 'visit_overdue', 'values', jsonb_build_object(
                'days', 1 + floor(random() * 30)::int, 'frequency', 14)))
            ELSE '[]'::jsonb END
        || CASE WHEN random() < 0.5 THEN jsonb_build_array(jsonb_build_object(
            'key', 'value_at_stake', 'values', jsonb_build_object(
                'amount', round((100 + random() * 8900)::numeric, 2), 'risk', 0.4)))
            ELSE '[]'::jsonb END
        || jsonb_build_array(jsonb_build_object('key', 'next_delivery', 'values',
            jsonb_build_object('weekday', floor(random() * 5)::int), 'detail', true))
        AS reasons,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('category', cat,
                'days', 20 + floor(random() * 100)::int,
                'share', round(random()::numeric, 2))), '[]'::jsonb)
        FROM unnest(ARRAY['Bebidas', 'Mercearia', 'Limpeza', 'Higiene', 'Frios', 'Doces']) cat
        WHERE random() < 0.25 AND g.i IS NOT NULL) AS offers
FROM generate_series(0, 511) AS g(i)
"""

_FULL_SNAPSHOTS = """
INSERT INTO score_snapshots (company_id, customer_id, score_date, total, flags, components,
    reasons, offers, cycle_days, purpose, avg_ticket, monthly_value, value_at_stake,
    settings_version, created_at)
SELECT company_id, id, day, total, flags, v.components, v.reasons, v.offers, cycle,
    CASE WHEN flags & 4 <> 0 THEN 'reactivation' ELSE 'sales' END,
    avg_ticket, monthly, round((monthly * 0.3)::numeric, 2), 1, now()
FROM (
    SELECT c.company_id, c.id, d::date AS day,
        round((random() * 180)::numeric, 2) AS total,
        (ARRAY[0, 0, 0, 1, 2, 3, 8, 4])[1 + floor(random() * 8)::int] AS flags,
        (ARRAY[7.0, 14.0, 21.0, 28.0, 35.0])[1 + floor(random() * 5)::int] AS cycle,
        round((80 + random() * 820)::numeric, 2) AS avg_ticket,
        round((200 + random() * 11800)::numeric, 2) AS monthly
    FROM customers c CROSS JOIN generate_series(:a, :b, interval '1 day') d
    WHERE c.company_id = :c
) s
JOIN growth_variants v ON v.i = (s.id * 31 + (s.day - DATE '2000-01-01')) % 512
"""

_HISTORY = """
INSERT INTO score_history (customer_id, score_date, company_id, total, flags, purpose_code,
    cycle_days, monthly_value)
SELECT id, day, company_id, total, flags, CASE WHEN flags & 4 <> 0 THEN :rescue ELSE :sales END,
    cycle, monthly
FROM (
    SELECT c.id, d::date AS day, c.company_id, random() * 180 AS total,
        (ARRAY[0, 0, 0, 1, 2, 3, 8, 4])[1 + floor(random() * 8)::int] AS flags,
        (ARRAY[7.0, 14.0, 21.0, 28.0, 35.0])[1 + floor(random() * 5)::int] AS cycle,
        200 + random() * 11800 AS monthly
    FROM customers c CROSS JOIN generate_series(:a, :b, interval '1 day') d
    WHERE c.company_id = :c
) s
"""

_PLANS = """
INSERT INTO plans (company_id, user_id, plan_date, status, source, revision, settings_version,
    start_s, end_s, total_m, driving_s, working_s, prize, dropped, created_at)
SELECT :c, u.id, d::date, 'done', 'nightly', 1, 1, 28800, 64800, 0, 0, 0, 0.0,
    '[]'::{dropped}, now()
FROM users u CROSS JOIN generate_series(:a, :b, interval '1 day') d
WHERE u.company_id = :c AND u.role = 'rep'
"""

_STOPS = """
WITH ranked AS (
    SELECT id, owner_id, row_number() OVER (PARTITION BY owner_id ORDER BY id) - 1 AS rn,
        count(*) OVER (PARTITION BY owner_id) AS n
    FROM customers WHERE company_id = :c
)
INSERT INTO plan_stops (plan_id, seq, kind, customer_id, arrival_s, wait_s, start_s,
    departure_s, travel_s, travel_m, score, pinned, appointment, status)
SELECT p.id, k, 'visit', r.id, 28800 + k * 2400, 0, 28800 + k * 2400, 30000 + k * 2400, 600,
    4000, round((10 + random() * 80)::numeric, 2), false, false, 'done'
FROM plans p CROSS JOIN generate_series(0, :stops - 1) k
JOIN ranked r ON r.owner_id = p.user_id
    AND r.rn = (((p.plan_date - :start) * :stops + k) % r.n)
WHERE p.company_id = :c AND p.plan_date BETWEEN :a AND :b
"""

_CONTACTS = """
INSERT INTO contacts (client_uuid, company_id, customer_id, user_id, kind, planned, contact_date,
    check_in_flagged, no_check_in, time_flagged, outcome, created_at, updated_at)
SELECT gen_random_uuid(){uuid_cast}, :c, s.customer_id, p.user_id, 'visit', true, p.plan_date,
    false, false, false,
    (ARRAY['order', 'no_sale', 'order', 'closed'])[1 + floor(random() * 4)::int], now(), now()
FROM plan_stops s JOIN plans p ON p.id = s.plan_id
WHERE p.company_id = :c AND p.plan_date BETWEEN :a AND :b
"""

_ORDERS = """
INSERT INTO orders (company_id, customer_id, erp_code, order_date, total, created_at)
SELECT :c, c.id, 'P' || to_char(d, 'YYYYMMDD') || '-' || c.id, d::date,
    round((80 + random() * 2420)::numeric, 2), now()
FROM customers c CROSS JOIN generate_series(:a, :b, interval '1 day') d
WHERE c.company_id = :c AND random() < 1.0 / :every
"""


def fast_forward(
    app: Any, world: dict[str, Any], first: date, last: date, full_days: int
) -> dict[str, float]:
    """Days ``first``..``last`` built in bulk by the server, as the nightly runs would have left
    them after night ``last``: first the real compaction of earlier full days that leave the
    window, then full snapshots for the days still inside it, compact history for older ones,
    each day's plans, stops, visits and orders, and what autovacuum would have done.

    Simulating every night of a year at 200,000 customers takes most of a day on two cores;
    the state a year of nights leaves is known, so it is written directly and only the nights
    around each checkpoint run for real (and are timed).
    """
    from app.extensions import db
    from app.services import score_retention
    from optimizer.scoring import PURPOSE_NAMES

    company_id = world["company_id"]
    oldest_full = score_retention.cutoff(last, full_days)
    dropped = _column_type(app, "plans", "dropped")
    uuid_cast = "" if _column_type(app, "contacts", "client_uuid") == "uuid" else "::text"
    timings: dict[str, float] = {}

    def timed(name: str, sql: str, a: date, b: date, **extra: Any) -> None:
        if a > b:
            return
        t0 = time.perf_counter()
        params = {"c": company_id, "a": a, "b": b, **extra}
        with app.app_context():
            db.session.execute(sa.text(sql), params)
            db.session.commit()
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0

    with app.app_context():
        db.session.execute(sa.text(_VARIANTS))
        db.session.commit()

    def vacuum_analyze(name: str) -> None:
        t0 = time.perf_counter()
        with app.app_context(), db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in GROWING:
                conn.execute(sa.text(f"VACUUM (ANALYZE) {table}"))
        timings[name] = time.perf_counter() - t0

    # First what the nights would have compacted (full days built before ``first`` that leave
    # the window by ``last``), and its space made reusable, as night after night autovacuum
    # does: inserting the new window before would leave the table with both windows' space.
    t0 = time.perf_counter()
    with app.app_context():
        for old in score_retention.days_to_compact(db.session, company_id, oldest_full):
            score_retention.compact_day(db.session, company_id, old)
            db.session.commit()
    timings["compact_s"] = time.perf_counter() - t0
    vacuum_analyze("vacuum_before_s")
    chunk = timedelta(days=14)  # transactions of two weeks: bounded WAL and memory
    a = first
    while a <= last:
        b = min(a + chunk - timedelta(days=1), last)
        timed(
            "history_s",
            _HISTORY,
            a,
            min(b, oldest_full - timedelta(days=1)),
            rescue=PURPOSE_NAMES.index("reactivation"),
            sales=PURPOSE_NAMES.index("sales"),
        )
        timed("snapshots_s", _FULL_SNAPSHOTS, max(a, oldest_full), b)
        timed("plans_s", _PLANS.format(dropped=dropped), a, b)
        timed("stops_s", _STOPS, a, b, stops=STOPS_PER_DAY, start=world["start"])
        timed("contacts_s", _CONTACTS.format(uuid_cast=uuid_cast), a, b)
        timed("orders_s", _ORDERS, a, b, every=ORDER_EVERY)
        a = b + timedelta(days=1)
    vacuum_analyze("vacuum_s")
    return {k: round(v, 1) for k, v in timings.items()}


def _median_ms(fn: Any, repeat: int) -> float:
    fn()  # warm: the first call pays for imports and a cold cache
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1)


def dashboards(app: Any, world: dict[str, Any], day: date, repeat: int) -> dict[str, float]:
    """Server-side times of the history readers, through the services."""
    from app.extensions import db
    from app.models import User
    from app.security.scope import Scope
    from app.services import kpis, portfolio

    rng = random.Random(day.toordinal())
    out: dict[str, float] = {}
    with app.app_context():
        sup = db.session.get(User, world["supervisor_id"])
        admin = db.session.get(User, world["admin_id"])
        team = Scope.of(sup)
        company = Scope.of(admin)

        def team_dashboard(end: date) -> Any:
            def run() -> None:
                kpis.build_dashboard(kpis.KpiFilter(scope=team, start=end - timedelta(6), end=end))
                db.session.rollback()

            return run

        out["dashboard_team_ms"] = _median_ms(team_dashboard(day), repeat)
        past = day - timedelta(days=180)
        if past >= world["start"]:
            out["dashboard_team_180d_ago_ms"] = _median_ms(team_dashboard(past), repeat)

        def portfolio_page() -> None:
            portfolio.list_customers(scope=company, query=portfolio.PortfolioQuery(), today=day)
            db.session.rollback()

        out["portfolio_company_page_ms"] = _median_ms(portfolio_page, repeat)
        picks = rng.sample(world["customer_ids"], 20)

        def cards() -> None:
            for cid in picks:
                portfolio.get_customer_detail(scope=company, customer_id=cid, today=day)
            db.session.rollback()

        out["customer_card_ms"] = round(_median_ms(cards, max(repeat // 2, 1)) / len(picks), 1)
    return out


def sizes(app: Any) -> dict[str, Any]:
    """The schema's total size and its biggest tables (tables + indexes + TOAST), in MB."""
    from app.extensions import db

    with app.app_context():
        rows = db.session.execute(
            sa.text(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname = current_schema()"
            )
        ).all()
        counts = {
            t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
            for t in ("score_snapshots", "score_history", "contacts", "plan_stops", "orders")
        }
        db.session.rollback()
    mb = {name: round(size / 2**20, 1) for name, size in rows}
    top = dict(sorted(mb.items(), key=lambda kv: -kv[1])[:6])
    return {"total_mb": round(sum(mb.values()), 1), "tables_mb": top, "rows": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--checkpoints", default="30,182,365", help="day numbers to measure")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per dashboard")
    parser.add_argument("--keep", action="store_true", help="keep the schema (prints its URL)")
    parser.add_argument(
        "--fast-forward",
        type=int,
        metavar="NIGHTS",
        help="build the days between checkpoints in bulk and run only the last NIGHTS nights "
        "before each checkpoint for real (the way to reach 200,000 customers in an hour)",
    )
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="never VACUUM (by default, when the server's autovacuum is off, the bench applies "
        "autovacuum's default rules itself after each night)",
    )
    args = parser.parse_args()
    if not PG_URL:
        sys.exit("set ROTEIRO_TEST_POSTGRES_URL (this bench runs on PostgreSQL)")
    checkpoints = sorted({int(x) for x in args.checkpoints.split(",") if x.strip()})
    print(
        f"cores: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}  customers: {args.customers:,}"
        f"  days: {args.days}  checkpoints: {checkpoints}",
        flush=True,
    )
    url, drop = make_database("postgresql", Path(tempfile.mkdtemp()), "growth")
    app = build_app(url)
    migrate_up(app)
    start = date(2026, 1, 1)
    emulate = not args.no_vacuum and not autovacuum_on(app)
    print(
        f"server autovacuum: {'off' if emulate or args.no_vacuum else 'on'}; "
        f"VACUUM (ANALYZE) after each night by the bench: {'yes' if emulate else 'no'}",
        flush=True,
    )
    results: list[dict[str, Any]] = []
    try:
        t0 = time.perf_counter()
        world = seed(app, args.customers, start)
        print(
            f"seeded {args.customers:,} customers, {len(world['by_rep'])} reps "
            f"in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        rng = random.Random(11)
        began = time.perf_counter()
        real_nights = set(range(1, args.days + 1))
        if args.fast_forward is not None:
            real_nights = {
                n
                for point in checkpoints
                for n in range(max(point - args.fast_forward + 1, 1), point + 1)
            }
        built = 0  # the last day written, in bulk or by a real night
        for n in range(1, args.days + 1):
            day = start + timedelta(days=n - 1)
            if n not in real_nights:
                continue
            if n - 1 > built:
                with app.app_context():
                    from app.extensions import db
                    from app.services import score_retention

                    full_days = score_retention.company_full_days(db.session, world["company_id"])
                    db.session.rollback()
                t0 = time.perf_counter()
                bulk = fast_forward(
                    app, world, start + timedelta(days=built), day - timedelta(days=1), full_days
                )
                print(
                    f"  days {built + 1}-{n - 1} built in bulk in "
                    f"{time.perf_counter() - t0:.0f} s: {bulk} (load {os.getloadavg()[0]:.2f})",
                    flush=True,
                )
            built = n
            night = nightly_write(app, world, day, rng)
            day_activity(app, world, day, rng)
            night["vacuum_s"] = vacuum(app) if emulate else 0.0
            if n % 30 == 0 or args.fast_forward is not None:
                print(
                    f"  day {n}: write {night['write_s']:.2f} s,"
                    f" compact {night['compact_s']:.2f} s,"
                    f" analyze {night['analyze_s']:.2f} s,"
                    f" vacuum {night['vacuum_s']:.2f} s"
                    f" ({time.perf_counter() - began:.0f} s so far, load "
                    f"{os.getloadavg()[0]:.2f})",
                    flush=True,
                )
            if n in checkpoints:
                point = {
                    "day": n,
                    "write_s": round(night["write_s"], 2),
                    "compact_s": round(night["compact_s"], 2),
                    "analyze_s": round(night["analyze_s"], 2),
                    "moved": night["moved"],
                    "vacuum_s": round(night["vacuum_s"], 2),
                    **sizes(app),
                    **dashboards(app, world, day, args.repeat),
                    "load": round(os.getloadavg()[0], 2),
                    "real_nights_before": args.fast_forward,
                }
                results.append(point)
                print(json.dumps(point, default=str), flush=True)
    finally:
        with app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        if args.keep:
            print(f"kept: {url}")
        else:
            drop()  # type: ignore[operator]
    print(
        json.dumps(
            {
                "bench": "growth",
                "cores": os.cpu_count(),
                "customers": args.customers,
                "days": args.days,
                "checkpoints": results,
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()
