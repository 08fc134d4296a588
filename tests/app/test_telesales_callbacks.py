"""Callbacks take a date and a time (issue 17, item 6), validated at the boundary.

A company of its own: one seat, two customers of its portfolio. A callback booked today for
tomorrow stays out of today's work, comes back tomorrow at its hour and counts in tomorrow's list;
a moment in the past or beyond the list's memory is refused with a clear message, and nothing is
stored.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, CompanySettings, Contact, Role, ScoreSnapshot
from app.services import telesales
from app.services.clock import DEFAULT_TZ, local_now
from tests.factories import make_company, make_customer, make_team, make_user
from tests.support.web import login, post_form

DAY = date(2027, 4, 6)
NOW = datetime(2027, 4, 6, 15, 0, tzinfo=DEFAULT_TZ)
TOMORROW = DAY + timedelta(days=1)


@pytest.fixture
def world(db_session):
    company = make_company("Distribuidora Cerrado")
    team = make_team(company)
    db.session.add(CompanySettings(company_id=company.id, version=1, planning={}))
    seat = make_user(company, Role.TELESALES, team, name="Gil Tele")
    w = {"seat": seat}
    for name, score in (("Armazém Um", 70.0), ("Armazém Dois", 40.0)):
        w[name] = make_customer(company, seat, trade_name=name, channel=Channel.TELESALES)
        for day in (DAY, TOMORROW, local_now().date()):
            db.session.add(
                ScoreSnapshot(
                    company_id=company.id,
                    customer_id=w[name].id,
                    score_date=day,
                    total=score,
                    flags=0,
                    reasons=[],
                    offers=[],
                )
            )
    db.session.flush()
    return w


def _callback(w, time_text, date_text, name="Armazém Um"):
    data = telesales.CallInput(
        customer_id=w[name].id,
        client_uuid=str(uuid.uuid4()),
        outcome="callback",
        callback_time=time_text,
        callback_date=date_text,
    )
    return telesales.log_call(seat=w["seat"], data=data, day=DAY, now=NOW)


def _rows(w, now):
    calls = telesales.get_call_list(seat=w["seat"], day=now.date(), now=now)
    return calls, [(r.customer.trade_name, r.state) for r in calls.rows]


def test_callback_on_another_day_comes_back_that_day(world):
    """Tests tomorrow 09:30: out of today's work, later/due tomorrow, in tomorrow's morning list."""
    contact, created = _callback(world, "09:30", TOMORROW.isoformat())
    assert created
    assert contact.callback_at == datetime(2027, 4, 7, 9, 30, tzinfo=DEFAULT_TZ)

    today, rows = _rows(world, NOW)
    assert rows == [("Armazém Dois", "pending"), ("Armazém Um", "done")]
    # the call that booked it was today's work
    assert (today.progress.total, today.progress.worked, today.progress.added) == (2, 1, 0)

    morning = datetime(2027, 4, 7, 8, 0, tzinfo=DEFAULT_TZ)
    calls, rows = _rows(world, morning)
    assert rows == [("Armazém Dois", "pending"), ("Armazém Um", "callback_later")]
    assert (calls.progress.total, calls.progress.added) == (2, 0)

    due = datetime(2027, 4, 7, 9, 31, tzinfo=DEFAULT_TZ)
    calls, rows = _rows(world, due)
    assert rows[0] == ("Armazém Um", "callback_due")
    assert calls.progress.callbacks_due == 1


def test_day_between_the_call_and_the_callback_does_not_count_it(world):
    """Tests a callback two days ahead: on the day in between it is neither total nor added."""
    _callback(world, "11:00", (DAY + timedelta(days=2)).isoformat())
    between = datetime(2027, 4, 7, 11, 0, tzinfo=DEFAULT_TZ)
    calls, rows = _rows(world, between)
    assert rows == [("Armazém Dois", "pending"), ("Armazém Um", "done")]
    p = calls.progress
    assert (p.total, p.worked, p.added, p.callbacks_due) == (1, 0, 0, 0)


@pytest.mark.parametrize(
    ("time_text", "date_text", "code"),
    [
        ("16:00", (DAY - timedelta(days=1)).isoformat(), "callback_time"),  # yesterday
        ("14:00", DAY.isoformat(), "callback_time"),  # today, an hour ago
        ("14:00", "", "callback_time"),  # blank date: today, an hour ago
        ("09:00", "2027-02-31", "callback_time"),  # no such day
        ("", TOMORROW.isoformat(), "callback_time"),  # a day without a time
        ("09:00", (DAY + timedelta(days=telesales.HISTORY_DAYS)).isoformat(), "callback_date"),
    ],
)
def test_callback_in_the_past_or_too_far_is_refused(world, time_text, date_text, code):
    """Tests the boundary: past moments, impossible dates and days beyond the horizon."""
    with pytest.raises(telesales.CallError) as err:
        _callback(world, time_text, date_text)
    assert err.value.code == code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0


def test_last_day_of_the_horizon_is_accepted(world):
    """Tests the horizon's edge: HISTORY_DAYS - 1 days ahead still comes back."""
    last = telesales.callback_horizon(DAY)
    contact, _ = _callback(world, "08:00", last.isoformat())
    assert contact.callback_at.astimezone(DEFAULT_TZ).date() == last


