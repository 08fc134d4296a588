"""EXPLAIN (ANALYZE, BUFFERS) every SELECT a rep's requests run, on a load bench's database.

    .venv/bin/python bench/load.py --db postgresql --reps 200 --duration 30 --keep
    .venv/bin/python bench/explain_requests.py --db-url '<the "kept database" URL>' \
        [--email rep2@demo.roteiro.app]

Why: on a shared machine a statement's time is mostly the wait for a core, but the pages
(8 kB buffers) it touches and the scans it chooses do not depend on the load. A demo rep
(one with order and visit history) logs in and makes the requests of the load bench
(`/hoje`, `/api/rep/today`, a check-in and a check-out); each SELECT they ran is explained
with its own parameters. Prints, per request, each statement's buffers (shared hit + read),
its execution time, and any sequential scan (with the rows it read): the cost that grows
with history.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "senha-carga-123"  # bench/load.py gives every rep this password
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _walk(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _walk(child)
    return nodes


def explain(conn: Any, statement: str, params: Any) -> tuple[int, float, list[str]]:
    """Buffers touched, execution ms and the sequential scans of one statement."""
    row = conn.exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params
    ).scalar_one()
    top = row[0]
    plan = top["Plan"]
    buffers = int(plan.get("Shared Hit Blocks", 0)) + int(plan.get("Shared Read Blocks", 0))
    scans = [
        f"Seq Scan {n['Relation Name']} ({n['Actual Rows'] + n.get('Rows Removed by Filter', 0)}"
        " rows read)"
        for n in _walk(plan)
        if n["Node Type"] == "Seq Scan"
    ]
    return buffers, float(top["Execution Time"]), scans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--email", default="rep2@demo.roteiro.app")
    args = parser.parse_args()
    os.environ.update(
        ROTEIRO_DATABASE_URL=args.db_url,
        ROTEIRO_CONFIG="demo",
        ROTEIRO_SECRET_KEY=uuid.uuid4().hex,
        ROTEIRO_LOGIN_RATE_LIMIT="100000 per minute",
        ROTEIRO_LOGIN_ACCOUNT_RATE_LIMIT="100000 per minute",
    )
    sys.path.insert(0, str(ROOT))
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db

    app = create_app()
    seen: list[tuple[str, Any]] = []
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            raise SystemExit("EXPLAIN (BUFFERS) needs PostgreSQL")

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
            seen.append((statement, params))

    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = TOKEN_RE.search(page).group(1)  # type: ignore[union-attr]
    client.post(
        "/auth/login", data={"email": args.email, "password": PASSWORD, "csrf_token": token}
    )
    shell = client.get("/hoje").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', shell).group(1)  # type: ignore[union-attr]
    steps: list[tuple[str, Any]] = [("GET /hoje", lambda: client.get("/hoje"))]
    day: dict[str, Any] = {}

    def today() -> Any:
        answer = client.get("/api/rep/today")
        day.update(answer.get_json())
        return answer

    steps.append(("GET /api/rep/today", today))
    visit = str(uuid.uuid4())

    def contact(action: str, **extra: Any) -> Any:
        stop = next(s for s in day["stops"] if s.get("status", "pending") == "pending")
        body = {
            "client_uuid": visit,
            "customer_id": stop.get("customer_id") or stop["customer"]["id"],
            "stop_id": stop["id"],
            "lat": -23.55,
            "lon": -46.63,
            "accuracy": 15,
            "action": action,
            **extra,
        }
        return client.post("/api/rep/contacts", json=body, headers={"X-CSRFToken": csrf})

    steps.append(("POST check-in", lambda: contact("check_in")))
    steps.append(
        (
            "POST check-out",
            lambda: contact("check_out", outcome="order", order_value="180.50"),
        )
    )
    print(f"rep {args.email}; buffers = shared hit + read (8 kB pages); ms = execution")
    for name, run in steps:
        seen.clear()
        status = run().status_code
        statements = [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]
        print(f"== {name} ({status}): {len(seen)} statements, {len(statements)} SELECTs")
        with app.app_context(), db.engine.connect() as conn:
            for statement, params in statements:
                buffers, ms, scans = explain(conn, statement, params)
                text = " ".join(statement.split())
                table = re.search(r"\bFROM (\w+)", text)
                label = f"{table.group(1) if table else '?'}: {text[:70]}"
                print(f"  {buffers:>6} buf {ms:>7.2f} ms  {label}  {'; '.join(scans)}")
            conn.rollback()


if __name__ == "__main__":
    main()
