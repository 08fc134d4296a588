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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    AuditLog,
    Contact,
    ContactKind,
    CoverAction,
    CoverStatus,
    Customer,
    Outcome,
    Plan,
    PlanStatus,
    PlanStop,
    StopStatus,
)
from app.security.scope import Scope
from app.services import company_settings
from app.services.clock import DEFAULT_TZ
from app.services.errors import NotFound
from app.services.visit_input import VisitError, VisitInput
from optimizer.model import Location
from optimizer.travel import geodesic_m

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


class NotInScope(NotFound):
    """The customer, stop or contact is not the rep's (answered 404)."""


class VisitRefused(Exception):
    """An action the visit's state does not allow; carries the contact that stands."""

    def __init__(self, code: str, contact: Contact | None = None) -> None:
        super().__init__(code)
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


# --------------------------------------------------------------------------- lookups


def _visit_customer(scope: Scope, customer_id: int, now: datetime) -> Customer:
    """The visited customer: in the rep's scope, or covered by him; else NotInScope."""
    customer = db.session.scalar(scope.customers().where(Customer.id == customer_id))
    if customer is None:
        customer = _covered_customer(scope, customer_id, now)
    if customer is None:
        raise NotInScope("customer")
    return customer


def _covered_customer(scope: Scope, customer_id: int, now: datetime) -> Customer | None:
    """A colleague's customer this rep covers during an absence (yesterday, today, tomorrow).

    The phone may send a visit a little after midnight, or queue it offline: a day either side
    keeps it valid without opening the colleague's whole portfolio.
    """
    today = now.astimezone(DEFAULT_TZ).date()
    covered = (
        sa.select(AbsenceCoverLine.id)
        .join(AbsenceCover, AbsenceCover.id == AbsenceCoverLine.cover_id)
        .where(
            AbsenceCover.company_id == scope.company_id,
            AbsenceCover.status == CoverStatus.APPLIED,
            AbsenceCover.day.between(today - timedelta(days=1), today + timedelta(days=1)),
            AbsenceCoverLine.customer_id == customer_id,
            AbsenceCoverLine.receiver_id == scope.user_id,
            AbsenceCoverLine.action == CoverAction.VISIT,
        )
        .exists()
    )
    return db.session.scalar(
        sa.select(Customer).where(
            Customer.id == customer_id, Customer.company_id == scope.company_id, covered
        )
    )


def _stop_for(scope: Scope, stop_id: int, customer_id: int, day: date) -> PlanStop | None:
    """The rep's stop of this customer, surviving re-plans that renumber the stops.

    A payload queued offline may name a stop a later re-plan replaced: the visit is then
    linked to the customer's stop in the rep's plan of that day, or to no stop at all
    (it still counts as the rep's visit; the customer check is the authorisation).
    """
    stop = db.session.scalar(
        sa.select(PlanStop)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(PlanStop.id == stop_id, Plan.user_id == scope.user_id, Plan.plan_date == day)
    )
    if stop is not None and stop.customer_id == customer_id:
        return stop
    return db.session.scalar(
        sa.select(PlanStop)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(
            Plan.user_id == scope.user_id,
            Plan.plan_date == day,
            PlanStop.customer_id == customer_id,
        )
        .order_by(PlanStop.seq)
        .limit(1)
    )


