"""A customer's history of actions: what supervisors did about it, newest first.

Read back from the audit log (``customer:<id>``), with the actor's name; the card shows it
next to the visits and calls, and the open requests and booked visits still ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Appointment, AuditLog, CallRequest, User
from app.services.actions import ACTIONS, appointments
from app.services.actions import telesales as telesales_requests

SHOWN = 50


@dataclass(frozen=True)
class Entry:
    """One action on the customer."""

    at: datetime
    action: str
    actor: str | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ahead:
    """What is still to happen for a customer: visits booked and calls asked for."""

    appointments: list[Appointment]
    requests: list[CallRequest]
    names: dict[int, str]


def entries(*, customer_id: int, company_id: int) -> list[Entry]:
    """The customer's actions (and hand edits), newest first."""
    rows = db.session.execute(
        sa.select(AuditLog, User.name)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(
            AuditLog.company_id == company_id,
            AuditLog.target == f"customer:{customer_id}",
            AuditLog.action.in_([*ACTIONS, "customer.update"]),
        )
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(SHOWN)
    )
    return [Entry(log.at, log.action, name, dict(log.details or {})) for log, name in rows]


def ahead(*, customer_id: int, today: date) -> Ahead:
    """Visits booked from today on and call requests still open."""
    booked = appointments.upcoming(customer_ids=[customer_id], today=today)
    requests = telesales_requests.open_requests(customer_ids=[customer_id])
    ids = {a.user_id for a in booked} | {r.seat_id for r in requests}
    names = (
        {
            uid: name
            for uid, name in db.session.execute(
                sa.select(User.id, User.name).where(User.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    return Ahead(booked, requests, names)
