"""The load bench's server-side profile (app/request_profile.py): off by default; when on,
one record per request with its SQL, pool, CPU and queue figures."""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from tests.conftest import build_app

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from server_profile import table, totals


def _records(directory: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in directory.glob("requests-*.jsonl")
        for line in path.read_text().splitlines()
    ]


def test_profile_is_off_without_a_directory(app: Flask) -> None:
    assert app.config["REQUEST_PROFILE_DIR"] is None
    assert "request_profile" not in app.extensions


def test_profile_records_each_request(app: Flask, tmp_path: Path) -> None:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    profiled = build_app(url, REQUEST_PROFILE_DIR=str(tmp_path))

    @profiled.get("/_three_statements")
    def three_statements() -> dict[str, int]:
        for _ in range(3):
            db.session.execute(sa.text("SELECT 1"))
        db.session.commit()
        return {"ok": 1}

    collector = profiled.extensions["request_profile"]
    try:
        client = profiled.test_client()
        sent = time.time() - 0.25  # as if the request had queued for a quarter of a second
        # A record is written when the server closes the response (gunicorn always does).
        with client.get("/_three_statements", headers={"X-Request-Start": f"t={sent}"}) as page:
            assert page.json == {"ok": 1}
        with client.get("/healthz") as page:
            assert page.status_code == 200
        with client.get("/no-such-page") as page:
            assert page.status_code == 404
    finally:
        gc.callbacks.remove(collector.on_gc)
        collector.close()
        with profiled.app_context():
            db.engine.dispose()

    by_endpoint = {r["endpoint"]: r for r in _records(tmp_path)}
    probe = by_endpoint["three_statements"]
    assert probe["status"] == 200
    assert probe["sql_n"] >= 3  # SQLite adds its explicit BEGIN (app/db_events.py)
    assert probe["pool_out"] >= 1
    assert probe["commit_ms"] > 0
    assert probe["queue_ms"] >= 250
    assert probe["wall_ms"] >= probe["sql_ms"] > 0
    health = by_endpoint["main.healthz"]
    assert health["sql_n"] == 0
    assert health["queue_ms"] is None  # no stamp, no queue figure
    assert by_endpoint["/no-such-page"]["status"] == 404

    statements, _collections, _old = totals(tmp_path)
    assert any(text.startswith("three_statements: SELECT 1") for text in statements)
    lines = table(_records(tmp_path))
    assert any(line.startswith("GET three_statements") for line in lines)
    assert lines[-1].startswith("requests=3 ")
    assert probe["gc_cpu_ms"] >= 0
