"""The phone's JSON is validated at the boundary into typed values, errors keyed by field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.models import Outcome
from app.rep.schemas import load_position, load_search, load_visit
from app.services.visit_input import VisitError, VisitInput
from tests.factories import two_teams
from tests.support.web import csrf_token, login

KEY = "0b7f1c2e-4d5a-4e6f-8a9b-0c1d2e3f4a5b"


def test_a_full_check_out_becomes_a_typed_visit():
    """Tests that every field arrives typed: UUID, ids, UTC moments, money in the locale."""
    visit = load_visit(
        {
            "client_uuid": KEY,
            "customer_id": "12",
            "stop_id": 7,
            "action": "check_out",
            "outcome": "order",
            "order_value": "1.234,56",
            "at": "2026-11-28T12:00:00Z",
            "sent_at": "2026-11-28T09:05:00",
            "lat": "-23.5",
            "lon": -46.6,
            "accuracy": 12,
            "notes": "  pedido grande  ",
            "reason": "",
            "without_check_in": "yes",
            "from_a_newer_phone": 1,
        },
        locale="pt_BR",
    )
    assert visit == VisitInput(
        client_uuid=uuid.UUID(KEY),
        action="check_out",
        customer_id=12,
        stop_id=7,
        at=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
        sent_at=datetime(2026, 11, 28, 9, 5, tzinfo=UTC),
        lat=-23.5,
        lon=-46.6,
        accuracy_m=12.0,
        outcome=Outcome.ORDER,
        order_value=Decimal("1234.56"),
        reason=None,
        notes="pedido grande",
        without_check_in=False,  # only a JSON true says so
    )


def test_english_amounts_and_skips():
    """Tests the English reading of an amount and that a skip is always the SKIPPED outcome."""
    base = {"client_uuid": KEY, "customer_id": 1}
    order = load_visit(
        {**base, "action": "correct", "outcome": "order", "order_value": "1,234.56"}, locale="en"
    )
    assert order.order_value == Decimal("1234.56")
    skip = load_visit(
        {**base, "action": "skip", "outcome": "order", "reason": "x" * 90}, locale="en"
    )
    assert skip.outcome == Outcome.SKIPPED
    assert skip.reason == "x" * 60


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"client_uuid": None}, "client_uuid", "client_uuid is required"),
        ({"client_uuid": "nope"}, "client_uuid", "client_uuid is not valid"),
        ({"customer_id": "abc"}, "customer_id", "customer_id is not valid"),
        ({"action": "fly"}, "action", "unknown action"),
        ({"action": "check_out", "outcome": "callback"}, "outcome", "outcome not allowed"),
        ({"action": "check_out", "outcome": "party"}, "outcome", "unknown outcome"),
        ({"lat": "abc"}, "lat", "lat must be a number"),
        ({"lat": "NaN"}, "lat", "lat must be finite"),
        ({"at": "yesterday"}, "at", "at must be an ISO 8601 timestamp"),
        (
            {"action": "check_out", "outcome": "order", "order_value": "1,234"},
            "order_value",
            "order_value:",
        ),
    ],
)
def test_malformed_fields_are_named(body, field, message):
    """Tests that each malformed field is refused under its own name, with a clear message."""
    full = {"client_uuid": KEY, "customer_id": 3, "action": "check_in", **body}
    with pytest.raises(VisitError) as refused:
        load_visit(full, locale="pt_BR")
    assert set(refused.value.errors) == {field}
    assert message in refused.value.errors[field]
    assert message in str(refused.value)


def test_a_body_that_is_not_an_object_is_refused():
    """Tests that a JSON list or nothing at all is refused, not a 500."""
    for body in ([1, 2], None, "text"):
        with pytest.raises(VisitError, match="a JSON object is expected"):
            load_visit(body, locale="pt_BR")


def test_positions_are_on_the_globe_or_absent():
    """Tests that a position is read only when both coordinates are valid numbers in range."""
    assert load_position({"lat": "-23.5", "lon": "-46.6"}) == (-23.5, -46.6)
    for bad in ({"lat": 91, "lon": 0}, {"lat": 1}, {"lat": "x", "lon": 1}, None, []):
        assert load_position(bad) is None
    assert load_search({"q": "  padaria ", "lat": "1"}) == ("padaria", None)


def test_the_api_answers_field_errors_keyed_by_field(client, db_session):
    """Tests that a refused visit answers 400 invalid with its message and details by field."""
    world = two_teams()
    login(client, world["rep1"].email)
    token = csrf_token(client, "/auth/me")
    response = client.post(
        "/api/rep/contacts",
        json={
            "client_uuid": KEY,
            "customer_id": world["c_rep1"].id,
            "action": "check_in",
            "lat": "abc",
            "at": "later",
        },
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["details"] == {
        "lat": "lat must be a number",
        "at": "at must be an ISO 8601 timestamp",
    }
    assert response.headers["Cache-Control"] == "no-store, private"
