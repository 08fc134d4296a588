"""Applying one visit action: the state machine, the corrections and the contact's JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.extensions import db
from app.models import AuditLog, Contact, Customer, Outcome, PlanStatus, PlanStop, StopStatus
from app.security.scope import Scope
from app.services.clock import DEFAULT_TZ
from app.services.visit_input import VisitError, VisitInput
from app.services.visits.lookups import (
    check_free,
    contact_for,
    existing_contact,
    stop_for,
    visit_customer,
)
from app.services.visits.rules import (
    CORRECTED,
    PlanningSettings,
    VisitRefused,
    get_planning_settings,
    settle_time,
)
from optimizer.model import Location
from optimizer.travel import geodesic_m


def visit_state(contact: Contact | None) -> str:
    """Where a visit stands: new, open, finished or skipped."""
    if contact is None:
        return "new"
    if contact.outcome == Outcome.SKIPPED:
        return "skipped"
    if contact.outcome is not None:
        return "finished"
    return "open" if contact.check_in_at is not None else "new"


def _result(contact: Contact) -> tuple[Any, ...]:
    """What a visit's outcome says; equal results mean a re-send, not a conflict."""
    return (contact.outcome, contact.order_value, contact.no_sale_reason, contact.notes or None)


def _wanted(visit: VisitInput, contact: Contact | None = None) -> tuple[Any, ...]:
    """The result the action asks for; no note keeps the visit's note."""
    reason = visit.reason if visit.outcome in (Outcome.NO_SALE, Outcome.SKIPPED) else None
    value = visit.order_value if visit.outcome == Outcome.ORDER else None
    notes = visit.notes if visit.notes is not None else (contact.notes or None if contact else None)
    return (visit.outcome, value, reason, notes)


def _validate_outcome(visit: VisitInput, settings: PlanningSettings) -> None:
    if visit.outcome == Outcome.NO_SALE or visit.action == "skip":
        if visit.reason is None:
            raise VisitError("a reason is required", errors={"reason": "a reason is required"})
        keys = settings.reason_keys()
        if keys and visit.reason not in keys:
            raise VisitError("unknown reason", errors={"reason": "unknown reason"})
    if visit.outcome == Outcome.ORDER and visit.order_value is None:
        raise VisitError(
            "an order needs its value", errors={"order_value": "an order needs its value"}
        )


def _set_outcome(contact: Contact, visit: VisitInput) -> None:
    outcome, value, reason, notes = _wanted(visit)
    contact.outcome, contact.order_value, contact.no_sale_reason = outcome, value, reason
    if notes is not None:
        contact.notes = notes


def _check_in(
    contact: Contact, visit: VisitInput, customer: Customer, radius_m: float, at: datetime
) -> None:
    contact.check_in_at = at
    contact.check_in_lat, contact.check_in_lon = visit.lat, visit.lon
    contact.check_in_accuracy_m = visit.accuracy_m
    position = customer.position
    if visit.lat is not None and visit.lon is not None and position is not None:
        metres = geodesic_m(Location(visit.lat, visit.lon), Location(*position))
        contact.check_in_distance_m = round(metres, 1)
        contact.check_in_flagged = contact.check_in_distance_m > radius_m
    else:
        # No fix or no customer position: the check-in is kept, and shown to the supervisor.
        contact.check_in_distance_m = None
        contact.check_in_flagged = True
    if visit.notes is not None:
        contact.notes = visit.notes


def _check_out(contact: Contact, visit: VisitInput, at: datetime) -> None:
    _set_outcome(contact, visit)
    if contact.check_in_at is not None and at < contact.check_in_at:
        at, contact.time_flagged = contact.check_in_at, True
    contact.check_out_at = at
    contact.check_out_lat, contact.check_out_lon = visit.lat, visit.lon


def _transition(state: str, visit: VisitInput, contact: Contact | None) -> str:
    """Decide what an action does in a state: 'apply', 'same' (a re-send) or refuse."""
    action = visit.action
    if action == "check_in":
        if state == "skipped":
            raise VisitRefused("visit_skipped", contact)
        return "apply" if state == "new" else "same"
    if action == "check_out":
        if state == "skipped":
            raise VisitRefused("visit_skipped", contact)
        if state == "finished":
            if contact is not None and _result(contact) == _wanted(visit, contact):
                return "same"
            raise VisitRefused("already_finished", contact)
        if state == "new" and not visit.without_check_in:
            raise VisitRefused("not_checked_in")
        return "apply"
    # skip
    if state == "open":
        raise VisitRefused("visit_open", contact)
    if state == "finished":
        raise VisitRefused("already_finished", contact)
    if state == "skipped":
        if contact is not None and contact.no_sale_reason == visit.reason:
            return "same"
        raise VisitRefused("visit_skipped", contact)
    return "apply"


