"""Login limits that hold across workers: per address and per account, in the database or
Redis, with start-up checks of the storage and the trusted-proxy setting.

The gunicorn tests serve the app with 2 workers and fire 40 bad passwords at once: exactly
the configured number get an answer, the rest 429, whichever worker took them. Redis is
ROTEIRO_TEST_REDIS_URL (default redis://127.0.0.1:6379/15); without it the Redis case is
skipped unless ROTEIRO_REQUIRE_REDIS=1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask import Flask

from app import create_app
from app.config import DemoConfig, ProductionConfig
from app.extensions import db
from tests.conftest import build_app, make_database, migrate_up
from tests.support.session_clock import clocked_command, clocked_env
from tests.support.web import csrf_from

REDIS_URL = os.environ.get("ROTEIRO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]
ATTEMPTS = 40


def _redis_problem() -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
    except Exception as exc:  # any client error means "not reachable"
        return f"Redis at {REDIS_URL} is not reachable: {exc}"
    return None


def _bad_login(client, email: str, headers: dict[str, str] | None = None) -> int:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    return client.post(
        "/auth/login",
        data={"email": email, "password": "errada-1234567", "csrf_token": token},
        headers=headers or {},
    ).status_code


def _limited_app(app: Flask, **overrides: object) -> Flask:
    return build_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI="database://",
        RATELIMIT_KEY_PREFIX=f"t{uuid.uuid4().hex[:8]}",
        **overrides,
    )


def test_database_counts_per_address(app, backend):
    """Tests the database storage: the address limit holds for any e-mail typed."""
    limited = _limited_app(app, LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [_bad_login(client, f"x{i}@teste.roteiro.app") for i in range(5)]
    with limited.app_context():
        db.engine.dispose()
    assert codes == [200, 200, 200, 429, 429]


def test_database_counts_per_account_across_addresses(app, backend):
    """Tests the per-account limit: one e-mail tried from many addresses (behind one trusted
    proxy) is stopped, while another account from the same addresses still gets through."""
    limited = _limited_app(app, LOGIN_ACCOUNT_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    client = limited.test_client()
    codes = [
        _bad_login(client, "alvo@teste.roteiro.app", {"X-Forwarded-For": f"198.51.100.{i}"})
        for i in range(4)
    ]
    other = _bad_login(client, "outro@teste.roteiro.app", {"X-Forwarded-For": "198.51.100.1"})
    with limited.app_context():
        db.engine.dispose()
    assert codes == [200, 200, 429, 429]
    assert other == 200


def _app_class(base: type, **attrs: object) -> type:
    return type("StartupCheckConfig", (base,), {"TESTING": False, **attrs})


def test_production_refuses_per_process_limits(tmp_path):
    """Tests the start-up check: production with memory:// does not start; demo warns."""
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(RuntimeError, match="memory://"):
        create_app(
            _app_class(
                ProductionConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_STORAGE_URI="memory://"
            )
        )
    assert create_app(_app_class(ProductionConfig, SQLALCHEMY_DATABASE_URI=url)).config[
        "RATELIMIT_STORAGE_URI"
    ] in ("database://", os.environ.get("ROTEIRO_REDIS_URL"))
    demo = create_app(
        _app_class(DemoConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_STORAGE_URI="memory://")
    )
    assert demo.config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize("hops", ["-1", "two", "9"])
def test_trusted_proxies_setting_is_checked_at_start(tmp_path, hops):
    """Tests that a nonsensical ROTEIRO_TRUSTED_PROXIES stops the start with a clear message."""
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    with pytest.raises(RuntimeError, match="ROTEIRO_TRUSTED_PROXIES"):
        create_app(_app_class(DemoConfig, SQLALCHEMY_DATABASE_URI=url, TRUSTED_PROXIES=hops))


def test_proxy_headers_without_trusted_proxies_are_reported(tmp_path, caplog):
    """Tests the once-per-process error when X-Forwarded-For arrives with no trusted proxy."""
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    app = build_app(url, TRUSTED_PROXIES=0)
    client = app.test_client()
    with caplog.at_level("ERROR", logger="app.security.limits"):
        client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
        client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    said = [r for r in caplog.records if "ROTEIRO_TRUSTED_PROXIES" in r.getMessage()]
    assert len(said) == 1


