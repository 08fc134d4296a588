"""What a supervisor (or an admin) does about a customer seen on a list or a card.

Send it to a telesales seat's call list (:mod:`.telesales`), book a visit with a rep
(:mod:`.appointments`), move it to another portfolio after seeing the workload effect
(:mod:`.moves`), or mark it lost (:mod:`.lost`). Every action is checked against the actor's
:class:`~app.security.scope.Scope`, refused field by field with
:class:`~app.services.errors.Invalid`, written to the audit log under ``customer:<id>`` (which
the customer's history reads, :mod:`.history`), and flushed, never committed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, Customer, Role, User
from app.security.scope import Scope

# The audit actions of this package, in the customer's history.
SENT_TO_TELESALES = "customer.telesales_request"
VISIT_BOOKED = "customer.appointment"
VISIT_CANCELLED = "customer.appointment_cancelled"
REQUEST_CANCELLED = "customer.telesales_request_cancelled"
MOVED = "customer.move"
LOST = "customer.lost"
WON_BACK = "customer.won_back"
ACTIONS = (
    SENT_TO_TELESALES,
    REQUEST_CANCELLED,
    VISIT_BOOKED,
    VISIT_CANCELLED,
    MOVED,
    LOST,
    WON_BACK,
)


def audit(*, actor: User, customer: Customer, action: str, details: dict[str, Any]) -> None:
    """Note an action on a customer in the audit log (its history reads it back)."""
    db.session.add(
        AuditLog(
            company_id=customer.company_id,
            actor_id=actor.id,
            action=action,
            target=f"customer:{customer.id}",
            details=details,
        )
    )


def active_people(*, scope: Scope, role: Role) -> list[User]:
    """The active users of one role this scope may hand a customer to, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(scope.user_filter(), User.active.is_(True), User.role == role)
            .order_by(User.name)
        )
    )
