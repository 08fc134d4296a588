"""Visits recorded from the rep's phone: one state machine over idempotent contact upserts.

Every action of the visit flow (check-in, check-out with an outcome, skip, a same-day
correction, an unplanned visit) arrives as one payload carrying the client-generated UUID
of the visit. The same UUID always designates the same contact row, so a payload queued
offline and re-sent twice leaves exactly one contact, in the same state.

A visit moves through ``new → open (checked in) → finished (one outcome)`` or
``new → skipped``; a finished visit may be corrected the same day (audited). Anything
else is refused with a code the phone shows (:class:`VisitRefused`): 409 when the visit
or its stop is already in another state (a second tab, a second phone), 422 when the
sequence makes no sense (a check-out nobody checked in). A re-send of an action already
applied is answered 200 and changes nothing; a *different* action over a finished visit
never overwrites it. A check-out without a check-in is accepted only when the phone says
so explicitly, and stays flagged for the supervisor, as do actions whose phone clock was
off (their time is moved to the server's clock).

One module per job:

- :mod:`.rules`: refusal codes, the company's visit settings, the phone's clock;
- :mod:`.lookups`: the customer, stop and contact an action is decided on;
- :mod:`.record`: the state machine applying an action, and corrections;
- :mod:`.payload`: a contact as the phone reads it.
"""

from app.services.visits.lookups import contact_for
from app.services.visits.payload import contact_json
from app.services.visits.record import record_visit
from app.services.visits.rules import (
    CORRECTED,
    REFUSALS,
    NotInScope,
    PlanningSettings,
    VisitRefused,
    get_planning_settings,
    settle_time,
)

__all__ = [
    "CORRECTED",
    "REFUSALS",
    "NotInScope",
    "PlanningSettings",
    "VisitRefused",
    "contact_for",
    "contact_json",
    "get_planning_settings",
    "record_visit",
    "settle_time",
]
