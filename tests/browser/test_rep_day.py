"""A rep works the day on a phone: route, check-in/out, skip, offline queue, re-plan, scoping."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Contact, Outcome, Plan, PlanStop, Role, StopStatus, User
from tests.browser.conftest import browser_login, wait_until

MIN_STOPS = 4


def _rep(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return user


def _ensure_plans(today) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Score the demo company and plan today for every rep through the planning service (once)."""
    from app.demo.loader import demo_company_id
    from app.services import planning, routing, scoring
    from app.services.clock import local_today
    from tests.support.rep import make_plan

    company_id = demo_company_id()
    scoring.score_company(session=db.session, company_id=company_id, day=today)
    plans: dict[str, int] = {}
    reps = db.session.scalars(sa.select(User).where(User.role == Role.REP).order_by(User.email))
    for rep in reps:
        plan = db.session.scalar(
            sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == local_today())
        )
        if plan is not None and len(plan.stops) >= MIN_STOPS:
            plans[rep.email] = plan.id  # another module of this session planned it already
            continue
        plan = planning.plan_rep(rep=rep, day=local_today(), week=False).plan
        if plan is None or len([s for s in plan.stops if s.customer_id]) < MIN_STOPS:
            # A day the rep does not work (weekend, holiday): the same route, built by hand.
            if plan is not None:
                db.session.delete(plan)
                db.session.flush()
            customers = sorted(
                routing.field_customers(rep=rep),  # only customers with a position
                key=lambda c: (c.latitude, c.id),
            )[:8]
            plan = make_plan(rep, customers, local_today())
        plans[rep.email] = plan.id
    return plans


@pytest.fixture(scope="session")
def rep_plans(live_server):  # type: ignore[no-untyped-def]
    """Today's plans for all demo reps (created once per live server)."""
    return live_server.run(_ensure_plans, live_server.today)


def _password(live_server) -> str:  # type: ignore[no-untyped-def]
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _stops(plan_id: int) -> list[tuple[int, int, str, float, float, str]]:
    plan = db.session.get(Plan, plan_id)
    return [
        (
            s.id,
            s.customer_id,
            s.customer.display_name,
            s.customer.latitude,
            s.customer.longitude,
            s.status.value,
        )
        for s in plan.stops
        if s.customer_id  # type: ignore[union-attr]
    ]


def _last_contact_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(Contact.id))) or 0


def _contacts(email: str, after: int) -> list[tuple[str, int, str | None, str | None]]:
    """The rep's contacts created after a given id (the demo history comes before)."""
    rep = _rep(email)
    rows = db.session.scalars(
        sa.select(Contact).where(Contact.user_id == rep.id, Contact.id > after).order_by(Contact.id)
    )
    return [
        (
            str(c.client_uuid),
            c.customer_id,
            c.outcome.value if c.outcome else None,
            str(c.order_value) if c.order_value is not None else None,
        )
        for c in rows
    ]


def _open_today(page, live_server, email: str) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, email, _password(live_server))
    expect(page).to_have_url(re.compile(r"/hoje$"))
    expect(page.locator(".next-stop")).to_be_visible()


