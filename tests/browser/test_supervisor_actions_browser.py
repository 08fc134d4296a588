"""A supervisor acts from the list of rescue cases: sends one to telesales with a note, then
books a visit with its rep for tomorrow (the rep's next working day); the seat's call list shows
the request, the rep's week shows the visit, and the plan of that day keeps it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Appointment, CallRequest, Customer, Plan, Role, User
from app.services import planning, work_calendar
from app.services.clock import local_today
from tests.browser.conftest import browser_login, new_context
from tests.support.kpis import ensure_scores

SUPERVISOR = "supervisor1@demo.roteiro.app"


@pytest.fixture(scope="module")
def scored(live_server):  # type: ignore[no-untyped-def]
    return live_server.run(ensure_scores, live_server.today)


def _password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _team_seat() -> tuple[str, str]:
    me = db.session.scalar(sa.select(User).where(User.email == SUPERVISOR))
    seat = db.session.scalar(
        sa.select(User)
        .where(User.team_id == me.team_id, User.role == Role.TELESALES, User.active.is_(True))
        .order_by(User.id)
    )
    return seat.name, seat.email


def _customer(code: str) -> tuple[int, int, str, str, date]:
    """The customer's id, its rep's id, name and e-mail, and the rep's next working day
    from tomorrow on."""
    customer = db.session.scalar(sa.select(Customer).where(Customer.erp_code == code))
    rep = db.session.get(User, customer.owner_id)
    day = local_today() + timedelta(days=1)
    calendar = work_calendar.load(company_id=rep.company_id, since=day, user_ids=[rep.id])
    while not calendar.works(rep, day):
        day += timedelta(days=1)
    return customer.id, rep.id, rep.name, rep.email, day


def _booked(customer_id: int) -> list[tuple[int, date, int, int, str | None]]:
    return [
        (a.user_id, a.day, a.window_start_s, a.window_end_s, a.note)
        for a in db.session.scalars(
            sa.select(Appointment).where(Appointment.customer_id == customer_id)
        )
    ]


def _requests(customer_id: int) -> list[tuple[str | None, date]]:
    return [
        (r.note, r.due_date)
        for r in db.session.scalars(
            sa.select(CallRequest).where(CallRequest.customer_id == customer_id)
        )
    ]


def _plan_keeps(rep_id: int, day: date, customer_id: int) -> bool:
    rep = db.session.get(User, rep_id)
    outcome = planning.plan_rep(rep=rep, day=day, source="manual", week=False)
    db.session.refresh(outcome.plan)
    return any(s.customer_id == customer_id and s.appointment for s in outcome.plan.stops)


def test_send_a_rescue_case_to_telesales_and_book_a_visit_for_tomorrow(
    browser, desk_page, live_server, scored
):
    """Tests both actions from the supervisor's list of rescue cases, and where they show."""
    page = desk_page
    browser_login(page, SUPERVISOR, _password())
    page.goto("/supervisor/clientes?list=rescue")
    rows = page.locator("[data-customer-list] tbody tr")
    expect(rows.first).to_be_visible()
    row = rows.first
    code = row.locator("td").nth(1).locator(".muted").inner_text().strip()
    name = row.locator("td").nth(1).locator("a").inner_text().strip()
    customer_id, rep_id, rep_name, rep_email, day = live_server.run(_customer, code)
    seat_name, seat_email = live_server.run(_team_seat)

    # 1. Send to telesales, with a note; a missing seat is refused next to its field first.
    row.locator("[data-action=telesales]").click()
    expect(page.locator("h1")).to_have_text("Enviar para televendas")
    page.get_by_label("Posição de televendas").select_option(index=0)
    page.get_by_role("button", name="Enviar para a lista de ligações").click()
    error = page.locator("#seat_id ~ .field-error, .has-error .field-error").first
    expect(error).to_contain_text("Escolha uma posição de televendas")
    page.get_by_label("Posição de televendas").select_option(label=seat_name)
    page.get_by_label("Recado para o televendas").fill("Resgate: oferecer a tabela nova")
    page.get_by_role("button", name="Enviar para a lista de ligações").click()
    expect(page).to_have_url(re.compile(r"/supervisor/clientes\?list=rescue"))
    expect(page.locator(".flash-success")).to_contain_text(f"lista de ligações de {seat_name}")
    assert live_server.run(_requests, customer_id) == [
        ("Resgate: oferecer a tabela nova", local_today())
    ]

    # 2. From the same row, book a visit with the customer's rep for tomorrow.
    row = page.locator(f"[data-customer-row='{customer_id}']")
    row.locator("[data-action=visit]").click()
    expect(page.locator("h1")).to_have_text("Agendar visita")
    expect(page.locator("#rep_id")).to_have_value(str(rep_id))
    page.get_by_label("Dia").fill(day.isoformat())
    page.get_by_label("Chegar a partir de").fill("10:00")
    page.get_by_label("Chegar até").fill("11:30")
    page.get_by_label("Recado para o vendedor").fill("Comprador só de manhã")
    page.get_by_role("button", name="Agendar a visita").click()
    expect(page).to_have_url(re.compile(r"/supervisor/clientes\?list=rescue"))
    expect(page.locator(".flash").first).to_contain_text("Visita agendada")
    assert live_server.run(_booked, customer_id) == [
        (rep_id, day, 10 * 3600, 11 * 3600 + 1800, "Comprador só de manhã")
    ]

    # The customer's card says what is ahead and what was done.
    page.goto(f"/carteira/clientes/{customer_id}")
    expect(page.locator("[data-appointment]")).to_contain_text(rep_name)
    expect(page.locator("[data-call-request]")).to_contain_text(seat_name)
    expect(page.locator("[data-action-history]")).to_contain_text("agendou visita")

    # The seat sees the request on today's call list, with the note.
    seat = new_context(browser, live_server, phone=False)
    seat_page = seat.new_page()
    browser_login(seat_page, seat_email, _password())
    seat_page.goto("/televendas/")
    request_row = seat_page.locator(f"#row-{customer_id}")
    expect(request_row).to_contain_text(name)
    expect(request_row.locator("[data-call-request]")).to_contain_text(
        "Resgate: oferecer a tabela nova"
    )
    seat.close()

    # The rep's phone lists the booked visit in the coming days.
    phone = new_context(browser, live_server)
    phone_page = phone.new_page()
    browser_login(phone_page, rep_email, _password())
    phone_page.goto("/semana")
    expect(phone_page.locator("[data-booked]")).to_contain_text(name)
    phone.close()

    # And the plan of that day keeps it (planned again, as the nightly run would).
    assert live_server.run(_plan_keeps, rep_id, day, customer_id)


