"""API v1: a supervisor's (or admin's) actions on customers in scope.

The same services as the pages (``app.services.actions``): send to a telesales seat's list,
book a visit, move to another portfolio (``dry_run`` answers the workload preview), mark lost.
Refusals answer 422 with the messages by field; customers outside the scope 404; reps and
telesales seats 403.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort
from marshmallow import Schema, fields, validate

from app.api.auth import api_scope, api_user, authenticate_request
from app.api.schemas import INT32, ErrorSchema
from app.api.views import Blueprint
from app.models import Customer, Role, User
from app.services.actions import appointments, lost, moves
from app.services.actions import telesales as telesales_requests
from app.services.clock import local_now
from app.services.errors import NotFound

bp = Blueprint(
    "api_customer_actions",
    __name__,
    url_prefix="/api/v1/customers",
    description="A supervisor's actions on customers: telesales, visits, moves, lost.",
)
bp.before_request(authenticate_request)


class CallRequestIn(Schema):
    seat_id = fields.Integer(required=True, validate=INT32)
    due_date = fields.Date(required=True)
    note = fields.String(validate=validate.Length(max=300), load_default=None, allow_none=True)


class CallRequestOut(Schema):
    id = fields.Integer(required=True)
    customer_id = fields.Integer(required=True)
    seat_id = fields.Integer(required=True)
    due_date = fields.Date(required=True)
    note = fields.String(allow_none=True)


class AppointmentIn(Schema):
    rep_id = fields.Integer(required=True, validate=INT32)
    day = fields.Date(required=True)
    window_start = fields.Time(required=True, metadata={"example": "09:00"})
    window_end = fields.Time(required=True, metadata={"example": "10:30"})
    note = fields.String(validate=validate.Length(max=300), load_default=None, allow_none=True)


class AppointmentOut(Schema):
    id = fields.Integer(required=True)
    customer_id = fields.Integer(required=True)
    rep_id = fields.Integer(required=True)
    day = fields.Date(required=True)
    window_start_s = fields.Integer(required=True)
    window_end_s = fields.Integer(required=True)
    note = fields.String(allow_none=True)
    plan_state = fields.String(
        required=True,
        metadata={
            "description": "replanned | dropped | under_way | not_planned_yet: what the rep's "
            "plan of that day did with the visit"
        },
    )


class LostIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=60))
    note = fields.String(validate=validate.Length(max=300), load_default=None, allow_none=True)


class LostOut(Schema):
    id = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    lost_on = fields.Date(allow_none=True)
    lost_reason = fields.String(allow_none=True)


class MoveIn(Schema):
    customer_ids = fields.List(
        fields.Integer(validate=INT32),
        required=True,
        validate=validate.Length(min=1, max=moves.MAX_CUSTOMERS),
    )
    target_id = fields.Integer(required=True, validate=INT32)
    dry_run = fields.Boolean(load_default=True)


class WorkloadOut(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    customers = fields.Integer(required=True)
    visits = fields.Float(required=True)
    service_h = fields.Float(required=True)
    travel_h = fields.Float(allow_none=True)
    needed_h = fields.Float(allow_none=True)
    available_h = fields.Float(allow_none=True)


class EffectOut(Schema):
    moved = fields.Integer(required=True)
    before = fields.Nested(WorkloadOut, required=True)
    after = fields.Nested(WorkloadOut, required=True)


class MoveOut(Schema):
    dry_run = fields.Boolean(required=True)
    target_id = fields.Integer(required=True)
    customer_ids = fields.List(fields.Integer(), required=True)
    effects = fields.List(fields.Nested(EffectOut), required=True)


def _actor() -> User:
    user = api_user()
    if user.role not in (Role.ADMIN, Role.SUPERVISOR):
        abort(403, description="Only supervisors and administrators act on customers.")
    return user


def _customer(customer_id: int) -> Customer:
    if not 0 < customer_id < 2**31:  # ids are 32-bit: a larger one names nothing
        raise NotFound("customer")
    return api_scope().get_customer(customer_id)


def _guard(view: Any) -> Any:
    """Role first (403), then the body (422): a rep never learns what a valid body looks like."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _actor()
        return view(*args, **kwargs)

    return wrapped


