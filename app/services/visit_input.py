"""The typed input of the visit flow: what the phone's payload is once validated.

`app/rep/schemas.py` validates the phone's JSON into a VisitInput at the boundary; the
visit services take nothing else. Input that is malformed (a missing UUID, an unknown
action or outcome, an amount that is not money), or that the company's rules refuse (a
no-sale without its reason), raises VisitError: answered 400 ``invalid`` and never
re-sent as-is by the phone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.models import Outcome
from app.services.errors import Invalid

ACTIONS = ("check_in", "check_out", "skip", "correct")
VISIT_OUTCOMES = (Outcome.ORDER, Outcome.NO_SALE, Outcome.CLOSED, Outcome.RESCHEDULED)
MAX_NOTES = 2000
MAX_REASON = 60


class VisitError(Invalid):
    """A payload the server cannot accept (answered 400, never retried as-is).

    ``errors`` holds the message per payload field when one field is to blame.
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(errors, message=message)


@dataclass(frozen=True)
class VisitInput:
    """One action of the visit flow, as parsed from the phone's JSON."""

    client_uuid: uuid.UUID
    action: str
    customer_id: int
    stop_id: int | None = None
    at: datetime | None = None
    sent_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    outcome: Outcome | None = None
    order_value: Decimal | None = None
    reason: str | None = None
    notes: str | None = None
    without_check_in: bool = False
