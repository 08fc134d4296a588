"""Measure the rep's day page: server time, bytes on the wire and Lighthouse mobile scores.

    python bench/rep_page.py [--customers 2500] [--requests 300] [--no-lighthouse]

Builds a fresh SQLite database with the demo data set (`flask demo load`'s generator, 2,500
customers by default), scores it and plans today for every rep through the planning
service, then serves the app over real HTTP (werkzeug, threaded, on 127.0.0.1) and:

* times ``--requests`` sequential GETs of the route page (``/hoje``) and of its data
  (``/api/rep/today``) for a logged-in rep, after a warm-up, and prints p50/p95/max;
* loads ``/hoje`` in Debian's chromium at 360×640 (Playwright) with map tiles blocked and
  sums the bytes on the wire (bodies as sent, compressed when the app compresses them) and
  the bodies once decoded; prints the day's JSON size raw, compressed and as a 304;
* times how long a phone that already keeps the day takes to show it when the network
  hangs (a proxy that holds every byte: the service worker answers with the shell after
  its timeout) and on a throttled one (the same proxy at 2 s round trips and 50 KB/s, like
  DevTools' "Slow 3G", service-worker fetches included), from the start of the navigation
  and from the moment the page arrived;
* runs npm ``lighthouse`` (installed under ``bench/node_modules`` if missing) on ``/hoje``
  with the default mobile emulation and throttling, logged in through the session cookie
  passed with ``--extra-headers``, and prints the performance, accessibility and
  best-practices scores.

Prints the machine's core count. Nothing here is a test: figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from tests.conftest import build_app, migrate_up  # noqa: E402

BENCH = ROOT / "bench"
LIGHTHOUSE_VERSION = "12.8.2"  # installed when bench/node_modules has none
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
REP_EMAIL = "rep1@demo.roteiro.app"
# Flask-Login's "strong" session protection ties the session to the user agent, so the
# HTTP client, Playwright and Lighthouse all present this one (a mid-range Android phone).
BENCH_UA = (
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)


def prepare(db_path: Path, customers: int):  # type: ignore[no-untyped-def]
    """Build the app on a fresh database with demo data, scores and today's plans."""
    import sqlalchemy as sa

    from app.demo import loader
    from app.extensions import db
    from app.models import Role, User
    from app.services import planning, scoring
    from app.services.clock import local_today

    app = build_app(f"sqlite:///{db_path}")
    migrate_up(app)
    today = local_today()
    with app.app_context():
        started = time.perf_counter()
        loader.load(seed=42, today=today, customer_count=customers)
        scoring.score_company(session=db.session, company_id=loader.demo_company_id(), day=today)
        reps = list(db.session.scalars(sa.select(User).where(User.role == Role.REP)))
        stops = 0
        for rep in reps:
            outcome = planning.plan_rep(rep=rep, day=today, week=True)
            stops += outcome.stops
        db.session.commit()
        print(
            f"data: {customers} customers, {len(reps)} reps, {stops} stops today "
            f"({time.perf_counter() - started:.1f} s to build)"
        )
    return app


