"""What a visit action may do: the refusals, the company's visit settings, the phone's clock."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from app.models import Contact
from app.services import company_settings
from app.services.errors import DomainError, NotFound
from app.services.visits.payload import contact_json

# A phone clock further off than this is corrected (and the visit flagged).
CLOCK_TOLERANCE = timedelta(minutes=2)
# An action older than this (on the server's clock) is refused: no queue waits a week.
MAX_AGE = timedelta(days=7)
CORRECTED = "visit_corrected"

# Refusal code -> HTTP status. 409: the visit (or its stop) is in another state;
# 422: the request cannot be applied to any state.
REFUSALS = {
    "already_finished": 409,
    "visit_skipped": 409,
    "visit_open": 409,
    "stop_taken": 409,
    "not_checked_in": 422,
    "not_finished": 422,
    "correction_too_late": 422,
    "too_old": 422,
}

# What the phone shows when the server refuses a visit action, by refusal code.
REFUSAL_MESSAGES: dict[str, Any] = {
    "already_finished": _l(
        "This visit was already finished (on another tab or phone); "
        "its result was kept. Correct it if needed."
    ),
    "visit_skipped": _l("This stop was already skipped (on another tab or phone)."),
    "visit_open": _l("A visit to this customer is already open (on another tab or phone)."),
    "stop_taken": _l("This stop already has a visit (on another tab or phone); it was kept."),
    "not_checked_in": _l("Check out needs a check-in first, or record the visit without check-in."),
    "not_finished": _l("Only a finished visit can be corrected."),
    "correction_too_late": _l("A visit can only be corrected on its own day."),
    "too_old": _l("This action is more than a week old and was not recorded."),
}


class NotInScope(NotFound):
    """The customer, stop or contact is not the rep's (answered 404)."""


class VisitRefused(DomainError):
    """An action the visit's state does not allow, answered by the one error mapping.

    Its status is the code's (:data:`REFUSALS`), its message the phone's words for it, and its
    payload the contact that stands (``null`` when none), which the phone shows and adopts.
    """

    def __init__(self, code: str, contact: Contact | None = None) -> None:
        standing = contact_json(contact) if contact is not None else None
        super().__init__(str(REFUSAL_MESSAGES[code]), payload={"contact": standing})
        self.code = code
        self.status = REFUSALS[code]
        self.contact = contact


@dataclass(frozen=True)
class PlanningSettings:
    """The visit-flow part of a company's planning settings."""

    checkin_radius_m: float
    no_sale_reasons: tuple[dict[str, str], ...]

    def reason_keys(self) -> set[str]:
        """Keys a no-sale or skip reason may take."""
        return {r["key"] for r in self.no_sale_reasons}


def get_planning_settings(*, company_id: int) -> PlanningSettings:
    """Read the check-in radius and no-sale reasons of the company's settings in force."""
    planning = company_settings.get(company_id=company_id).planning
    return PlanningSettings(
        checkin_radius_m=planning.check_in_radius_m,
        no_sale_reasons=tuple(dataclasses.asdict(r) for r in planning.no_sale_reasons),
    )


def settle_time(
    at: datetime | None, sent_at: datetime | None, now: datetime
) -> tuple[datetime, bool]:
    """Return when the action happened on the server's clock, and whether it was adjusted.

    The phone stamps an action when the rep taps (``at``) and again when it sends it
    (``sent_at``); the difference between ``sent_at`` and the server's clock is the
    phone's clock error, so a phone set to 1999 still dates a visit right. What remains
    in the future is clamped to now; what is older than :data:`MAX_AGE` is refused.
    """
    if at is None:
        return now, False
    flagged = False
    try:
        if sent_at is not None:
            if at > sent_at + CLOCK_TOLERANCE:  # tapped after it was sent: not a real clock
                at, flagged = sent_at, True
            skew = now - sent_at
            if abs(skew) > CLOCK_TOLERANCE:
                at, flagged = at + skew, True
    except OverflowError:
        return now, True
    if at > now + CLOCK_TOLERANCE:
        return now, True
    if at < now - MAX_AGE:
        raise VisitRefused("too_old")
    return at, flagged
