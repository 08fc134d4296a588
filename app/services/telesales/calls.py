"""Logging a call: what the seat typed, checked and stored once; numbers to dial."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db
from app.models import Contact, ContactKind, Outcome, User
from app.services import money
from app.services.clock import DEFAULT_TZ
from app.services.errors import Invalid, NotFound
from app.services.telesales.settings import EFFECTIVE, HISTORY_DAYS, no_sale_reasons
from app.services.telesales.sources import allowed_ids

CALL_OUTCOMES = (
    Outcome.ORDER,
    Outcome.NO_SALE,
    Outcome.NOT_REACHED,
    Outcome.CALLBACK,
    Outcome.VISIT_REQUESTED,
)


class CallError(Invalid):
    """A call that cannot be logged; `code` names the problem for the view's message."""

    code: str

    def __init__(self, code: str) -> None:
        super().__init__({code: code}, message=code)
        self.code = code


def parse_money(text: str | None) -> Decimal | None:
    """Read `1.234,56`, `1234,56` or `1234.56` as a positive amount the column can hold.

    The one reading of typed money (``app.services.money``): bounded, at most two decimals.
    """
    try:
        value = money.parse_money(text or "")
    except money.MoneyError:
        return None
    return value if value > 0 else None


def parse_callback(
    text: str | None, day: date, tz: ZoneInfo = DEFAULT_TZ, on: str | None = None
) -> datetime | None:
    """Read `14:30` on `on` (an ISO date, as a date field sends it; `day` when blank) or
    `2026-11-24T09:00` as an aware moment."""
    raw = (text or "").strip()
    try:
        if "T" in raw:
            local = datetime.fromisoformat(raw)
        else:
            when = date.fromisoformat(on.strip()) if on and on.strip() else day
            hours, minutes = (int(x) for x in raw.replace("h", ":").split(":"))
            local = datetime.combine(when, time(hours, minutes))
    except ValueError:
        return None
    return local.replace(tzinfo=tz) if local.tzinfo is None else local


def callback_horizon(day: date) -> date:
    """The last day a callback may be booked for: the list only looks back HISTORY_DAYS for the
    call that asked for it, so a later one would never come back."""
    return day + timedelta(days=HISTORY_DAYS - 1)


@dataclass(frozen=True)
class CallInput:
    """What the seat typed for one call."""

    customer_id: int
    client_uuid: str
    outcome: str
    order_value: str = ""
    no_sale_reason: str = ""
    callback_time: str = ""
    callback_date: str = ""  # ISO date; blank means the day of the call
    notes: str = ""


def _validated(data: CallInput, seat: User, day: date, now: datetime) -> dict[str, Any]:
    try:
        outcome = Outcome(data.outcome)
    except ValueError:
        raise CallError("outcome") from None
    if outcome not in CALL_OUTCOMES:
        raise CallError("outcome")
    values: dict[str, Any] = {"outcome": outcome}
    if outcome == Outcome.ORDER:
        values["order_value"] = parse_money(data.order_value)
        if values["order_value"] is None:
            raise CallError("order_value")
    elif outcome == Outcome.NO_SALE:
        keys = [k for k, _ in no_sale_reasons(seat.company_id)]
        reason = data.no_sale_reason.strip()
        if not reason or (keys and reason not in keys):
            raise CallError("no_sale_reason")
        values["no_sale_reason"] = reason
    elif outcome == Outcome.CALLBACK:
        moment = parse_callback(data.callback_time, day, on=data.callback_date)
        if moment is None or moment < now - timedelta(minutes=1):
            raise CallError("callback_time")
        if moment.astimezone(DEFAULT_TZ).date() > callback_horizon(day):
            raise CallError("callback_date")
        values["callback_at"] = moment
    return values


def log_call(*, seat: User, data: CallInput, day: date, now: datetime) -> tuple[Contact, bool]:
    """Record a call as a Contact(kind=call); the client UUID makes a re-send a no-op.

    Returns the contact and whether it was created now. Raises NotFound for a
    customer the seat may not call and CallError for invalid input.
    """
    try:
        client_uuid = uuid.UUID(data.client_uuid)
    except ValueError:
        raise CallError("client_uuid") from None
    existing = db.session.scalar(sa.select(Contact).where(Contact.client_uuid == client_uuid))
    if existing is not None:
        if existing.user_id != seat.id or existing.customer_id != data.customer_id:
            raise NotFound("customer")
        return existing, False
    allowed, _, _ = allowed_ids(seat, day)
    if data.customer_id not in allowed:
        raise NotFound("customer")
    values = _validated(data, seat, day, now)
    contact = Contact(
        client_uuid=client_uuid,
        company_id=seat.company_id,
        customer_id=data.customer_id,
        user_id=seat.id,
        kind=ContactKind.CALL,
        planned=False,
        contact_date=day,
        check_in_at=now,
        check_out_at=now,
        notes=data.notes.strip() or None,
        **values,
    )
    db.session.add(contact)
    db.session.flush()
    if outcome_answers_request(values["outcome"]):
        from app.services.actions.telesales import close_requests

        close_requests(
            seat_id=seat.id, customer_id=data.customer_id, contact_id=contact.id, day=day, now=now
        )
    return contact, True


def outcome_answers_request(outcome: Outcome) -> bool:
    """A call that reached the customer answers a supervisor's request; "not reached" does not."""
    return outcome in EFFECTIVE


def tel_number(phone: str | None) -> str | None:
    """A dialable `+55...` number for a tel: link."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 8:
        return None
    return f"+{digits}" if digits.startswith("55") and len(digits) >= 12 else f"+55{digits}"


def whatsapp_number(phone: str | None) -> str | None:
    """Digits for a wa.me link, with Brazil's country code."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 10:
        return None
    return digits if digits.startswith("55") and len(digits) >= 12 else f"55{digits}"