def test_rep_checks_in_orders_and_skips(phone_page, live_server, rep_plans):
    """Tests that a rep opens today's route, checks in at the customer, checks out with an order and
    skips a stop."""
    email = "rep3@demo.roteiro.app"
    stops = live_server.run(_stops, rep_plans[email])
    start = live_server.run(_last_contact_id)
    first, second = stops[0], stops[1]
    phone_page.context.set_geolocation(
        {"latitude": first[3], "longitude": first[4], "accuracy": 10}
    )
    _open_today(phone_page, live_server, email)
    next_card = phone_page.locator(".next-stop")
    expect(next_card.locator(".next-name")).to_have_text(first[2])
    expect(phone_page.locator(".stop-card")).to_have_count(len(stops) - 1)

    next_card.get_by_role("button", name="Check-in", exact=True).click()
    expect(next_card.get_by_text(re.compile("Em visita desde"))).to_be_visible()
    next_card.get_by_role("button", name="Check-out", exact=True).click()
    sheet = phone_page.locator("#sheet-outcome")
    sheet.get_by_role("button", name="Pedido").click()
    sheet.get_by_label("Valor do pedido (R$)").fill("1.234,56")
    sheet.get_by_role("button", name="Salvar pedido").click()
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(second[2])

    phone_page.locator(".next-stop").get_by_role("button", name="Pular").click()
    phone_page.locator("#sheet-skip").get_by_role("button", name="Comprador ausente").click()
    expect(phone_page.locator(".done-fold summary")).to_have_text("Feitas (2)")
    expected = [(first[1], "order", "1234.56"), (second[1], "skipped", None)]
    seen = wait_until(
        lambda: [(c[1], c[2], c[3]) for c in live_server.run(_contacts, email, start)], expected
    )
    assert seen == expected
    expect(phone_page.locator("#rep-status")).to_be_hidden()
    contacts = live_server.run(_contacts, email, start)
    statuses = [s[5] for s in live_server.run(_stops, rep_plans[email])[:2]]
    assert statuses == [StopStatus.DONE.value, StopStatus.SKIPPED.value]
    flagged = live_server.run(
        lambda: db.session.scalar(
            sa.select(Contact.check_in_flagged).where(
                Contact.client_uuid == uuid.UUID(contacts[0][0])
            )
        )
    )
    assert flagged is False


def _wait_for_service_worker(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000
    )


def test_offline_outcomes_are_kept_and_sent_once(phone_page, live_server, rep_plans):
    """Tests that two outcomes recorded offline survive a reload without signal and reach the
    server once each."""
    email = "rep4@demo.roteiro.app"
    stops = live_server.run(_stops, rep_plans[email])
    start = live_server.run(_last_contact_id)
    _open_today(phone_page, live_server, email)
    _wait_for_service_worker(phone_page)
    context = phone_page.context
    context.set_offline(True)

    card = phone_page.locator(".next-stop")
    card.get_by_role("button", name="Check-in", exact=True).click()
    card.get_by_role("button", name="Check-out", exact=True).click()
    phone_page.locator("#sheet-outcome").get_by_role("button", name="Fechado").click()
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(stops[1][2])
    phone_page.locator(".next-stop").get_by_role("button", name="Check-in", exact=True).click()
    phone_page.locator(".next-stop").get_by_role("button", name="Check-out", exact=True).click()
    outcome = phone_page.locator("#sheet-outcome")
    outcome.get_by_label("Observação (opcional)").fill("Volta na quinta")
    outcome.get_by_role("button", name="Sem venda").click()
    outcome.get_by_role("button", name="Estoque cheio").click()
    expect(phone_page.locator(".done-fold summary")).to_have_text("Feitas (2)")
    expect(phone_page.locator("#rep-status")).to_have_text("offline · 2 pendentes")
    assert live_server.run(_contacts, email, start) == []

    phone_page.reload()
    expect(phone_page.locator(".next-stop .next-name")).to_have_text(stops[2][2])
    expect(phone_page.locator(".done-fold summary")).to_have_text("Feitas (2)")
    expect(phone_page.locator("#rep-status")).to_have_text("offline · 2 pendentes")
    phone_page.locator(".stop-card .stop-link").first.click()
    expect(phone_page).to_have_url(re.compile(r"/hoje/paradas/\d+$"))
    expect(phone_page.get_by_role("heading", name="Horário de funcionamento")).to_be_visible()
    expect(phone_page.get_by_role("link", name=re.compile("Waze"))).to_be_visible()

    context.set_offline(False)
    expect(phone_page.locator("#rep-status")).to_be_hidden(timeout=15000)
    contacts = live_server.run(_contacts, email, start)
    assert sorted((c[1], c[2]) for c in contacts) == sorted(
        [(stops[0][1], Outcome.CLOSED.value), (stops[1][1], Outcome.NO_SALE.value)]
    )
    assert len({c[0] for c in contacts}) == 2


def _other_stop(plan_id: int) -> int:
    return db.session.scalars(sa.select(PlanStop.id).where(PlanStop.plan_id == plan_id)).first()


