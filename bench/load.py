"""Load test: 200 field reps at 8 a.m. against gunicorn on SQLite or PostgreSQL (locust, headless).

    .venv/bin/python bench/load.py [--db sqlite|postgresql] [--reps 200] [--duration 60]
                                   [--workers 2] [--threads 4] [--profile] [--keep]

Builds a scratch database (a SQLite file in WAL mode, or a PostgreSQL schema) with the real
migrations, loads the demo distributor
(`flask demo load`), scales it to `--reps` reps (each with 30 customers and a 12-stop plan
for today), starts gunicorn on 127.0.0.1, then runs locust headless with one virtual user
per rep. Each virtual rep logs in and opens today's route (the morning rush: every rep
within `reps / spawn-rate` seconds), then repeatedly reloads the route (the PWA page /hoje
and its JSON /api/rep/today) and records a visit through the rep contacts API (check-in,
then check-out with an order), pausing `--think` seconds between cycles: a day compressed
about tenfold (a real rep visits a customer every 20-40 min). Statistics are reset once
every rep has logged in, so the figures are the working requests (logins: see the note).
Prints p50/p95/p99 per request type, then one summary line: requests, errors (any failure,
5xx included), p50/p95 of all requests, the machine's cores and its load average before and
after the run (the figure means little on a busy machine; say so when recording it).

Before the clock starts the scratch database is analysed, vacuumed and checkpointed
(:func:`_settle`): the run measures a morning, not the aftermath of the bulk load.
``--profile`` also prints what the server itself measured per endpoint (its CPU, SQL count
and time, pool wait, COMMIT, GC, queue; ``app/request_profile.py``), which the machine's load
distorts far less than the client's percentiles; ``--keep`` keeps the database for
``bench/explain_requests.py``.

This file is also the locustfile (locust imports it and finds `RepUser`).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = os.environ.get(
    "ROTEIRO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "senha-carga-123"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

try:
    from locust import HttpUser, between, task
except ImportError:  # only the orchestrator runs without locust
    HttpUser = object  # type: ignore[assignment,misc]

if HttpUser is not object:
    _LOGINS: list[str] = []

    class RepUser(HttpUser):  # type: ignore[misc,valid-type]
        """One field rep working through the day's route."""

        wait_time = between(*(float(x) for x in os.environ.get("LOAD_THINK", "10,30").split(",")))

        def on_start(self) -> None:
            if not _LOGINS:
                _LOGINS.extend(Path(os.environ["LOAD_LOGINS"]).read_text().split())
                random.shuffle(_LOGINS)
            self.email = _LOGINS.pop()
            if os.environ.get("LOAD_STAMP"):
                _stamp_requests(self.client)
            page = self.client.get("/auth/login", name="login page")
            token = TOKEN_RE.search(page.text).group(1)  # type: ignore[union-attr]
            self.client.post(
                "/auth/login",
                data={"email": self.email, "password": PASSWORD, "csrf_token": token},
                name="login",
            )
            shell = self.client.get("/hoje", name="GET /hoje")
            match = re.search(r'data-csrf="([^"]+)"', shell.text)
            self.csrf = match.group(1) if match else token
            self.visited: set[int] = set()

        @task
        def work_a_stop(self) -> None:
            self.client.get("/hoje", name="GET /hoje")
            day = self.client.get("/api/rep/today", name="GET /api/rep/today").json()
            stops = [
                s
                for s in _stops(day)
                if (s.get("customer_id") or s.get("customer"))
                and s.get("status", "pending") == "pending"
                and s.get("id") not in self.visited
            ]
            if not stops:  # every stop visited: the rep only reloads the route
                return
            stop = random.choice(stops)
            self.visited.add(stop.get("id"))  # a stop is visited once (a second is a 409)
            headers = {"X-CSRFToken": self.csrf}
            visit = str(uuid.uuid4())
            customer_id = stop.get("customer_id") or stop["customer"]["id"]
            base = {
                "client_uuid": visit,
                "customer_id": customer_id,
                "stop_id": stop.get("id"),
                "lat": -23.55,
                "lon": -46.63,
                "accuracy": 15,
            }
            self.client.post(
                "/api/rep/contacts",
                json={**base, "action": "check_in"},
                headers=headers,
                name="POST check-in",
            )
            self.client.post(
                "/api/rep/contacts",
                json={**base, "action": "check_out", "outcome": "order", "order_value": "180.50"},
                headers=headers,
                name="POST check-out",
            )

    def _stamp_requests(client: Any) -> None:
        """Send the moment each request leaves the client (``X-Request-Start``), so the
        server's profile can tell the time spent queueing before the app saw it."""
        send = client.request

        def stamped(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            headers = {**(kwargs.pop("headers", None) or {})}
            headers["X-Request-Start"] = f"t={time.time():.6f}"
            return send(method, url, *args, headers=headers, **kwargs)

        client.request = stamped

    def _stops(day: dict) -> list[dict]:
        for key in ("stops", "route"):
            if isinstance(day.get(key), list):
                return day[key]
        plan = day.get("plan") or {}
        return plan.get("stops", []) if isinstance(plan, dict) else []


def _schema_url(pg_url: str) -> tuple[str, str]:
    schema = f"bench_load_{uuid.uuid4().hex[:8]}"
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in pg_url else "?"
    return schema, f"{pg_url}{sep}options=-csearch_path%3D{schema}"


def _drop(pg_url: str, schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def _scale(reps: int) -> list[str]:
    """Add reps (30 customers and a 12-stop plan for today each) up to `reps`; return
    their e-mails."""
    from datetime import time as dtime

    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from app.demo.loader import demo_company_id
    from app.extensions import db
    from app.models import Customer, Plan, PlanStop, Role, User, WorkProfile
    from app.services.clock import local_today

    company_id = demo_company_id()
    existing = list(
        db.session.scalars(
            sa.select(User).where(User.company_id == company_id, User.role == Role.REP)
        )
    )
    # A cheap hash for the load users only: logins are set-up here, not what is measured
    # (production logins use scrypt; see docs/benchmarks.md).
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    for rep in existing:
        rep.password_hash = hashed
    rng = random.Random(7)
    hours = {k: [["08:00", "18:00"]] for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    for n in range(len(existing), reps):
        rep = User(
            company_id=company_id,
            email=f"carga{n}@roteiro.test",
            name=f"Rep Carga {n}",
            role=Role.REP,
            erp_code=f"RC{n:04d}",
            password_hash=hashed,
        )
        db.session.add(rep)
        db.session.flush()
        lat0, lon0 = -23.55 + rng.uniform(-0.2, 0.2), -46.63 + rng.uniform(-0.2, 0.2)
        db.session.add(
            WorkProfile(
                user_id=rep.id,
                start_lat=lat0,
                start_lon=lon0,
                end_lat=lat0,
                end_lon=lon0,
                day_start=dtime(8),
                day_end=dtime(18),
                working_weekdays=0b1111111,
            )
        )
        db.session.execute(
            sa.insert(Customer),
            [
                {
                    "company_id": company_id,
                    "erp_code": f"LC{n:04d}-{k:02d}",
                    "legal_name": f"Cliente {n}-{k} Ltda",
                    "trade_name": f"Cliente {n}-{k}",
                    "segment": "mercearia",
                    "city": "São Paulo",
                    "state": "SP",
                    "latitude": lat0 + rng.uniform(-0.02, 0.02),
                    "longitude": lon0 + rng.uniform(-0.02, 0.02),
                    "opening_hours": hours,
                    "owner_id": rep.id,
                }
                for k in range(30)
            ],
        )
        existing.append(rep)
    today = local_today()
    for rep in existing:
        if db.session.scalar(
            sa.select(Plan.id).where(Plan.user_id == rep.id, Plan.plan_date == today)
        ):
            continue
        ids = db.session.scalars(
            sa.select(Customer.id).where(Customer.owner_id == rep.id).limit(12)
        ).all()
        plan = Plan(
            company_id=company_id,
            user_id=rep.id,
            plan_date=today,
            start_s=8 * 3600,
            end_s=17 * 3600,
        )
        for i, cid in enumerate(ids):
            start = 8 * 3600 + 1800 + i * 2400
            plan.stops.append(
                PlanStop(
                    seq=i + 1,
                    customer_id=cid,
                    arrival_s=start,
                    start_s=start,
                    departure_s=start + 1200,
                    travel_s=600,
                    travel_m=3000,
                )
            )
        db.session.add(plan)
    db.session.commit()
    return [rep.email for rep in existing[:reps]]


def _prepare(url: str, reps: int, env: dict[str, str]) -> list[str]:
    subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "db", "upgrade"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "demo", "load"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from app.extensions import db
    from app.services import db_maintenance

    with create_app().app_context():
        emails = _scale(reps)
        # The reps, customers and plans just added are a bulk load like the demo's: refresh
        # the planner's statistics as every bulk writer of the app does (app/services/
        # db_maintenance.py), or the run measures plans made for the smaller demo.
        db_maintenance.analyze(db.session)
        db.session.commit()
        return emails


def _settle(url: str) -> None:
    """Start the run from a settled database, as a production one is at 8 a.m.

    The demo load and the scaling above write hundreds of megabytes in a minute, which
    no real morning follows. Left as they are, the run pays for them: the first reads of
    each fresh row set its hint bits (dirtying the page again), and PostgreSQL's next
    checkpoint writes all those pages out during the run, so every COMMIT's WAL flush
    queues behind it. VACUUM sets the hint bits and visibility maps now (this server may run
    without autovacuum) and CHECKPOINT writes the pages before the clock starts.
    """
    import sqlalchemy as sa

    from app.models import Base

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                tables = ", ".join(f'"{name}"' for name in sorted(Base.metadata.tables))
                conn.execute(sa.text(f"VACUUM (ANALYZE) {tables}"))
                try:
                    conn.execute(sa.text("CHECKPOINT"))
                except sa.exc.DBAPIError as exc:  # needs superuser or pg_checkpoint
                    print(f"CHECKPOINT refused ({exc.orig}); the run may meet one")
            else:
                conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        engine.dispose()


def _checkpoints(url: str) -> dict[str, float]:
    """PostgreSQL's checkpoint counters (server-wide), to tell whether one ran meanwhile."""
    import sqlalchemy as sa

    if not url.startswith("postgresql"):
        return {}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT checkpoints_timed + checkpoints_req AS checkpoints, "
                    "buffers_checkpoint, buffers_backend, checkpoint_sync_time "
                    "FROM pg_stat_bgwriter"
                )
            ).one()
    finally:
        engine.dispose()
    return {k: float(v) for k, v in row._mapping.items()}


def _report(prefix: Path, reps: int, args: argparse.Namespace) -> None:
    with open(f"{prefix}_stats.csv") as fh:
        rows = list(csv.DictReader(fh))
    print(
        f"db={args.db} cores={os.cpu_count()} reps={reps} duration={args.duration}s "
        f"think={args.think}s gunicorn workers={args.workers} threads={args.threads} "
        "(stats reset after all reps logged in)"
    )
    print(f"{'request':28} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'rps':>6}")
    for r in rows:
        print(
            f"{r['Name']:28} {r['Request Count']:>7} {r['Failure Count']:>5} "
            f"{r['50%']:>6} {r['95%']:>6} "
            f"{r['99%']:>6} {float(r['Requests/s']):6.1f}"
        )
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total is not None:
        print(
            f"SUMMARY db={args.db} requests={total['Request Count']} "
            f"errors={total['Failure Count']} p50={total['50%']}ms p95={total['95%']}ms "
            f"cores={os.cpu_count()} load_before={args.load_before} load_after={_load()}"
        )


def _load() -> str:
    """The 1/5/15-minute load averages, as the figure's context."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    """Poll /healthz until gunicorn answers (fail if it exits)."""
    import urllib.request

    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument(
        "--think", default="10,30", help="Seconds between a rep's actions: MIN,MAX."
    )
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--users", type=int, default=0, help="Virtual reps (default: --reps).")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Also print the server-side breakdown per endpoint (CPU, SQL, pool wait, GC, "
        "queue; app/request_profile.py), which the machine's load distorts far less.",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the scratch database (PostgreSQL schema or SQLite file) and print its URL, "
        "to EXPLAIN the profile's statements afterwards.",
    )
    args = parser.parse_args()
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    tmp = Path(tempfile.mkdtemp(prefix="roteiro-load-"))
    if args.db == "postgresql":
        schema, url = _schema_url(args.pg_url)
    else:
        schema, url = "", f"sqlite:///{tmp / 'load.sqlite3'}"
    env = {
        **os.environ,
        "ROTEIRO_DATABASE_URL": url,
        "ROTEIRO_CONFIG": "demo",
        "FLASK_APP": "app",
        "ROTEIRO_INSTANCE_PATH": str(tmp / "instance"),
        "ROTEIRO_LOGIN_RATE_LIMIT": "100000 per minute",
        "ROTEIRO_SECRET_KEY": uuid.uuid4().hex,
    }
    server = None
    try:
        started = time.perf_counter()
        logins = _prepare(url, args.reps, env)
        _settle(url)
        args.load_before = _load()
        checkpoints = _checkpoints(url)
        print(f"data ready in {time.perf_counter() - started:.0f} s ({len(logins)} reps)")
        (tmp / "logins.txt").write_text("\n".join(logins))
        server_env = dict(env)
        if args.profile:
            server_env["ROTEIRO_REQUEST_PROFILE"] = str(tmp / "profile")
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-c",
                "python:app.gunicorn_conf",
                "-w",
                str(args.workers),
                "-k",
                "gthread",
                "--threads",
                str(args.threads),
                "-b",
                f"127.0.0.1:{args.port}",
                "--timeout",
                "120",
                "--keep-alive",
                "60",
                "--log-level",
                "warning",
                "app:create_app()",
            ],
            env=server_env,
            cwd=ROOT,
        )
        _wait_until_up(args.port, server)
        prefix = tmp / "locust"
        # Locust resets its statistics once every rep is in; the server's table starts then too.
        working_from = time.time() + (args.users or len(logins)) / args.spawn_rate
        subprocess.run(
            [
                str(ROOT / ".venv/bin/locust"),
                "-f",
                __file__,
                "--headless",
                "-u",
                str(args.users or len(logins)),
                "-r",
                str(args.spawn_rate),
                "--reset-stats",
                "-t",
                f"{args.duration}s",
                "--host",
                f"http://127.0.0.1:{args.port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={
                **env,
                "LOAD_LOGINS": str(tmp / "logins.txt"),
                "LOAD_THINK": args.think,
                "LOAD_STAMP": "1" if args.profile else "",
            },
            cwd=ROOT,
            check=False,
        )
        _report(prefix, args.users or len(logins), args)
        after = _checkpoints(url)
        if after:
            moved = {k: int(after[k] - checkpoints[k]) for k in after}
            print(
                "PostgreSQL during the run (whole server): checkpoints={checkpoints} "
                "buffers_checkpoint={buffers_checkpoint} buffers_backend={buffers_backend} "
                "checkpoint_sync_ms={checkpoint_sync_time}".format(**moved)
            )
        failures = prefix.parent / "locust_failures.csv"
        if failures.exists():
            print(failures.read_text()[:2000])
        if args.profile:
            sys.path.insert(0, str(ROOT / "bench"))
            from server_profile import report

            report(tmp / "profile", since=working_from)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:  # a worker stuck on a loaded machine
                server.kill()
                server.wait(timeout=20)
        if args.keep:
            print(f"kept database: {url}")
        elif schema:
            _drop(args.pg_url, schema)


if __name__ == "__main__":
    main()