# --------------------------------------------------------------------------- 2 gunicorn workers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _gunicorn(tmp_path: Path, url: str, storage: str) -> Iterator[str]:
    """Serve the app on ``url`` under gunicorn with 2 workers; limits in ``storage``."""
    migrator = build_app(url)
    migrate_up(migrator)
    with migrator.app_context():
        db.engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "ROTEIRO_CONFIG": "demo",
        "ROTEIRO_DATABASE_URL": url,
        "ROTEIRO_INSTANCE_PATH": str(tmp_path / "instance"),
        "ROTEIRO_SECRET_KEY": "limits-test-secret",
        "ROTEIRO_TRUSTED_PROXIES": "1",
        "ROTEIRO_LOGIN_RATE_LIMIT": "10 per minute",
        "ROTEIRO_LOGIN_ACCOUNT_RATE_LIMIT": "7 per minute",
        "ROTEIRO_RATELIMIT_KEY_PREFIX": f"t{uuid.uuid4().hex[:10]}",
        "ROTEIRO_RATELIMIT_STORAGE_URL": storage,
    }
    env.pop("ROTEIRO_REDIS_URL", None)
    process = subprocess.Popen(
        clocked_command(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:app.gunicorn_conf",  # the settings `make demo` and the README use
                "--workers",
                "2",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "app:create_app()",
            ]
        ),
        cwd=ROOT,
        env=clocked_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        process.stderr.close()  # type: ignore[union-attr]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[str]:
    """gunicorn with the counters in Redis.

    On SQLite only: Redis counts the same whatever the database.
    """
    if problem := _redis_problem():
        if os.environ.get("ROTEIRO_REQUIRE_REDIS") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    with _gunicorn(tmp_path, f"sqlite:///{tmp_path / 'limits.sqlite3'}", REDIS_URL) as base:
        yield base


@pytest.fixture
def database_server(backend: str, tmp_path: Path) -> Iterator[str]:
    """gunicorn with the counters in the app's database (SQLite and PostgreSQL)."""
    url, drop = make_database(backend, tmp_path, "limits")
    try:
        with _gunicorn(tmp_path, url, "") as base:
            yield base
    finally:
        drop()  # type: ignore[operator]


def _storm(base: str, attempts: list[tuple[str, str]]) -> Counter[int | str]:
    """Fire every (e-mail, client address) attempt at once, each from its own session."""
    sessions = []
    for _email, _address in attempts:
        session = requests.Session()
        # No kept-alive connection: gunicorn closes idle ones after 2 s, and a POST sent on
        # one it is closing would fail as a client error, not as the server's answer.
        page = session.get(f"{base}/auth/login", timeout=10, headers={"Connection": "close"})
        sessions.append((session, csrf_from(page.text)))
    start = threading.Barrier(len(attempts))
    codes: list[int | str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        (session, token), (email, address) = sessions[index], attempts[index]
        start.wait()
        try:
            outcome: int | str = session.post(
                f"{base}/auth/login",
                data={"email": email, "password": "errada-1234567", "csrf_token": token},
                headers={"X-Forwarded-For": address},
                timeout=60,
                allow_redirects=False,
            ).status_code
        except requests.RequestException as exc:  # counted, so a lost answer fails the test
            outcome = type(exc).__name__
        with lock:
            codes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(codes)


def _one_address_then_one_account(base: str) -> None:
    """From one address, exactly 10 (the per-address limit) of 40 bad passwords are answered;
    for one account tried from 40 addresses, exactly 7 (the per-account limit)."""
    one_address = [(f"pessoa{i}@teste.roteiro.app", "203.0.113.7") for i in range(ATTEMPTS)]
    assert _storm(base, one_address) == Counter({200: 10, 429: ATTEMPTS - 10})
    one_account = [("alvo@teste.roteiro.app", f"198.51.100.{i}") for i in range(ATTEMPTS)]
    assert _storm(base, one_account) == Counter({200: 7, 429: ATTEMPTS - 7})


@pytest.mark.slow
def test_forty_parallel_bad_passwords_limited_in_total_with_redis(redis_server):
    """Tests the finding (14 of 40 got through 2 workers counting in memory) with Redis."""
    _one_address_then_one_account(redis_server)


@pytest.mark.slow
def test_forty_parallel_bad_passwords_limited_in_total_in_the_database(database_server):
    """Tests the same with the counters in the database, the default without Redis."""
    _one_address_then_one_account(database_server)
