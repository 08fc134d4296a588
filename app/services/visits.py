"""Visits recorded from the rep's phone: idempotent contact upserts and check-in distance.

Every action of the visit flow (check-in, check-out with an outcome, skip, an
unplanned visit) arrives as one payload carrying the client-generated UUID of the
visit. The same UUID always designates the same contact row, so a payload queued
offline and re-sent twice leaves exactly one contact, in the same state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from geopy.distance import geodesic

from app.extensions import db
from app.models import (
    CompanySettings,
    Contact,
    ContactKind,
    Customer,
    Outcome,
    Plan,
    PlanStatus,
    PlanStop,
    StopStatus,
)
from app.security.scope import Scope
from app.services.clock import DEFAULT_TZ, local_today

DEFAULT_CHECKIN_RADIUS_M = 300
ACTIONS = ("check_in", "check_out", "skip")
VISIT_OUTCOMES = (Outcome.ORDER, Outcome.NO_SALE, Outcome.CLOSED, Outcome.RESCHEDULED)
MAX_NOTES = 2000


class VisitError(ValueError):
    """A payload the server cannot accept (answered 400, never retried as-is)."""


class NotInScope(LookupError):
    """The customer, stop or contact is not the rep's (answered 404)."""


@dataclass(frozen=True)
class PlanningSettings:
    """The visit-flow part of a company's planning settings."""

    checkin_radius_m: float
    no_sale_reasons: tuple[dict[str, str], ...]

    def reason_keys(self) -> set[str]:
        """Keys a no-sale or skip reason may take."""
        return {r["key"] for r in self.no_sale_reasons}


@dataclass(frozen=True)
class VisitInput:
    """One action of the visit flow, as parsed from the phone's JSON."""

    client_uuid: uuid.UUID
    action: str
    customer_id: int
    stop_id: int | None = None
    at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    outcome: Outcome | None = None
    order_value: Decimal | None = None
    reason: str | None = None
    notes: str | None = None


def get_planning_settings(*, company_id: int) -> PlanningSettings:
    """Read the latest settings version's check-in radius and no-sale reasons."""
    planning = db.session.scalar(
        sa.select(CompanySettings.planning)
        .where(CompanySettings.company_id == company_id)
        .order_by(CompanySettings.version.desc())
        .limit(1)
    ) or {}
    radius = planning.get("checkin_radius_m", planning.get("check_in_radius_m"))
    reasons = tuple(
        r for r in planning.get("no_sale_reasons") or () if isinstance(r, dict) and r.get("key")
    )
    return PlanningSettings(
        checkin_radius_m=float(radius or DEFAULT_CHECKIN_RADIUS_M), no_sale_reasons=reasons
    )


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres between two WGS84 points."""
    return float(geodesic((lat1, lon1), (lat2, lon2)).meters)


def _number(payload: dict[str, Any], key: str) -> float | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise VisitError(f"{key} must be a number") from None
    if number != number or abs(number) == float("inf"):
        raise VisitError(f"{key} must be finite")
    return number


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise VisitError("at must be an ISO 8601 timestamp") from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise VisitError("order_value must be an amount") from None
    if amount < 0 or amount >= Decimal("1e12"):
        raise VisitError("order_value out of range")
    return amount


def _outcome(action: str, value: Any) -> Outcome | None:
    if action == "skip":
        return Outcome.SKIPPED
    if action != "check_out":
        return None
    try:
        outcome = Outcome(str(value))
    except ValueError:
        raise VisitError("unknown outcome") from None
    if outcome not in VISIT_OUTCOMES:
        raise VisitError("outcome not allowed for a visit")
    return outcome


def parse_visit(payload: Any) -> VisitInput:
    """Validate the phone's JSON into a VisitInput (VisitError on anything malformed)."""
    if not isinstance(payload, dict):
        raise VisitError("a JSON object is expected")
    try:
        client_uuid = uuid.UUID(str(payload.get("client_uuid")))
        customer_id = int(payload["customer_id"])
        stop_id = int(payload["stop_id"]) if payload.get("stop_id") not in (None, "") else None
    except (KeyError, TypeError, ValueError):
        raise VisitError("client_uuid and customer_id are required") from None
    action = str(payload.get("action"))
    if action not in ACTIONS:
        raise VisitError("unknown action")
    notes = (str(payload.get("notes") or "").strip() or None) if payload.get("notes") else None
    reason = str(payload.get("reason") or "").strip() or None
    return VisitInput(
        client_uuid=client_uuid,
        action=action,
        customer_id=customer_id,
        stop_id=stop_id,
        at=_moment(payload.get("at")),
        lat=_number(payload, "lat"),
        lon=_number(payload, "lon"),
        accuracy_m=_number(payload, "accuracy"),
        outcome=_outcome(action, payload.get("outcome")),
        order_value=_money(payload.get("order_value")),
        reason=reason[:60] if reason else None,
        notes=notes[:MAX_NOTES] if notes else None,
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
        .where(Plan.user_id == scope.user_id, Plan.plan_date == day,
               PlanStop.customer_id == customer_id)
        .order_by(PlanStop.seq)
        .limit(1)
    )