def _advance(stop: PlanStop | None, contact: Contact, now: datetime) -> None:
    if stop is None:
        return
    state = visit_state(contact)
    if state == "finished":
        stop.status = StopStatus.DONE
    elif state == "skipped":
        stop.status = StopStatus.SKIPPED
    elif state == "open" and stop.status == StopStatus.PENDING:
        stop.status = StopStatus.IN_PROGRESS
    plan = stop.plan
    if plan.status in (PlanStatus.DRAFT, PlanStatus.PLANNED):
        plan.status = PlanStatus.STARTED
        plan.started_at = now


def _apply(
    contact: Contact,
    visit: VisitInput,
    customer: Customer,
    settings: PlanningSettings,
    at: datetime,
) -> None:
    if visit.action == "check_in":
        _check_in(contact, visit, customer, settings.checkin_radius_m, at)
    elif visit.action == "check_out":
        if contact.check_in_at is None:
            contact.no_check_in = True
        _check_out(contact, visit, at)
    else:
        _set_outcome(contact, visit)


def record_visit(
    *, scope: Scope, visit: VisitInput, now: datetime | None = None
) -> tuple[Contact, bool]:
    """Apply one visit action, creating or updating the contact of its client UUID.

    Returns
    -------
    tuple[Contact, bool]
        The contact and whether this call created it.

    Raises
    ------
    NotInScope
        The customer or the UUID belongs to someone else (the view answers 404).
    VisitError
        The payload is incomplete (missing reason or order value).
    VisitRefused
        The visit's state does not allow the action (409) or it makes no sense (422).
    """
    now = now or datetime.now(UTC)
    customer = visit_customer(scope, visit.customer_id, now)
    settings = get_planning_settings(company_id=customer.company_id)
    at, clock_off = settle_time(visit.at, visit.sent_at, now)
    contact = existing_contact(scope, visit)
    if visit.action == "correct":
        return correct_visit(scope=scope, contact=contact, visit=visit, settings=settings, now=now)
    if visit.action != "check_in" or visit.outcome is not None:
        _validate_outcome(visit, settings)
    day = contact.contact_date if contact is not None else at.astimezone(DEFAULT_TZ).date()
    stop = stop_for(scope, visit.stop_id, customer.id, day) if visit.stop_id else None
    if contact is not None and contact.plan_stop_id is not None:
        stop = db.session.get(PlanStop, contact.plan_stop_id)
    if _transition(visit_state(contact), visit, contact) == "same":
        assert contact is not None
        return contact, False
    created = False
    if contact is None:
        check_free(scope, visit, stop, day)
        contact, created = contact_for(scope, visit, customer, stop, day)
        if not created:  # a twin request made it first: decide on its row
            if contact.plan_stop_id is not None:
                stop = db.session.get(PlanStop, contact.plan_stop_id)
            if _transition(visit_state(contact), visit, contact) == "same":
                return contact, False
    elif stop is not None and contact.plan_stop_id is None:
        contact.plan_stop_id, contact.planned = stop.id, True
    if clock_off:
        contact.time_flagged = True
    _apply(contact, visit, customer, settings, at)
    _advance(stop, contact, now)
    db.session.flush()
    return contact, created


def correct_visit(
    *,
    scope: Scope,
    contact: Contact | None,
    visit: VisitInput,
    settings: PlanningSettings,
    now: datetime,
) -> tuple[Contact, bool]:
    """Change the outcome of a finished visit of today, and write who changed what.

    Only a checked-out visit of the current local day can be corrected (a skip is not
    a visit); re-sending the same correction changes nothing and writes no audit row.
    Returns the contact and False (a correction never creates one).
    """
    if visit_state(contact) != "finished":
        raise VisitRefused("not_finished", contact)
    assert contact is not None
    if contact.contact_date != now.astimezone(DEFAULT_TZ).date():
        raise VisitRefused("correction_too_late", contact)
    _validate_outcome(visit, settings)
    before = _result(contact)
    if before == _wanted(visit, contact):
        return contact, False
    _set_outcome(contact, visit)
    contact.corrected_at = now
    db.session.flush()
    db.session.add(
        AuditLog(
            company_id=contact.company_id,
            actor_id=scope.user_id,
            action=CORRECTED,
            target=f"contact:{contact.id}",
            details={
                "client_uuid": str(contact.client_uuid),
                "before": _audit(before),
                "after": _audit(_result(contact)),
            },
            at=now,
        )
    )
    db.session.flush()
    return contact, False


def _audit(result: tuple[Any, ...]) -> dict[str, Any]:
    outcome, value, reason, notes = result
    return {
        "outcome": outcome.value if outcome else None,
        "order_value": str(value) if value is not None else None,
        "reason": reason,
        "notes": notes,
    }
