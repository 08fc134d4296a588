"""The rep's PWA: what the phone keeps (and forgets at logout), and an unplanned visit."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Contact, Customer, Plan, PlanStop, User
from tests.browser.conftest import browser_login
from tests.browser.test_rep_day import _last_contact_id, _password, rep_plans  # noqa: F401  (session fixture)

EMAIL = "rep1@demo.roteiro.app"

CACHED_URLS = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) out.push(new URL(req.url).pathname);
  }
  return out;
}"""

DAY_COUNT = """() => new Promise((resolve) => {
  const req = indexedDB.open("roteiro-rep");
  req.onsuccess = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains("day")) { resolve(0); return; }
    const count = db.transaction("day").objectStore("day").count();
    count.onsuccess = () => resolve(count.result);
  };
})"""


def test_phone_keeps_only_the_shell_in_cache_and_forgets_the_route_at_logout(
    phone_page,
    live_server,
    rep_plans,  # noqa: F811
):
    """Tests that the service worker caches no per-user page or JSON, and logging out clears
    the kept route."""
    browser_login(phone_page, EMAIL, _password(live_server))
    expect(phone_page.locator(".next-stop")).to_be_visible()
    phone_page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000
    )
    phone_page.reload()
    expect(phone_page.locator(".next-stop")).to_be_visible()
    cached = phone_page.evaluate(CACHED_URLS)
    assert "/hoje/offline" in cached
    assert all(url.startswith("/static/") or url == "/hoje/offline" for url in cached), cached
    assert phone_page.evaluate(DAY_COUNT) == 1

    phone_page.get_by_role("button", name="Sair").click()
    expect(phone_page).to_have_url(re.compile(r"/auth/login"))
    assert phone_page.evaluate(DAY_COUNT) == 0


def _unplanned_customer(email: str, today: date) -> tuple[int, str]:
    """A customer of the rep's portfolio that is not on today's route (the demo's past routes
    may have visited them all)."""
    rep = db.session.scalar(sa.select(User).where(User.email == email))
    planned = (
        sa.select(PlanStop.customer_id)
        .join(Plan)
        .where(Plan.user_id == rep.id, Plan.plan_date == today, PlanStop.customer_id.is_not(None))
    )
    customer = db.session.scalars(
        sa.select(Customer)
        .where(Customer.owner_id == rep.id, Customer.active.is_(True), Customer.id.not_in(planned))
        .order_by(Customer.id)
    ).first()
    return customer.id, customer.trade_name


def _unplanned_contacts(customer_id: int, after: int) -> list[tuple[bool, str | None]]:
    rows = db.session.execute(
        sa.select(Contact.planned, Contact.outcome).where(
            Contact.customer_id == customer_id, Contact.id > after
        )
    )
    return [(planned, outcome.value if outcome else None) for planned, outcome in rows]


def test_unplanned_visit_from_portfolio_search(phone_page, live_server, rep_plans):  # noqa: F811
    """Tests that a rep finds a portfolio customer off the route, checks in and out, and the visit
    is stored unplanned."""
    customer_id, name = live_server.run(_unplanned_customer, EMAIL, live_server.today)
    start = live_server.run(_last_contact_id)
    browser_login(phone_page, EMAIL, _password(live_server))
    expect(phone_page.locator(".next-stop")).to_be_visible()
    phone_page.get_by_role("button", name="Visita avulsa").click()
    sheet = phone_page.locator("#sheet-unplanned")
    sheet.get_by_label("Cliente da sua carteira").fill(name)
    sheet.get_by_role("button", name=re.compile(re.escape(name))).first.click()
    current = phone_page.locator(".next-stop")  # the visit under way is pinned on top
    expect(current.locator(".next-name")).to_have_text(name)
    expect(current).to_contain_text("Em visita desde")
    current.get_by_role("button", name="Check-out", exact=True).click()
    phone_page.locator("#sheet-outcome").get_by_role("button", name="Reagendar").click()
    phone_page.locator(".done-fold summary").click()
    expect(phone_page.locator(".done-fold").get_by_text(name)).to_be_visible()
    expect(phone_page.locator(".done-fold")).to_contain_text("Visita feita · Reagendado")
    expect(phone_page.locator("#rep-status")).to_be_hidden()
    assert live_server.run(_unplanned_contacts, customer_id, start) == [(False, "rescheduled")]
