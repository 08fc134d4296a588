"""The team's day in a real browser: a rep's route on the map in clusters, and the page
refreshing by itself (no reload) after the rep's phone posts a visit."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from tests.browser.conftest import browser_login, new_context, wait_until
from tests.factories import PASSWORD
from tests.support.rep import make_field_rep
from tests.support.web import csrf_from

SUPERVISOR = "supervisor1@demo.roteiro.app"
# The live data set is shared: the new rep joins no team (the supervisors' pages and their
# tests stay as they were) and the company's administrator watches the day.
ADMIN = "admin@demo.roteiro.app"
# Eight shops within a couple of hundred metres: one cluster until the map zooms right in.
CORNER = [(-23.5610 + 0.0004 * i, -46.6560 + 0.0003 * (i % 3)) for i in range(8)]


def _demo_password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _new_rep(live_server):  # type: ignore[no-untyped-def]
    def build():  # type: ignore[no-untyped-def]
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN))
        rep, plan = make_field_rep(admin.company_id, live_server.today, positions=CORNER)
        rep.name = f"Rep Mapa {uuid.uuid4().hex[:4]}"
        db.session.flush()
        first = plan.stops[0]
        return rep.id, rep.email, rep.name, first.id, first.customer_id

    return live_server.run(build)


def test_team_day_clusters_and_refreshes_after_a_check_in(browser, desk_page, live_server):
    """Tests the clustered stop markers with the rep in the legend, then a check-in and a
    check-out posted by the rep's phone showing up on the open page without a reload."""
    live_server.app.config["TEAM_DAY_REFRESH_SECONDS"] = 1
    rep_id, rep_email, rep_name, stop_id, customer_id = _new_rep(live_server)
    page = desk_page
    browser_login(page, ADMIN, _demo_password())
    page.get_by_role("link", name="Dia da equipe").click()
    expect(page.locator("h1")).to_have_text("Dia da equipe")
    page.evaluate("window.__notReloaded = true")

    row = page.locator(f'tr[data-rep="{rep_id}"]')
    expect(row).to_contain_text(rep_name)
    expect(row.locator('[data-field="done"]')).to_have_text("0")
    expect(row.locator('[data-field="remaining"]')).to_have_text("8")
    expect(page.locator("#rep-legend")).to_contain_text(rep_name)
    # The demo has no OSRM: the routes are straight dashed lines, and the page says so.
    expect(page.locator('[data-line-note="straight"]')).to_contain_text("linha reta")
    expect(page.locator("path.route-straight").first).to_be_attached()
    box = page.locator("#team-day-map")
    expect(box).to_have_attribute("data-markers", re.compile(r"^[1-9]\d*$"))
    markers = int(box.get_attribute("data-markers") or 0)
    assert markers >= len(CORNER)
    clusters = page.locator("#team-day-map .marker-cluster")
    expect(clusters.first).to_be_visible()
    shown = page.locator("#team-day-map .stop-marker").count()
    assert shown < markers, "stops close together are drawn as clusters, not one by one"

    phone = new_context(browser, live_server)
    try:
        api = phone.request
        login_page = api.get("/auth/login").text()
        api.post(
            "/auth/login",
            form={
                "csrf_token": csrf_from(login_page),
                "email": rep_email,
                "password": PASSWORD,
            },
        )
        token = csrf_from(api.get("/auth/me").text())
        key = str(uuid.uuid4())
        visit = {"client_uuid": key, "customer_id": customer_id, "stop_id": stop_id}
        headers = {"X-CSRFToken": token}
        lat, lon = CORNER[0]
        checked_in = api.post(
            "/api/rep/contacts",
            data={**visit, "action": "check_in", "lat": lat, "lon": lon, "accuracy": 10},
            headers=headers,
        )
        assert checked_in.ok, checked_in.text()
        expect(row.locator('[data-field="last"]')).to_contain_text("Loja", timeout=10_000)
        checked_out = api.post(
            "/api/rep/contacts",
            data={**visit, "action": "check_out", "outcome": "closed"},
            headers=headers,
        )
        assert checked_out.ok, checked_out.text()
    finally:
        phone.close()

    expect(row.locator('[data-field="done"]')).to_have_text("1", timeout=10_000)
    expect(row.locator('[data-field="remaining"]')).to_have_text("7")
    expect(row.locator('[data-field="progress"]')).to_contain_text("1 de 8")
    assert page.evaluate("window.__notReloaded") is True, "the page updated without a reload"


def test_dashboard_customer_map_is_clustered(desk_page, live_server):  # type: ignore[no-untyped-def]
    """Tests that the dashboard's map draws the team's customers as clusters with counts, not
    one overlapping marker each, and that a cluster opens into its customers when clicked."""
    page = desk_page
    browser_login(page, SUPERVISOR, _demo_password())
    box = page.locator("#team-map")
    expect(box).to_have_attribute("data-loaded", re.compile(r"^[1-9]\d*$"))
    customers = int(box.get_attribute("data-loaded") or 0)
    clusters = box.locator(".marker-cluster")
    expect(clusters.first).to_be_visible()

    def drawn() -> int:
        # While the map settles, the plugin animates old and new clusters side by side.
        return sum(int(t) for t in clusters.all_inner_texts()) + box.locator(".pin").count()

    shown = wait_until(drawn, customers, timeout=10)
    assert shown == customers, "every customer is in one cluster or drawn alone"
    singles = box.locator(".pin").count()
    assert singles < customers / 2, "most customers are grouped at the city-wide zoom"
    before = clusters.count() + singles
    clusters.first.click()
    page.wait_for_timeout(800)  # the zoom animation
    after = box.locator(".marker-cluster").count() + box.locator(".pin").count()
    assert after != before