def test_rep_cannot_open_another_reps_stop(phone_page, live_server, rep_plans):
    """Tests that opening another rep's stop answers the 404 page, while the rep's
    own stop opens."""
    own = live_server.run(_other_stop, rep_plans["rep6@demo.roteiro.app"])
    other = live_server.run(_other_stop, rep_plans["rep7@demo.roteiro.app"])
    _open_today(phone_page, live_server, "rep6@demo.roteiro.app")
    response = phone_page.goto(f"/hoje/paradas/{other}")
    assert response.status == 404
    response = phone_page.goto(f"/hoje/paradas/{own}")
    assert response.status == 200
    expect(phone_page.get_by_role("link", name=re.compile("Waze"))).to_be_visible()
    expect(phone_page.get_by_role("heading", name="Horário de funcionamento")).to_be_visible()


def test_today_fits_a_phone_with_big_targets(phone_page, live_server, rep_plans):
    """Tests that today's route has no horizontal scroll at 360 px and its buttons are at
    least 48 px tall."""
    _open_today(phone_page, live_server, "rep8@demo.roteiro.app")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    heights = phone_page.eval_on_selector_all(
        "#rep-app button, #rep-app .button",
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)",
    )
    assert heights
    assert min(heights) >= 48


def test_map_shows_the_route_without_tiles(phone_page, live_server, rep_plans):
    """Tests that the map view draws a marker per stop and the route line even when
    no tile loads."""
    email = "rep8@demo.roteiro.app"
    stops = live_server.run(_stops, rep_plans[email])
    phone_page.context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1).*"), lambda route: route.abort()
    )
    _open_today(phone_page, live_server, email)
    phone_page.get_by_role("button", name="Mapa").click()
    markers = phone_page.locator("#rep-map path.leaflet-interactive")
    expect(markers).to_have_count(len(stops) + 1)  # one circle per stop and the polyline
    expect(phone_page.locator(".stop-list")).to_be_hidden()
    phone_page.get_by_role("button", name="Lista").click()
    expect(phone_page.locator(".next-stop")).to_be_visible()


def _give_regular_day(plan_id: int) -> str:
    """Put the plan's next stop's customer on Tuesdays of weeks 1 and 3 of its rep's calendar."""
    from app.models import CalendarSlot, VisitCalendar
    from app.services import visit_calendars

    plan = db.session.get(Plan, plan_id)
    stop = next(s for s in plan.stops if s.customer_id and s.status == StopStatus.PENDING)
    calendar = visit_calendars.calendar_for(rep_id=plan.user_id)
    if calendar is None:
        calendar = VisitCalendar(
            company_id=plan.company_id,
            user_id=plan.user_id,
            cycle_start=visit_calendars.cycle_monday(plan.plan_date),
        )
        db.session.add(calendar)
        db.session.flush()
    slot = next((s for s in calendar.slots if s.customer_id == stop.customer_id), None)
    if slot is None:
        slot = CalendarSlot(customer_id=stop.customer_id, weekday=1, weeks=0)
        calendar.slots.append(slot)
    slot.weekday, slot.weeks = 1, 0b0101
    db.session.flush()
    return stop.customer.display_name


def test_today_cards_show_the_customers_regular_day(phone_page, live_server, rep_plans):
    """Tests that the next-stop card and the stop's page say the customer's regular day in the
    visit calendar, in the rep's language."""
    email = "rep2@demo.roteiro.app"
    name = live_server.run(_give_regular_day, rep_plans[email])
    _open_today(phone_page, live_server, email)
    card = phone_page.locator(".next-stop")
    expect(card.locator(".next-name")).to_have_text(name)
    expect(card.locator("[data-regular-day]")).to_have_text("Dia regular: terça, semanas 1 e 3")
    card.locator(".next-name a").click()
    expect(phone_page.locator("#stop-h")).to_have_text(name)
    expect(phone_page.locator(".next-stop [data-regular-day]")).to_have_text(
        "Dia regular: terça, semanas 1 e 3"
    )