def _contact_for(
    scope: Scope, visit: VisitInput, customer: Customer, stop: PlanStop | None, day: date
) -> Contact:
    contact = db.session.scalar(sa.select(Contact).where(Contact.client_uuid == visit.client_uuid))
    if contact is not None:
        if contact.user_id != scope.user_id or contact.customer_id != customer.id:
            raise NotInScope("contact")
        return contact
    contact = Contact(
        client_uuid=visit.client_uuid,
        company_id=customer.company_id,
        customer_id=customer.id,
        user_id=scope.user_id,
        kind=ContactKind.VISIT,
        planned=stop is not None,
        plan_stop_id=stop.id if stop else None,
        contact_date=day,
    )
    db.session.add(contact)
    return contact


def _check_in(contact: Contact, visit: VisitInput, customer: Customer, radius_m: float, now: datetime) -> None:
    contact.check_in_at = visit.at or now
    contact.check_in_lat, contact.check_in_lon = visit.lat, visit.lon
    contact.check_in_accuracy_m = visit.accuracy_m
    if visit.lat is not None and visit.lon is not None and customer.has_position:
        contact.check_in_distance_m = round(
            distance_m(visit.lat, visit.lon, customer.latitude, customer.longitude), 1  # type: ignore[arg-type]
        )
        contact.check_in_flagged = contact.check_in_distance_m > radius_m
    else:
        # No fix or no customer position: the check-in is kept, and shown to the supervisor.
        contact.check_in_distance_m = None
        contact.check_in_flagged = True


def _finish(contact: Contact, visit: VisitInput, settings: PlanningSettings, now: datetime) -> None:
    if visit.outcome == Outcome.NO_SALE or visit.action == "skip":
        if visit.reason is None:
            raise VisitError("a reason is required")
        keys = settings.reason_keys()
        if keys and visit.reason not in keys:
            raise VisitError("unknown reason")
    if visit.outcome == Outcome.ORDER and visit.order_value is None:
        raise VisitError("an order needs its value")
    contact.outcome = visit.outcome
    contact.no_sale_reason = visit.reason if visit.outcome in (Outcome.NO_SALE, Outcome.SKIPPED) else None
    contact.order_value = visit.order_value if visit.outcome == Outcome.ORDER else None
    if visit.action == "check_out":
        contact.check_out_at = visit.at or now
        contact.check_out_lat, contact.check_out_lon = visit.lat, visit.lon
    if visit.notes is not None:
        contact.notes = visit.notes


def _advance(stop: PlanStop | None, action: str, now: datetime) -> None:
    if stop is None:
        return
    if action == "check_out":
        stop.status = StopStatus.DONE
    elif action == "skip":
        stop.status = StopStatus.SKIPPED
    elif stop.status == StopStatus.PENDING:
        # A re-sent check-in must not reopen a visit already checked out.
        stop.status = StopStatus.IN_PROGRESS
    plan = stop.plan
    if plan.status in (PlanStatus.DRAFT, PlanStatus.PLANNED):
        plan.status = PlanStatus.STARTED
        plan.started_at = now


def record_visit(*, scope: Scope, visit: VisitInput, now: datetime | None = None) -> tuple[Contact, bool]:
    """Apply one visit action, creating or updating the contact of its client UUID.

    Returns
    -------
    tuple[Contact, bool]
        The contact and whether it was created by this call.

    Raises
    ------
    NotInScope
        The customer or the UUID belongs to someone else (the view answers 404).
    VisitError
        The payload is incomplete (missing reason or order value).
    """
    now = now or datetime.now(UTC)
    customer = db.session.scalar(scope.customers().where(Customer.id == visit.customer_id))
    if customer is None:
        raise NotInScope("customer")
    day = visit.at.astimezone(DEFAULT_TZ).date() if visit.at else local_today()
    stop = _stop_for(scope, visit.stop_id, customer.id, day) if visit.stop_id else None
    contact = _contact_for(scope, visit, customer, stop, day)
    created = contact.id is None
    settings = get_planning_settings(company_id=customer.company_id)
    if visit.action == "check_in":
        _check_in(contact, visit, customer, settings.checkin_radius_m, now)
        if visit.notes is not None:
            contact.notes = visit.notes
    else:
        _finish(contact, visit, settings, now)
    if stop is None and contact.plan_stop_id is not None:
        stop = db.session.get(PlanStop, contact.plan_stop_id)
    elif stop is not None and contact.plan_stop_id is None:
        contact.plan_stop_id, contact.planned = stop.id, True
    _advance(stop, visit.action, now)
    db.session.flush()
    return contact, created


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
    }


def list_day_contacts(*, scope: Scope, day: date) -> list[Contact]:
    """The rep's own visits of a day, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.user_id == scope.user_id, Contact.contact_date == day,
                   Contact.kind == ContactKind.VISIT)
            .order_by(Contact.created_at, Contact.id)
        )
    )


def position_of(payload: Any) -> tuple[float, float] | None:
    """A (lat, lon) pair from a JSON body, or None when absent or out of range."""
    if not isinstance(payload, dict):
        return None
    try:
        lat, lon = _number(payload, "lat"), _number(payload, "lon")
    except VisitError:
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon
