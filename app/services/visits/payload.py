"""A contact as the phone reads it: its answer to every visit action, refused ones included."""

from __future__ import annotations

from typing import Any

from app.models import Contact


def contact_json(contact: Contact) -> dict[str, Any]:
    """The stored state of a contact, as the phone reconciles its queue with it."""
    return {
        "id": contact.id,
        "client_uuid": str(contact.client_uuid),
        "customer_id": contact.customer_id,
        "stop_id": contact.plan_stop_id,
        "planned": contact.planned,
        "outcome": contact.outcome.value if contact.outcome else None,
        "check_in_at": contact.check_in_at.isoformat() if contact.check_in_at else None,
        "check_in_distance_m": contact.check_in_distance_m,
        "check_in_flagged": contact.check_in_flagged,
        "check_out_at": contact.check_out_at.isoformat() if contact.check_out_at else None,
        "reason": contact.no_sale_reason,
        "order_value": str(contact.order_value) if contact.order_value is not None else None,
        "notes": contact.notes,
        "no_check_in": bool(contact.no_check_in),
        "time_flagged": bool(contact.time_flagged),
        "corrected_at": contact.corrected_at.isoformat() if contact.corrected_at else None,
    }