def _existing_contact(scope: Scope, visit: VisitInput) -> Contact | None:
    """The contact of the visit's UUID, if any, locked until the commit (PostgreSQL) so two
    requests for one visit are decided one after the other; someone else's UUID is not found."""
    contact = db.session.scalar(
        sa.select(Contact)
        .where(Contact.client_uuid == visit.client_uuid)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if contact is not None and (
        contact.user_id != scope.user_id or contact.customer_id != visit.customer_id
    ):
        raise NotInScope("contact")
    return contact


def _check_free(scope: Scope, visit: VisitInput, stop: PlanStop | None, day: date) -> None:
    """Refuse a new visit when the customer has an open one, or the stop a visit already.

    Two tabs (or phones) that each start a visit of the same stop get two UUIDs: the
    second is refused with the first contact, which the phone then adopts.
    """
    if stop is not None:
        # Serialises two first actions on one stop (PostgreSQL; SQLite writes one at a time).
        db.session.execute(sa.select(PlanStop.id).where(PlanStop.id == stop.id).with_for_update())
    others = db.session.scalars(
        sa.select(Contact)
        .where(
            Contact.user_id == scope.user_id,
            Contact.customer_id == visit.customer_id,
            Contact.contact_date == day,
            Contact.kind == ContactKind.VISIT,
            Contact.client_uuid != visit.client_uuid,
        )
        .order_by(Contact.id)
    ).all()
    for other in others:
        if other.is_open:
            raise VisitRefused("visit_open", other)
    for other in others:
        if stop is not None and other.plan_stop_id == stop.id:
            raise VisitRefused("stop_taken", other)


def _insert_if_absent(values: dict[str, Any]) -> int | None:
    """INSERT the contact unless its client UUID exists; return the new id, or None.

    ``ON CONFLICT (client_uuid) DO NOTHING`` on both databases: on PostgreSQL a twin
    request's insert waits for the first one's transaction and then inserts nothing
    (instead of a UniqueViolation); on SQLite the write lock already orders them.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Contact)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Contact.client_uuid])
        .returning(Contact.id)
    )
    return db.session.scalar(statement)


def _contact_for(
    scope: Scope, visit: VisitInput, customer: Customer, stop: PlanStop | None, day: date
) -> tuple[Contact, bool]:
    """The contact row of the visit's UUID, created if absent; and whether this call created it.

    The caller found none; a twin request racing this one may still create it first, in
    which case its row comes back with False (locked until our commit on PostgreSQL) and
    the action is decided on that row. Someone else's UUID is not found (NotInScope).
    """
    db.session.flush()  # the insert below bypasses the unit of work
    new_id = _insert_if_absent(
        {
            "client_uuid": visit.client_uuid,
            "company_id": customer.company_id,
            "customer_id": customer.id,
            "user_id": scope.user_id,
            "kind": ContactKind.VISIT,
            "planned": stop is not None,
            "plan_stop_id": stop.id if stop else None,
            "contact_date": day,
        }
    )
    contact = _existing_contact(scope, visit)
    if contact is None:  # cannot happen: the row exists, or the insert above made it
        raise RuntimeError(f"contact {visit.client_uuid} vanished")
    return contact, new_id is not None


# --------------------------------------------------------------------------- transitions


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
    customer = _visit_customer(scope, visit.customer_id, now)
    settings = get_planning_settings(company_id=customer.company_id)
    at, clock_off = settle_time(visit.at, visit.sent_at, now)
    contact = _existing_contact(scope, visit)
    if visit.action == "correct":
        return correct_visit(scope=scope, contact=contact, visit=visit, settings=settings, now=now)
    if visit.action != "check_in" or visit.outcome is not None:
        _validate_outcome(visit, settings)
    day = contact.contact_date if contact is not None else at.astimezone(DEFAULT_TZ).date()
    stop = _stop_for(scope, visit.stop_id, customer.id, day) if visit.stop_id else None
    if contact is not None and contact.plan_stop_id is not None:
        stop = db.session.get(PlanStop, contact.plan_stop_id)
    if _transition(visit_state(contact), visit, contact) == "same":
        assert contact is not None
        return contact, False
    created = False
    if contact is None:
        _check_free(scope, visit, stop, day)
        contact, created = _contact_for(scope, visit, customer, stop, day)
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


def list_day_contacts(*, scope: Scope, day: date) -> list[Contact]:
    """The rep's own visits of a day, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(
                Contact.user_id == scope.user_id,
                Contact.contact_date == day,
                Contact.kind == ContactKind.VISIT,
            )
            .order_by(Contact.created_at, Contact.id)
        )
    )