def serve(app):  # type: ignore[no-untyped-def]
    """Serve the app on a free port in a background thread; return the base URL and server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def login(base: str) -> requests.Session:
    """Log in through the real form (CSRF included) as the demo's first rep."""
    from app.demo.people import DEMO_PASSWORD
    from tests.support.web import csrf_from

    session = requests.Session()
    session.headers["User-Agent"] = BENCH_UA
    token = csrf_from(session.get(f"{base}/auth/login").text)
    response = session.post(
        f"{base}/auth/login",
        data={"email": REP_EMAIL, "password": DEMO_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    response.raise_for_status()
    return session


def time_gets(session: requests.Session, url: str, n: int) -> tuple[list[float], int]:
    """Milliseconds of n sequential GETs (after 10 warm-ups) and the body size."""
    size = 0
    for _ in range(10):
        size = len(session.get(url).content)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = session.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return samples, size


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def page_weight(base: str, cookie: dict[str, str]) -> list[tuple[str, int, int]]:
    """(url, bytes on the wire, bytes decoded) of every response when a phone opens /hoje."""
    from playwright.sync_api import sync_playwright

    responses = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROME, args=CHROME_FLAGS.split())
        context = browser.new_context(
            viewport={"width": 360, "height": 640},
            is_mobile=True,
            locale="pt-BR",
            service_workers="block",
            user_agent=BENCH_UA,
        )
        context.add_cookies([{**cookie, "url": base}])
        context.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
        page = context.new_page()
        page.on("response", lambda r: responses.append(r))
        page.goto(f"{base}/hoje")
        page.wait_for_load_state("networkidle")
        sizes = []
        for r in responses:
            wire = r.request.sizes()
            sizes.append(
                (
                    r.url.replace(base, ""),
                    wire["responseBodySize"] + wire["responseHeadersSize"],
                    len(r.body() or b""),
                )
            )
        browser.close()
    return sizes


def json_sizes(session: requests.Session, base: str) -> dict[str, int]:
    """The day's JSON: decoded, compressed (br) and a revalidation that answers 304."""
    plain = session.get(f"{base}/api/rep/today", headers={"Accept-Encoding": "identity"})
    packed = session.get(f"{base}/api/rep/today", headers={"Accept-Encoding": "br"}, stream=True)
    packed_size = len(packed.raw.read(decode_content=False))
    version = plain.json()["version"]
    again = session.get(f"{base}/api/rep/today", headers={"If-None-Match": f'"{version}"'})
    assert again.status_code == 304, again.status_code
    return {"raw": len(plain.content), "br": packed_size, "not_modified": len(again.content)}


SHOWN_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const shown = performance.getEntriesByName("route-shown")[0];
  return { start: 0, response: nav.responseEnd, shown: shown ? shown.startTime : null };
}"""


def stored_route_timings(base: str, runs: int = 5) -> dict[str, list[tuple[float, float]]]:
    """Milliseconds to show the kept route: (from navigation start, from the page's arrival).

    A fresh phone logs in through a proxy, keeps the day and the service worker; then it
    reloads ``runs`` times with the network hanging, and ``runs`` times throttled.
    """
    from playwright.sync_api import sync_playwright

    from app.demo.people import DEMO_PASSWORD
    from tests.support.hanging_proxy import hanging_proxy

    out: dict[str, list[tuple[float, float]]] = {"hanging": [], "slow 3G": []}
    with hanging_proxy(int(base.rsplit(":", 1)[1])) as proxy, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROME, args=CHROME_FLAGS.split())
        context = browser.new_context(
            viewport={"width": 360, "height": 640},
            is_mobile=True,
            locale="pt-BR",
            user_agent=BENCH_UA,
            base_url=proxy.url,
        )
        context.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
        page = context.new_page()
        page.goto("/auth/login")
        page.get_by_label("E-mail").fill(REP_EMAIL)
        page.get_by_label("Senha").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Entrar").click()
        page.locator(".next-stop").wait_for()
        page.wait_for_function(
            "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null"
        )
        page.locator(".rep-updated").wait_for()
        proxy.hang = True
        for _ in range(runs):
            page.reload(timeout=30000)
            page.locator(".next-stop").wait_for(timeout=15000)
            t = page.evaluate(SHOWN_JS)
            out["hanging"].append((t["shown"], t["shown"] - t["response"]))
        proxy.hang = False
        proxy.slow = (2.0, 50 * 1024)  # DevTools' "Slow 3G": 2 s round trips, 400 kbit/s
        for _ in range(runs):
            page.reload(timeout=60000)
            page.locator(".next-stop").wait_for(timeout=30000)
            t = page.evaluate(SHOWN_JS)
            out["slow 3G"].append((t["shown"], t["shown"] - t["response"]))
        browser.close()
    return out


def lighthouse_bin() -> Path:
    """The Lighthouse CLI under bench/node_modules, installed on first use."""
    binary = BENCH / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(BENCH),
                "--no-audit",
                "--no-fund",
                "--no-save",
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
        )
    return binary


def lighthouse(base: str, cookie: dict[str, str]) -> dict[str, float]:
    """Lighthouse mobile scores of /hoje, logged in through the session cookie."""
    out = Path(tempfile.mkdtemp()) / "lh.json"
    headers = json.dumps({"Cookie": f"{cookie['name']}={cookie['value']}"})
    cmd = [
        str(lighthouse_bin()),
        f"{base}/hoje",
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={headers}",
        f"--emulatedUserAgent={BENCH_UA}",
    ]
    subprocess.run(cmd, check=True, env={**os.environ, "CHROME_PATH": CHROME})
    report = json.loads(out.read_text())
    shutil.rmtree(out.parent, ignore_errors=True)
    scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
    audits = report["audits"]
    for key in (
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "cumulative-layout-shift",
        "total-byte-weight",
    ):
        scores[key] = audits[key]["displayValue"]
    failed = [
        a["id"]
        for a in audits.values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") == "binary"
    ]
    scores["failed_binary_audits"] = ", ".join(sorted(failed)) or "none"
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2500)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
        "SQLite; werkzeug threaded"
    )
    with tempfile.TemporaryDirectory() as tmp:
        app = prepare(Path(tmp) / "bench.sqlite3", args.customers)
        base, server = serve(app)
        try:
            session = login(base)
            print("load average before timing: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
            for path in ("/hoje", "/api/rep/today"):
                samples, size = time_gets(session, base + path, args.requests)
                print(
                    f"GET {path:<16} n={len(samples)} p50={statistics.median(samples):.1f} ms "
                    f"p95={percentile(samples, 95):.1f} ms max={max(samples):.1f} ms "
                    f"body={size / 1024:.1f} KB"
                )
            print("load average after timing: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
            cookie = next(
                {"name": c.name, "value": c.value} for c in session.cookies if c.name == "session"
            )
            sizes = page_weight(base, cookie)
            wire, decoded = sum(s[1] for s in sizes), sum(s[2] for s in sizes)
            print(
                f"page weight /hoje (no tiles, no map opened): {wire / 1024:.1f} KB on the wire "
                f"(headers included), {decoded / 1024:.1f} KB decoded, in {len(sizes)} responses"
            )
            for url, on_wire, size in sorted(sizes, key=lambda s: -s[2]):
                print(f"  {on_wire / 1024:7.1f} KB wire {size / 1024:7.1f} KB decoded  {url}")
            sizes_json = json_sizes(session, base)
            print(
                (
                    "day JSON: {raw} B decoded, {br} B brotli, "
                    "{not_modified} B body on a 304 revalidation"
                ).format(**sizes_json)
            )
            print(
                "load average before the stored-route timings: {:.1f} {:.1f} {:.1f}".format(
                    *os.getloadavg()
                )
            )
            for name, samples in stored_route_timings(base).items():
                since_start = [a for a, _ in samples]
                since_page = [b for _, b in samples]
                print(
                    f"stored route shown, network {name}: from navigation start median "
                    f"{statistics.median(since_start):.0f} ms (max {max(since_start):.0f}); "
                    f"from the page's arrival median {statistics.median(since_page):.0f} ms "
                    f"(max {max(since_page):.0f}); n={len(samples)}"
                )
            if not args.no_lighthouse:
                for key, value in lighthouse(base, cookie).items():
                    print(f"lighthouse {key}: {value}")
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
