"""Mark a customer lost with a reason, or win it back.

A lost customer leaves the active base (``active`` false): planning, scoring, call lists and
coverage stop counting it, and the KPIs count it apart as lost in its period (``lost_on``,
``docs/kpis.md``). Its appointments from today on and its open call requests go with it.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Appointment, CallRequest, Customer, User
from app.services import company_settings
from app.services.actions import LOST, WON_BACK, audit, plans
from app.services.errors import Invalid

NOTE_LENGTH = 300


def reason_choices(company_id: int, locale: str = "pt_BR") -> list[tuple[str, str]]:
    """The company's reasons for losing a customer, as (key, label)."""
    return company_settings.get(company_id=company_id).lost_reasons(locale)


def reason_label(company_id: int, key: str | None, locale: str = "pt_BR") -> str:
    """The label of a reason key (the key itself when the company no longer lists it)."""
    return dict(reason_choices(company_id, locale)).get(key or "", key or "")


def mark_lost(
    *,
    actor: User,
    customer: Customer,
    reason: str | None,
    note: str | None,
    today: date,
    now: datetime,
) -> Customer:
    """Take a customer out of the active base; raise Invalid by field."""
    errors: dict[str, object] = {}
    keys = [k for k, _label in reason_choices(customer.company_id)]
    key = (reason or "").strip()
    if key not in keys:
        errors["reason"] = _l("Choose why the customer was lost.")
    text = (note or "").strip() or None
    if text and len(text) > NOTE_LENGTH:
        errors["note"] = _l("At most %(n)s characters.", n=NOTE_LENGTH)
    if not customer.active:
        errors["customer"] = _l("This customer is already out of the active base.")
    if errors:
        raise Invalid(errors)
    customer.active = False
    customer.lost_on = today
    customer.lost_reason = key
    booked_with = set(
        db.session.scalars(
            sa.select(Appointment.user_id).where(
                Appointment.customer_id == customer.id, Appointment.day >= today
            )
        )
    )
    cancelled = db.session.execute(
        sa.delete(Appointment).where(
            Appointment.customer_id == customer.id, Appointment.day >= today
        )
    )
    closed = db.session.execute(
        sa.update(CallRequest)
        .where(CallRequest.customer_id == customer.id, CallRequest.closed_at.is_(None))
        .values(closed_at=now)
    )
    audit(
        actor=actor,
        customer=customer,
        action=LOST,
        details={
            "reason": key,
            "note": text,
            "appointments_cancelled": _count(cancelled),
            "call_requests_closed": _count(closed),
        },
    )
    db.session.flush()
    reps = booked_with | ({customer.owner_id} if customer.owner_id is not None else set())
    plans.release_customers(customer_ids=[customer.id], rep_ids=reps, today=today)
    return customer


def win_back(*, actor: User, customer: Customer) -> Customer:
    """Put a customer marked lost back in the active base (its portfolio unchanged)."""
    if customer.active or customer.lost_on is None:
        raise Invalid({"customer": _l("This customer is not marked lost.")})
    details = {"lost_on": customer.lost_on.isoformat(), "reason": customer.lost_reason}
    customer.active = True
    customer.lost_on = None
    customer.lost_reason = None
    audit(actor=actor, customer=customer, action=WON_BACK, details=details)
    db.session.flush()
    return customer


def _count(result: object) -> int:
    """Rows a bulk UPDATE or DELETE touched."""
    return int(getattr(result, "rowcount", 0) or 0)
