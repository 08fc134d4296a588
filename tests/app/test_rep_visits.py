"""The visit state machine behind the phone: impossible sequences refused, conflicts kept
apart, phone clocks corrected, same-day corrections audited, money read one way."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, Contact, Outcome, StopStatus
from app.services.clock import local_today
from app.services.money import MoneyError, parse_money
from app.services.visits import CORRECTED, settle_time
from tests.factories import make_customer, two_teams
from tests.support.rep import make_plan, make_settings
from tests.support.web import csrf_token, login

AT_CUSTOMER = {"lat": -23.5401, "lon": -46.5761, "accuracy": 12}
MONEY_CASES = json.loads((Path(__file__).parents[1] / "data" / "money_cases.json").read_text())[
    "cases"
]


@pytest.fixture
def world(db_session):
    w = two_teams()
    make_settings(w["company"].id)
    w["c_rep1b"] = make_customer(w["company"], w["rep1"], trade_name="Empório do Rep Um")
    w["plan"] = make_plan(w["rep1"], [w["c_rep1"], w["c_rep1b"]], local_today())
    return w


@pytest.fixture
def rep1(client, world):
    login(client, world["rep1"].email)
    token = csrf_token(client, "/auth/me")

    def post(body):
        return client.post("/api/rep/contacts", json=body, headers={"X-CSRFToken": token})

    return post


def _visit(world, action, key=None, stop=0, **extra):
    stop_row = world["plan"].stops[stop]
    return {
        "client_uuid": key or str(uuid.uuid4()),
        "action": action,
        "customer_id": stop_row.customer_id,
        "stop_id": stop_row.id,
        **extra,
    }


def _contact(key: str) -> Contact:
    contact = db.session.scalar(sa.select(Contact).where(Contact.client_uuid == uuid.UUID(key)))
    db.session.refresh(contact)
    return contact


def _contacts_of_stop(world, stop=0) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Contact)
        .where(Contact.customer_id == world["plan"].stops[stop].customer_id)
    )


def _refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["message"] != code
    return error


def test_check_out_without_check_in_is_refused_unless_explicit(rep1, world):
    """Tests that a bare check-out answers 422, and the explicit 'without check-in' is
    stored flagged."""
    key = str(uuid.uuid4())
    bare = _visit(world, "check_out", key, outcome="closed")
    _refused(rep1(bare), 422, "not_checked_in")
    assert _contacts_of_stop(world) == 0
    response = rep1({**bare, "without_check_in": True})
    assert response.status_code == 201
    body = response.get_json()["contact"]
    assert (body["outcome"], body["no_check_in"], body["check_in_at"]) == ("closed", True, None)
    assert rep1({**bare, "without_check_in": True}).status_code == 200  # a re-send
    db.session.refresh(world["plan"].stops[0])
    assert world["plan"].stops[0].status == StopStatus.DONE


def test_a_later_different_outcome_never_overwrites_an_order(rep1, world):
    """Tests that a second check-out with another outcome is refused (409) and the order stays."""
    key = str(uuid.uuid4())
    assert rep1(_visit(world, "check_in", key, **AT_CUSTOMER)).status_code == 201
    order = _visit(world, "check_out", key, outcome="order", order_value="250,00")
    assert rep1(order).status_code == 200
    assert rep1(order).status_code == 200  # the same check-out again: a re-send
    error = _refused(
        rep1(_visit(world, "check_out", key, outcome="no_sale", reason="preco")),
        409,
        "already_finished",
    )
    assert error["contact"]["outcome"] == "order"
    assert error["contact"]["order_value"] == "250.00"
    _refused(rep1(_visit(world, "skip", key, reason="preco")), 409, "already_finished")
    contact = _contact(key)
    assert (contact.outcome, contact.order_value) == (Outcome.ORDER, Decimal("250.00"))


def test_skip_during_an_open_visit_is_refused(rep1, world):
    """Tests that skipping a stop whose visit is open answers 409 visit_open."""
    key = str(uuid.uuid4())
    rep1(_visit(world, "check_in", key))
    _refused(rep1(_visit(world, "skip", key, reason="preco")), 409, "visit_open")
    assert _contact(key).outcome is None


def test_a_second_tab_cannot_start_another_visit_on_the_same_stop(rep1, world):
    """Tests that two UUIDs on one stop end with one visit: the second gets the first back."""
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    assert rep1(_visit(world, "check_in", first)).status_code == 201
    error = _refused(rep1(_visit(world, "check_in", second)), 409, "visit_open")
    assert error["contact"]["client_uuid"] == first
    rep1(_visit(world, "check_out", first, outcome="closed"))
    error = _refused(rep1(_visit(world, "skip", second, reason="preco")), 409, "stop_taken")
    assert error["contact"]["client_uuid"] == first
    _refused(rep1(_visit(world, "check_in", second)), 409, "stop_taken")
    assert _contacts_of_stop(world) == 1


def test_a_skipped_stop_stays_skipped(rep1, world):
    """Tests that checking in or out on a skipped visit is refused, and a re-sent skip
    is idempotent."""
    key = str(uuid.uuid4())
    skip = _visit(world, "skip", key, stop=1, reason="preco")
    assert rep1(skip).status_code == 201
    assert rep1(skip).status_code == 200
    _refused(rep1(_visit(world, "check_in", key, stop=1)), 409, "visit_skipped")
    _refused(rep1(_visit(world, "check_out", key, stop=1, outcome="closed")), 409, "visit_skipped")
    _refused(rep1(_visit(world, "skip", key, stop=1, reason="estoque_cheio")), 409, "visit_skipped")
    assert _contact(key).no_sale_reason == "preco"


def test_timestamps_outside_a_sane_window(rep1, world):
    """Tests that an ancient action is refused, a future one clamped, and both extremes flagged."""
    _refused(rep1(_visit(world, "check_in", at="1999-01-01T10:00:00Z")), 422, "too_old")
    key = str(uuid.uuid4())
    before = datetime.now(UTC)
    assert rep1(_visit(world, "check_in", key, at="9999-12-31T23:59:00Z")).status_code == 201
    contact = _contact(key)
    assert before - timedelta(seconds=5) <= contact.check_in_at <= datetime.now(UTC)
    assert contact.time_flagged
    assert contact.contact_date == local_today()


def test_a_phone_clock_set_to_1999_still_dates_the_visit(rep1, world):
    """Tests that the send-time stamp corrects a wrong phone clock (and the visit is flagged)."""
    key = str(uuid.uuid4())
    body = _visit(world, "check_in", key, at="1999-01-01T10:00:00Z", sent_at="1999-01-01T10:10:00Z")
    assert rep1(body).status_code == 201
    contact = _contact(key)
    expected = datetime.now(UTC) - timedelta(minutes=10)
    assert abs(contact.check_in_at - expected) < timedelta(seconds=30)
    assert contact.time_flagged


def test_settle_time_rules():
    """Tests the clock rules on hand-made times: tolerance, skew, clamp, refusal."""
    now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert settle_time(None, None, now) == (now, False)
    assert settle_time(now - timedelta(minutes=30), now - timedelta(minutes=1), now) == (
        now - timedelta(minutes=30),
        False,
    )
    assert settle_time(now - timedelta(hours=2), now - timedelta(hours=1, minutes=50), now) == (
        now - timedelta(minutes=10),
        True,
    )
    assert settle_time(now + timedelta(days=1), None, now) == (now, True)
    assert settle_time(datetime(9999, 12, 31, tzinfo=UTC), datetime(1, 1, 2, tzinfo=UTC), now) == (
        now,
        True,
    )


def test_same_day_correction_is_audited_and_idempotent(rep1, world):
    """Tests that a finished visit's outcome is corrected once, with an audit row of
    before/after."""
    key = str(uuid.uuid4())
    rep1(_visit(world, "check_in", key))
    rep1(_visit(world, "check_out", key, outcome="no_sale", reason="preco", notes="Sem dinheiro"))
    correction = _visit(world, "correct", key, outcome="order", order_value="99.90")
    response = rep1(correction)
    assert response.status_code == 200
    body = response.get_json()["contact"]
    assert (body["outcome"], body["order_value"], body["reason"]) == ("order", "99.90", None)
    assert body["notes"] == "Sem dinheiro"
    assert body["corrected_at"]
    assert rep1(correction).status_code == 200
    audits = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == CORRECTED)).all()
    assert len(audits) == 1
    assert audits[0].actor_id == world["rep1"].id
    assert audits[0].details["before"]["outcome"] == "no_sale"
    assert audits[0].details["after"] == {
        "outcome": "order",
        "order_value": "99.90",
        "reason": None,
        "notes": "Sem dinheiro",
    }


def test_corrections_need_a_finished_visit_of_today(rep1, world):
    """Tests that correcting an open visit, an unknown one or yesterday's answers 422."""
    key = str(uuid.uuid4())
    _refused(rep1(_visit(world, "correct", key, outcome="closed")), 422, "not_finished")
    rep1(_visit(world, "check_in", key))
    _refused(rep1(_visit(world, "correct", key, outcome="closed")), 422, "not_finished")
    rep1(_visit(world, "check_out", key, outcome="closed"))
    contact = _contact(key)
    contact.contact_date = local_today() - timedelta(days=1)
    db.session.flush()
    _refused(rep1(_visit(world, "correct", key, outcome="rescheduled")), 422, "correction_too_late")
    assert _contact(key).outcome == Outcome.CLOSED


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("99,90", "99.90"), ("99.90", "99.90"), ("1.234,56", "1234.56"), (99.9, "99.90")],
)
def test_order_values_are_read_like_the_phone_reads_them(rep1, world, typed, stored):
    """Tests that 99,90 and 99.90 both store R$ 99,90, and grouped amounts keep their thousands."""
    key = str(uuid.uuid4())
    rep1(_visit(world, "check_in", key))
    response = rep1(_visit(world, "check_out", key, outcome="order", order_value=typed))
    assert response.get_json()["contact"]["order_value"] == stored


