"""A telesales seat works its call list with the keyboard, including a callback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import Contact, Outcome, User
from app.services.clock import DEFAULT_TZ, local_now
from tests.browser.conftest import browser_login
from tests.support.kpis import ensure_scores

SEAT = "televendas1@demo.roteiro.app"


@pytest.fixture(scope="module")
def scored(live_server):  # type: ignore[no-untyped-def]
    return live_server.run(ensure_scores, live_server.today)


def _password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _seat_calls_today(today) -> list[tuple[int, str, object]]:  # type: ignore[no-untyped-def]
    seat = db.session.scalar(sa.select(User).where(User.email == SEAT))
    rows = db.session.execute(
        sa.select(Contact.customer_id, Contact.outcome, Contact.callback_at)
        .where(Contact.user_id == seat.id, Contact.contact_date == today)
        .order_by(Contact.id)
    )
    return [(cid, str(outcome), cb) for cid, outcome, cb in rows]


def _make_callback_due(customer_id: int) -> None:
    """Move the seat's callback of a customer to a minute ago, as if its time had come."""
    contact = db.session.scalar(
        sa.select(Contact)
        .where(Contact.customer_id == customer_id, Contact.outcome == Outcome.CALLBACK)
        .order_by(Contact.id.desc())
        .limit(1)
    )
    contact.callback_at = local_now() - timedelta(minutes=1)


def _row_id(locator) -> int:  # type: ignore[no-untyped-def]
    return int(locator.get_attribute("id").removeprefix("row-"))


def test_seat_works_calls_with_the_keyboard(desk_page, live_server, scored):
    """Tests not-reached, order and callback by keys, the progress line and the
    callback's return."""
    page = desk_page
    browser_login(page, SEAT, _password())
    expect(page).to_have_url(re.compile(r"/televendas/$"))
    progress = page.locator("[data-progress]")
    expect(progress).to_contain_text("0 de")
    rows = page.locator("[data-row]")
    expect(rows.nth(0)).to_be_focused()
    # Rows of the list as it was at the start of the day: the progress line counts only those.
    # Other tests of the session hand this seat more today (a visit skipped, a call asked for),
    # and where those rank depends on the day's scores.
    morning = page.locator("[data-row][data-state=pending]").filter(
        has_not=page.locator(".flag-collect, [data-call-request]")
    )
    first = _row_id(morning.nth(0))
    page.locator(f"#row-{first}").focus()

    page.keyboard.press("3")  # not reached
    page.wait_for_load_state("networkidle")
    expect(progress).to_contain_text("1 de")
    expect(page.locator(f"#row-{first}")).to_have_attribute("data-state", "retry")

    second = _row_id(morning.nth(0))
    page.locator(f"#row-{second}").focus()
    page.keyboard.press("1")  # focuses the order value
    expect(page.locator(f"#row-{second} [data-field=order]")).to_be_focused()
    page.keyboard.type("1.250,00")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(progress).to_contain_text("2 de")
    expect(page.locator(f"#row-{second}")).to_have_attribute("data-state", "done")

    third = _row_id(rows.nth(0))
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator(f"#row-{third}")).to_be_focused()
    page.keyboard.press("4")  # focuses the callback time
    when = page.locator(f"#row-{third} [data-field=callback]")
    expect(when).to_be_focused()
    when.fill("23:59")
    when.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"#row-{third}")).to_have_attribute("data-state", "callback_later")

    calls = live_server.run(_seat_calls_today, live_server.today)
    assert [(cid, outcome) for cid, outcome, _ in calls[-3:]] == [
        (first, "not_reached"),
        (second, "order"),
        (third, "callback"),
    ]

    live_server.run(_make_callback_due, third)
    page.reload()
    expect(rows.nth(0)).to_have_attribute("id", f"row-{third}")
    expect(rows.nth(0)).to_have_attribute("data-state", "callback_due")
    expect(rows.nth(0)).to_contain_text("Retornar agora")


def test_call_links_open_dialer_and_whatsapp(desk_page, live_server, scored):
    """Tests the tel: and wa.me links of the rows."""
    browser_login(desk_page, SEAT, _password())
    row = desk_page.locator("[data-row]").first
    assert (
        row.locator("a[href^='tel:+55']").count()
        + row.locator("a[href^='https://wa.me/55']").count()
        >= 1
    )


def _callback_of(customer_id: int):  # type: ignore[no-untyped-def]
    return db.session.scalar(
        sa.select(Contact.callback_at)
        .where(Contact.customer_id == customer_id, Contact.outcome == Outcome.CALLBACK)
        .order_by(Contact.id.desc())
        .limit(1)
    )


def test_seat_books_a_callback_for_tomorrow(desk_page, live_server, scored):
    """Tests the date field of a callback: tomorrow 10:30, then the row waits as done today."""
    page = desk_page
    browser_login(page, SEAT, _password())
    row = page.locator("[data-row][data-state=pending]").first
    customer = _row_id(row)
    row.focus()
    page.keyboard.press("4")
    page.locator(f"#row-{customer} [data-field=callback]").fill("10:30")
    day = page.locator(f"#row-{customer} [name=callback_date]")
    expect(day).to_have_value(live_server.today.isoformat())
    tomorrow = live_server.today + timedelta(days=1)
    day.fill(tomorrow.isoformat())
    day.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"#row-{customer}")).to_have_attribute("data-state", "done")
    booked = live_server.run(_callback_of, customer)
    local = booked.astimezone(DEFAULT_TZ)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 10, 30)


def test_no_sale_without_reason_shows_the_error_by_the_field(desk_page, live_server, scored):
    """Tests 'Sem venda' with no reason: message and focus by the field, below the header."""
    page = desk_page
    browser_login(page, SEAT, _password())
    row = page.locator("[data-row][data-state=pending]").nth(2)
    customer = _row_id(row)
    row.focus()
    page.keyboard.press("2")
    reason = page.locator(f"#row-{customer} [data-field=no_sale]")
    expect(reason).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    message = page.locator(f"#row-{customer} [data-field-error]")
    expect(message).to_have_text("Escolha o motivo de não venda.")
    expect(page.locator(f"#row-{customer} [data-field=no_sale]")).to_be_focused()
    expect(message).to_be_in_viewport()
    header = page.locator("header").first.bounding_box()
    box = message.bounding_box()
    assert header is not None
    assert box is not None
    assert box["y"] >= header["y"] + header["height"]
