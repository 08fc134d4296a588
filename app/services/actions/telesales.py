"""Send a customer to a telesales seat's call list from a due date, with a note.

The seat's list (:func:`app.services.telesales.get_call_list`) reads the open requests due
by its day; the seat's call with an effective outcome closes them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import CallRequest, Customer, Role, User
from app.security.scope import Scope
from app.services.actions import REQUEST_CANCELLED, SENT_TO_TELESALES, active_people, audit
from app.services.errors import Invalid, NotFound

NOTE_LENGTH = 300
# As far ahead as a callback: the list looks back this far for what to call.
HORIZON_DAYS = 60


def seat_choices(*, scope: Scope) -> list[User]:
    """The active telesales seats this scope may hand customers to."""
    return active_people(scope=scope, role=Role.TELESALES)


def open_requests(*, customer_ids: list[int]) -> list[CallRequest]:
    """Requests still waiting for the seat's call, for some customers."""
    if not customer_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(CallRequest)
            .where(CallRequest.customer_id.in_(customer_ids), CallRequest.closed_at.is_(None))
            .order_by(CallRequest.due_date, CallRequest.id)
        )
    )


def send_to_telesales(
    *,
    actor: User,
    scope: Scope,
    customer: Customer,
    seat_id: int | None,
    due_date: date | None,
    note: str | None,
    today: date,
) -> CallRequest:
    """Put a customer in scope on a seat's list from ``due_date``; raise Invalid by field."""
    errors: dict[str, object] = {}
    seat = next((s for s in seat_choices(scope=scope) if s.id == seat_id), None)
    if seat is None:
        errors["seat_id"] = _l("Choose a telesales seat of your team.")
    if due_date is None:
        errors["due_date"] = _l("Choose the day of the call.")
    elif due_date < today:
        errors["due_date"] = _l("Choose today or a later day.")
    elif due_date > today + timedelta(days=HORIZON_DAYS - 1):
        errors["due_date"] = _l("Choose a day within the next %(days)d days.", days=HORIZON_DAYS)
    text = (note or "").strip() or None
    if text and len(text) > NOTE_LENGTH:
        errors["note"] = _l("At most %(n)s characters.", n=NOTE_LENGTH)
    if not customer.active:
        errors["customer"] = _l("This customer is out of the active base.")
    if seat is not None and not errors:
        already = db.session.scalar(
            sa.select(CallRequest).where(
                CallRequest.customer_id == customer.id,
                CallRequest.seat_id == seat.id,
                CallRequest.closed_at.is_(None),
            )
        )
        if already is not None:
            errors["seat_id"] = _l(
                "Already on this seat's list (from %(day)s).",
                day=already.due_date.strftime("%d/%m"),
            )
    if errors:
        raise Invalid(errors)
    assert seat is not None
    assert due_date is not None
    request = CallRequest(
        company_id=customer.company_id,
        customer_id=customer.id,
        seat_id=seat.id,
        requested_by_id=actor.id,
        due_date=due_date,
        note=text,
    )
    db.session.add(request)
    audit(
        actor=actor,
        customer=customer,
        action=SENT_TO_TELESALES,
        details={
            "seat_id": seat.id,
            "seat": seat.name,
            "due_date": due_date.isoformat(),
            "note": text,
        },
    )
    db.session.flush()
    return request


def close_requests(
    *, seat_id: int, customer_id: int, contact_id: int, day: date, now: datetime
) -> int:
    """Close the seat's open requests for a customer answered by a call; return how many."""
    requests = db.session.scalars(
        sa.select(CallRequest).where(
            CallRequest.seat_id == seat_id,
            CallRequest.customer_id == customer_id,
            CallRequest.closed_at.is_(None),
            CallRequest.due_date <= day,
        )
    ).all()
    for request in requests:
        request.closed_at = now
        request.contact_id = contact_id
    db.session.flush()
    return len(requests)


def cancel_request(*, actor: User, scope: Scope, request_id: int, now: datetime) -> CallRequest:
    """Take an open request off the seat's list (NotFound outside the scope or closed)."""
    request = db.session.get(CallRequest, request_id)
    if (
        request is None
        or request.closed_at is not None
        or db.session.scalar(scope.customers().where(Customer.id == request.customer_id)) is None
    ):
        raise NotFound("call request")
    seat = db.session.get(User, request.seat_id)
    request.closed_at = now
    audit(
        actor=actor,
        customer=request.customer,
        action=REQUEST_CANCELLED,
        details={
            "seat_id": request.seat_id,
            "seat": seat.name if seat else None,
            "due_date": request.due_date.isoformat(),
        },
    )
    db.session.flush()
    return request