def test_page_books_tomorrow_and_explains_a_past_moment(client, world):
    """Tests the real form in pt-BR: a date field bounded by today, and the error message."""
    login(client, world["seat"].email)
    html = client.get("/televendas/").get_data(as_text=True)
    today = local_now().date()
    assert f'name="callback_date" type="date" value="{today.isoformat()}"' in html
    assert f'min="{today.isoformat()}"' in html
    data = {
        "customer_id": world["Armazém Dois"].id,
        "client_uuid": str(uuid.uuid4()),
        "outcome": "callback",
        "callback_time": "10:15",
        "callback_date": (today + timedelta(days=1)).isoformat(),
    }
    assert post_form(client, "/televendas/ligacoes", data, page="/televendas/").status_code == 302
    stored = db.session.scalar(sa.select(Contact.callback_at))
    assert stored.astimezone(DEFAULT_TZ).replace(tzinfo=None) == datetime.combine(
        today + timedelta(days=1), datetime.min.time()
    ).replace(hour=10, minute=15)

    cid = world["Armazém Um"].id
    past = {
        **data,
        "customer_id": cid,
        "client_uuid": str(uuid.uuid4()),
        "callback_date": "2020-01-01",
    }
    answer = post_form(client, "/televendas/ligacoes", past, page="/televendas/")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    # the message sits in the customer's row, tied to the date field it is about
    row = page.split(f'id="row-{cid}"', 1)[1].split("</li>", 1)[0]
    assert f'<p class="field-error" id="err-{cid}" role="alert" data-field-error>' in row
    assert "Informe data e horário para retornar, depois de agora." in row
    assert f'aria-invalid="true" aria-describedby="err-{cid}" autofocus' in row
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


def test_no_sale_without_a_reason_is_explained_next_to_the_reason(client, world):
    """Tests 'Sem venda' with no reason: 422, the message in the row next to the reason field."""
    login(client, world["seat"].email)
    cid = world["Armazém Um"].id
    data = {"customer_id": cid, "client_uuid": str(uuid.uuid4()), "outcome": "no_sale"}
    answer = post_form(client, "/televendas/ligacoes", data, page="/televendas/")
    assert answer.status_code == 422
    row = answer.get_data(as_text=True).split(f'id="row-{cid}"', 1)[1].split("</li>", 1)[0]
    select = row.split('<select name="no_sale_reason"', 1)[1].split(">", 1)[0]
    assert f'aria-invalid="true" aria-describedby="err-{cid}"' in select
    # in the same block as the reason field, not in the flash area under the header
    block = row.split('<select name="no_sale_reason"', 1)[1].split('class="call-outcome"', 1)[0]
    assert "Escolha o motivo de não venda." in block
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0


def test_a_field_the_form_refuses_is_explained_in_its_row(client, world):
    """Tests that a field refused by the form itself (no outcome, an over-long value) answers
    422 next to the field in the customer's row, and that only a stale form says it expired."""
    login(client, world["seat"].email)
    cid = world["Armazém Um"].id
    base = {"customer_id": cid, "client_uuid": str(uuid.uuid4())}
    missing = post_form(client, "/televendas/ligacoes", base, page="/televendas/")
    assert missing.status_code == 422
    row = missing.get_data(as_text=True).split(f'id="row-{cid}"', 1)[1].split("</li>", 1)[0]
    assert f'<p class="field-error" id="err-{cid}" role="alert" data-field-error>' in row
    assert "Escolha um resultado." in row
    long_value = {**base, "outcome": "order", "order_value": "9" * 40}
    answer = post_form(client, "/televendas/ligacoes", long_value, page="/televendas/")
    assert answer.status_code == 422
    row = answer.get_data(as_text=True).split(f'id="row-{cid}"', 1)[1].split("</li>", 1)[0]
    value_input = row.split('<input name="order_value"', 1)[1].split(">", 1)[0]
    assert f'aria-invalid="true" aria-describedby="err-{cid}"' in value_input
    stale = post_form(client, "/televendas/ligacoes", {"outcome": "order"}, page="/televendas/")
    assert stale.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0
