"""A supervisor opens a rep's visit calendar, switches the day map, moves a customer to
another day and pins and unpins it, in a real browser."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import CalendarSlot, CalendarTrigger, Role, User
from app.services import visit_calendars
from optimizer.visit_calendar import allowed_patterns
from tests.browser.conftest import browser_login

SUPERVISOR = "supervisor1@demo.roteiro.app"


def _password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _calendar_of_a_team_rep() -> int:
    """Compute the visit calendar of the last field rep of the supervisor's team."""
    me = db.session.scalar(sa.select(User).where(User.email == SUPERVISOR))
    rep = db.session.scalar(
        sa.select(User)
        .where(User.role == Role.REP, User.team_id == me.team_id, User.active.is_(True))
        .order_by(User.id.desc())
    )
    if visit_calendars.calendar_for(rep_id=rep.id) is None:
        visit_calendars.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=5)
    return rep.id


def _a_move(rep_id: int) -> tuple[int, str, int, tuple[int, ...]]:
    """A customer that is not pinned and a slot the rules allow on another weekday."""
    rep = db.session.get(User, rep_id)
    job = visit_calendars.prepare(rep=rep, trigger=CalendarTrigger.SETUP).work
    slots = {s.customer_id: s for s in visit_calendars.calendar_for(rep_id=rep_id).slots}
    for customer in job.customers:
        slot = slots.get(int(customer.id))
        if slot is None or slot.pinned or customer.cadence != "fortnightly":
            continue
        free = replace(customer, pinned=False)
        allowed, _conflict = allowed_patterns(free, job.rep, job.settings)
        other = [p for p in allowed if p.weekday != slot.weekday]
        if other:
            name = slot.customer.display_name
            return slot.customer_id, name, other[0].weekday, other[0].weeks
    raise AssertionError("no fortnightly customer can move in the demo portfolio")


def _slot(customer_id: int) -> tuple[int, int, bool]:
    slot = db.session.scalar(sa.select(CalendarSlot).where(CalendarSlot.customer_id == customer_id))
    return slot.weekday, slot.weeks, slot.pinned


@pytest.fixture(scope="module")
def rep_id(live_server):  # type: ignore[no-untyped-def]
    return live_server.run(_calendar_of_a_team_rep)


def test_move_and_pin_a_customer(desk_page, live_server, rep_id):
    """Tests the grid and day map, a move (pinned by default), then unpin and pin again."""
    page = desk_page
    browser_login(page, SUPERVISOR, _password())
    page.goto("/supervisor/calendario")
    page.locator(f'a[href$="/supervisor/calendario/{rep_id}"]').click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("Calendário de visitas de")
    expect(page.locator(".cal-grid tbody tr")).to_have_count(4)
    expect(page.locator("#cal-map")).to_have_attribute("data-loaded", re.compile(r"^\d+$"))

    # The map follows the day chosen in the grid, without leaving the page.
    links = page.locator("[data-map-day]")
    last = links.nth(links.count() - 1)
    day = last.get_attribute("data-map-day")
    last.click()
    expect(page.locator("#cal-map")).to_have_attribute("data-day", day)
    expect(page.locator(f'.cal-day[data-date="{day}"]')).to_have_class(re.compile("is-mapped"))

    customer_id, name, weekday, weeks = live_server.run(_a_move, rep_id)
    page.locator(f'li[data-customer="{customer_id}"] a').first.click()
    page.wait_for_load_state("networkidle")
    panel = page.locator("#painel")
    expect(panel.locator("h2")).to_have_text(name)
    expect(panel.locator("[data-pinned]")).to_have_attribute("data-pinned", "no")

    day_names = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")
    panel.get_by_label("Dia da semana").select_option(str(weekday))
    panel.get_by_label("Semanas do ciclo").select_option(",".join(str(w) for w in weeks))
    expect(
        panel.get_by_label("Manter neste dia quando o calendário for reotimizado")
    ).to_be_checked()
    panel.get_by_role("button", name="Mover", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".flash-success")).to_contain_text("agora é visitado")
    said = f"{day_names[weekday]}, semanas {weeks[0] + 1} e {weeks[1] + 1}"
    expect(panel.locator("[data-regular-day]")).to_have_text(said)
    expect(panel.locator("[data-pinned]")).to_have_attribute("data-pinned", "yes")
    cells = page.locator(f'.cal-day:has(li[data-customer="{customer_id}"])')
    expect(cells).to_have_count(2)  # fortnightly: two weeks of the four
    for k in range(2):
        shown = date.fromisoformat(cells.nth(k).get_attribute("data-date"))
        assert shown.weekday() == weekday
        expect(cells.nth(k).locator(f'li[data-customer="{customer_id}"]')).to_contain_text("fixado")
    assert live_server.run(_slot, customer_id) == (
        weekday,
        sum(1 << w for w in weeks),
        True,
    )

    panel.get_by_role("button", name=re.compile("Desafixar")).click()
    page.wait_for_load_state("networkidle")
    expect(panel.locator("[data-pinned]")).to_have_attribute("data-pinned", "no")
    assert live_server.run(_slot, customer_id)[2] is False

    panel.get_by_role("button", name=re.compile("Fixar neste dia")).click()
    page.wait_for_load_state("networkidle")
    expect(panel.locator("[data-pinned]")).to_have_attribute("data-pinned", "yes")
    assert live_server.run(_slot, customer_id) == (weekday, sum(1 << w for w in weeks), True)


def test_refused_move_is_shown_next_to_the_weekday(desk_page, live_server, rep_id):
    """Tests a move the rules refuse (a day the customer is closed): the reason by its field."""
    page = desk_page
    found = live_server.run(_closed_weekday, rep_id)
    if found is None:
        pytest.skip("every demo customer of this rep opens on every working day")
    customer_id, weekday = found
    browser_login(page, SUPERVISOR, _password())
    page.goto(f"/supervisor/calendario/{rep_id}?cliente={customer_id}")
    panel = page.locator("#painel")
    before = live_server.run(_slot, customer_id)
    panel.get_by_label("Dia da semana").select_option(str(weekday))
    panel.get_by_role("button", name="Mover", exact=True).click()
    page.wait_for_load_state("networkidle")
    weekday_field = panel.locator(".field.has-error").first
    expect(weekday_field).to_contain_text("fechado")
    expect(weekday_field.locator("select")).to_have_attribute("id", "weekday")
    assert live_server.run(_slot, customer_id) == before


def _closed_weekday(rep_id: int) -> tuple[int, int] | None:
    """A customer and a working weekday it is closed on, if the portfolio has one."""
    rep = db.session.get(User, rep_id)
    job = visit_calendars.prepare(rep=rep, trigger=CalendarTrigger.SETUP).work
    working = [d for d in range(7) if job.rep.capacity_s[d] > 0]
    for customer in job.customers:
        closed = [d for d in working if d not in customer.open_weekdays]
        if closed and customer.open_weekdays & set(working):
            return int(customer.id), closed[0]
    return None