@bp.route("/<int:customer_id>/call-requests", methods=["POST"])
@_guard
@bp.alt_response(403, schema=ErrorSchema, description="Not a supervisor or administrator.")
@bp.alt_response(404, schema=ErrorSchema, description="No such customer in your scope.")
@bp.arguments(CallRequestIn)
@bp.response(201, CallRequestOut)
def send_to_telesales(data: dict[str, Any], customer_id: int) -> Any:
    """Put a customer on a telesales seat's call list from a due date, with a note."""
    customer = _customer(customer_id)
    return telesales_requests.send_to_telesales(
        actor=_actor(),
        scope=api_scope(),
        customer=customer,
        seat_id=data["seat_id"],
        due_date=data["due_date"],
        note=data.get("note"),
        today=local_now().date(),
    )


@bp.route("/<int:customer_id>/appointments", methods=["POST"])
@_guard
@bp.alt_response(403, schema=ErrorSchema, description="Not a supervisor or administrator.")
@bp.alt_response(404, schema=ErrorSchema, description="No such customer in your scope.")
@bp.arguments(AppointmentIn)
@bp.response(201, AppointmentOut)
def book_visit(data: dict[str, Any], customer_id: int) -> Any:
    """Book a visit of a rep with the customer on a day and an arrival window (local time)."""
    customer = _customer(customer_id)
    booking = appointments.book_visit(
        actor=_actor(),
        scope=api_scope(),
        customer=customer,
        rep_id=data["rep_id"],
        day=data["day"],
        window_start=data["window_start"],
        window_end=data["window_end"],
        note=data.get("note"),
        now=local_now(),
    )
    appt = booking.appointment
    return {
        "id": appt.id,
        "customer_id": appt.customer_id,
        "rep_id": appt.user_id,
        "day": appt.day,
        "window_start_s": appt.window_start_s,
        "window_end_s": appt.window_end_s,
        "note": appt.note,
        "plan_state": booking.plan_state,
    }


@bp.route("/<int:customer_id>/lost", methods=["POST"])
@_guard
@bp.alt_response(403, schema=ErrorSchema, description="Not a supervisor or administrator.")
@bp.alt_response(404, schema=ErrorSchema, description="No such customer in your scope.")
@bp.arguments(LostIn)
@bp.response(200, LostOut)
def mark_lost(data: dict[str, Any], customer_id: int) -> Any:
    """Mark a customer lost with one of the company's reasons: it leaves the active base."""
    customer = _customer(customer_id)
    now = local_now()
    lost.mark_lost(
        actor=_actor(),
        customer=customer,
        reason=data["reason"],
        note=data.get("note"),
        today=now.date(),
        now=now,
    )
    return customer


def _workload(w: moves.Workload) -> dict[str, Any]:
    return {
        "user_id": w.user_id,
        "name": w.name,
        "customers": w.customers,
        "visits": round(w.visits, 2),
        "service_h": round(w.service_h, 2),
        "travel_h": None if w.travel_h is None else round(w.travel_h, 2),
        "needed_h": None if w.needed_h is None else round(w.needed_h, 2),
        "available_h": None if w.available_h is None else round(w.available_h, 2),
    }


@bp.route("/move", methods=["POST"])
@_guard
@bp.alt_response(403, schema=ErrorSchema, description="Not a supervisor or administrator.")
@bp.alt_response(404, schema=ErrorSchema, description="A customer outside your scope.")
@bp.arguments(MoveIn)
@bp.response(200, MoveOut)
def move(data: dict[str, Any]) -> Any:
    """Move customers to another portfolio; `dry_run` (default) only answers the workloads."""
    scope, today = api_scope(), local_now().date()
    if data["dry_run"]:
        result = moves.preview_move(
            scope=scope,
            customer_ids=data["customer_ids"],
            target_id=data["target_id"],
            today=today,
        )
    else:
        result = moves.move_customers(
            actor=_actor(),
            scope=scope,
            customer_ids=data["customer_ids"],
            target_id=data["target_id"],
            today=today,
        )
    return {
        "dry_run": data["dry_run"],
        "target_id": result.target.id,
        "customer_ids": [c.id for c in result.customers],
        "effects": [
            {"moved": e.moved, "before": _workload(e.before), "after": _workload(e.after)}
            for e in result.effects
        ],
    }
