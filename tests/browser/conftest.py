"""Browser fixtures: a real HTTP server on its own committed database, and Debian's chromium.

The live database is loaded once per backend with a small demo data set (same
generator as `flask demo load`), so pages show realistic data. Tests share it for
the session: write tests that do not depend on each other's changes (use different
reps or customers).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app.extensions import db
from tests.conftest import build_app, make_database, migrate_up
from tests.support import session_clock

CHROMIUM = os.environ.get("ROTEIRO_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("ROTEIRO_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LIVE_CUSTOMERS = 300
LIVE_SEED = 7


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    """A running app: its base URL, the app object and the data set's reference day."""

    url: str
    app: Flask
    today: date

    def run(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Run a function inside the live app's context and commit (for test setup)."""
        with self.app.app_context():
            result = fn(*args, **kwargs)
            db.session.commit()
            return result


def _load_live_data(app: Flask) -> date:
    from app.demo import loader
    from app.services import db_maintenance
    from app.services.clock import local_today

    today = local_today()
    with app.app_context():
        loader.load(seed=LIVE_SEED, today=today, customer_count=LIVE_CUSTOMERS)
        db.session.commit()
        # As `flask demo load` does: without statistics PostgreSQL plans the dashboard's order
        # aggregates as nested loops over "1 row" and a page takes seconds instead of 0.1 s.
        db_maintenance.analyze(db.session())
        db.session.commit()
    return today


@pytest.fixture(scope="session")
def live_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served over real HTTP on 127.0.0.1 with a small demo data set."""
    tmp: Path = tmp_path_factory.mktemp("live")
    url, drop = make_database(backend, tmp, "live")
    app = build_app(url)
    migrate_up(app)
    today = _load_live_data(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, today=today)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
        drop()  # type: ignore[operator]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        if REQUIRE_BROWSER:
            pytest.fail(
                f"chromium is required (ROTEIRO_REQUIRE_BROWSER=1) but {CHROMIUM} is missing"
            )
        pytest.skip(f"browser tests skipped: {CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_context(browser, live_server: LiveServer, *, phone: bool = True, **options):  # type: ignore[no-untyped-def]
    """A fresh browser profile on the session's clock: a phone in São Paulo with geolocation
    allowed, by default. Every test's context comes from here (a bare `browser.new_context`
    would keep the real clock)."""
    settings = {
        "base_url": live_server.url,
        "locale": "pt-BR",
        "timezone_id": "America/Sao_Paulo",
        "permissions": ["geolocation"],
        "geolocation": {"latitude": -23.5505, "longitude": -46.6333, "accuracy": 15},
    }
    if phone:
        settings.update(
            viewport={"width": 360, "height": 640},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
    else:
        settings.update(viewport={"width": 1280, "height": 800})
    settings.update(options)
    context = browser.new_context(**settings)
    # The pages' Date runs on the session's clock, as the live server does: the day and hour a
    # page shows or sends (a check-in's time, a callback's default date) are the server's.
    context.add_init_script(session_clock.browser_date_script())
    return context


@pytest.fixture
def phone_page(browser, live_server):  # type: ignore[no-untyped-def]
    """A page in a fresh phone-sized context (360×640, touch, pt-BR, geolocation granted)."""
    context = new_context(browser, live_server)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desk_page(browser, live_server):  # type: ignore[no-untyped-def]
    """A page in a fresh desktop-sized context (1280×800, pt-BR)."""
    context = new_context(browser, live_server, phone=False)
    page = context.new_page()
    yield page
    context.close()


def browser_login(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real login form."""
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(password)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state("networkidle")


def wait_until(read, expected, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    """Poll ``read()`` (e.g. a query through ``live_server.run``) until it returns ``expected``.

    The phone sends its queue in the background: the server, not the screen, says when
    everything arrived. Returns the last value read (the caller asserts on it).
    """
    import time

    deadline = time.monotonic() + timeout
    value = read()
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value