@pytest.mark.parametrize("typed", ["1,234", "-5", "12,3456", "abc", "1e5"])
def test_ambiguous_or_wrong_amounts_are_refused(rep1, world, typed):
    """Tests that amounts the parser cannot read with certainty answer 400 invalid."""
    key = str(uuid.uuid4())
    rep1(_visit(world, "check_in", key))
    response = rep1(_visit(world, "check_out", key, outcome="order", order_value=typed))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("case", MONEY_CASES, ids=lambda c: f"{c['locale']}:{c['text']!r}")
def test_money_parser_table(case):
    """Tests the server's money parser on the table the phone's parser is tested against."""
    if case["value"] is None:
        with pytest.raises(MoneyError):
            parse_money(case["text"], case["locale"])
    else:
        assert str(parse_money(case["text"], case["locale"])) == case["value"]


def test_an_expired_session_is_told_to_log_in_again(client, world):
    """Tests that a visit POST without a session answers 400 'csrf' (the phone asks for a login)."""
    response = client.post(
        "/api/rep/contacts", json=_visit(world, "check_in"), headers={"X-CSRFToken": "stale-token"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf"


def test_supervisor_sees_visits_recorded_without_check_in(client, world, rep1):
    """Tests that a visit recorded without check-in is counted under 'Flagged visits' on
    the dashboard."""
    rep1({**_visit(world, "check_out", outcome="closed"), "without_check_in": True})
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/me")})
    login(client, world["sup1"].email)
    page = client.get("/supervisor/").get_data(as_text=True)
    assert "Visitas sinalizadas" in page
    assert "list=flagged" in page
    listing = client.get(f"/supervisor/clientes?list=flagged&day={local_today().isoformat()}")
    assert world["c_rep1"].trade_name in listing.get_data(as_text=True)
