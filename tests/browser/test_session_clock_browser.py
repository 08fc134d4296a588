"""The browser, the live server and the live data share the session's clock
(tests/support/session_clock.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import time_machine

from app.services.clock import local_today
from tests.browser.conftest import new_context
from tests.support import session_clock

# The page's clock and this process's are read a few calls apart; a page on the real clock
# while the session runs ahead (an evening run, ROTEIRO_TEST_CLOCK) is off by minutes or days.
SAME_CLOCK_S = 30


def test_page_server_and_data_share_one_day(phone_page, live_server) -> None:  # type: ignore[no-untyped-def]
    """Tests that a page's Date reads the session's clock and its day, and that the live
    server's day is still the day its data was loaded for."""
    phone_page.goto("/auth/login")
    page_now_s = phone_page.evaluate("Date.now()") / 1000
    page_day = phone_page.evaluate(
        "new Date().toLocaleDateString('en-CA', {timeZone: 'America/Sao_Paulo'})"
    )
    assert abs(page_now_s - time.time()) < SAME_CLOCK_S
    assert page_day == live_server.today.isoformat()
    assert local_today() == live_server.today
    assert session_clock.current().ends_before().date() > live_server.today


def test_a_new_context_takes_the_clock_it_is_made_at(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    """Tests that `new_context` sets the pages' Date to this process's clock, however far it
    is from the real one, and lets it run on."""
    ahead = datetime.now(UTC) + timedelta(days=3)
    with time_machine.travel(ahead, tick=True):
        context = new_context(browser, live_server)
    try:
        page = context.new_page()
        page.goto("/auth/login")
        first_s = page.evaluate("Date.now()") / 1000
        page.wait_for_timeout(50)
        second_s = page.evaluate("Date.now()") / 1000
    finally:
        context.close()
    assert abs(first_s - ahead.timestamp()) < SAME_CLOCK_S
    assert second_s > first_s