BOOKED_REP = "rep5@demo.roteiro.app"  # no other browser test uses this rep


def _started_day_with_a_booking() -> str:
    """Rep 5's route of today under way, and a visit booked today outside it."""
    from app.models import PlanStatus
    from app.services import routing
    from tests.support.rep import make_plan

    rep = db.session.scalar(sa.select(User).where(User.email == BOOKED_REP))
    today = local_today()
    old = db.session.scalar(sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == today))
    if old is not None:
        db.session.delete(old)
        db.session.flush()
    facts = sorted(routing.field_customers(rep=rep), key=lambda c: c.id)
    customers = [db.session.get(Customer, f.id) for f in facts[:6]]
    make_plan(rep, customers[:5], today, status=PlanStatus.STARTED)
    booked = customers[5]
    db.session.add(
        Appointment(
            company_id=rep.company_id,
            user_id=rep.id,
            customer_id=booked.id,
            day=today,
            window_start_s=20 * 3600,
            window_end_s=21 * 3600,
            note="Entregar a tabela nova",
        )
    )
    return booked.display_name


def test_the_phone_lists_a_visit_booked_on_a_route_under_way(phone_page, live_server):
    """Tests the rep's day on the phone: a visit booked today on a route already started is
    listed apart, with its window and note, until the rep re-plans."""
    name = live_server.run(_started_day_with_a_booking)
    browser_login(phone_page, BOOKED_REP, _password())
    phone_page.goto("/hoje")
    booked = phone_page.locator("section.booked")
    expect(booked).to_contain_text(name)
    expect(booked).to_contain_text("20:00–21:00")
    expect(booked).to_contain_text("Entregar a tabela nova")
    expect(booked).to_contain_text("Replaneje o resto do dia")
