"""API v1: each rep's capacity over the next four weeks, and a rebalancing proposal.

The same service as the supervisor's capacity page (:mod:`app.services.capacity`). The
proposal writes nothing: apply its moves with ``POST /api/v1/customers/move`` (one call per
receiving rep, audited per customer). Supervisors see their team, administrators the
company; reps and telesales seats get 403.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, current_app
from flask_smorest import abort as smorest_abort
from marshmallow import Schema, fields, validate

from app.api.actions import WorkloadOut
from app.api.auth import api_scope, api_user, authenticate_request
from app.api.schemas import ErrorSchema
from app.api.views import Blueprint
from app.models import Role
from app.services import capacity as service
from app.services.clock import local_now
from app.services.errors import Invalid

bp = Blueprint(
    "api_capacity",
    __name__,
    url_prefix="/api/v1/capacity",
    description="Each rep's workload against available hours; a rebalancing proposal.",
)
bp.before_request(authenticate_request)


class RepCapacityOut(Schema):
    workload = fields.Nested(WorkloadOut, required=True)
    load_ratio = fields.Float(
        data_key="load", allow_none=True, metadata={"description": "needed / available hours"}
    )
    state = fields.String(
        required=True, metadata={"description": "over | under | balanced | unknown"}
    )
    can_serve = fields.Integer(
        allow_none=True,
        metadata={"description": "about how many customers of this mix the hours hold"},
    )


class CapacityOut(Schema):
    reps = fields.List(fields.Nested(RepCapacityOut), required=True)


class SuggestionQuery(Schema):
    max_moves = fields.Integer(load_default=20, validate=validate.Range(1, service.MAX_MOVES))


class SuggestedMoveOut(Schema):
    customer_id = fields.Integer(required=True)
    customer = fields.String(required=True)
    from_id = fields.Integer(required=True)
    to_id = fields.Integer(required=True)
    km_effect = fields.Float(
        required=True,
        metadata={"description": "km farther (+) or nearer (-) from the territory centre"},
    )
    hours = fields.Float(required=True, metadata={"description": "hours per 4 weeks it adds"})


class RepLoadOut(Schema):
    user_id = fields.Integer(required=True)
    load_before = fields.Float(allow_none=True)
    load_after = fields.Float(allow_none=True)


class SuggestionOut(Schema):
    status = fields.String(
        required=True, metadata={"description": "optimal | feasible | greedy | unchanged | trivial"}
    )
    spread_before = fields.Float(required=True)
    spread_after = fields.Float(required=True)
    moves = fields.List(fields.Nested(SuggestedMoveOut), required=True)
    reps = fields.List(fields.Nested(RepLoadOut), required=True)


def _manager(view: Any) -> Any:
    """Role first (403), then the query (422), as the action endpoints do."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if api_user().role not in (Role.ADMIN, Role.SUPERVISOR):
            abort(403, description="Only supervisors and administrators read capacity.")
        return view(*args, **kwargs)

    return wrapped


def _workload(r: service.RepCapacity) -> dict[str, Any]:
    w = r.workload

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "workload": {
            "user_id": w.user_id,
            "name": w.name,
            "customers": w.customers,
            "visits": round(w.visits, 2),
            "service_h": round(w.service_h, 2),
            "travel_h": rounded(w.travel_h),
            "needed_h": rounded(w.needed_h),
            "available_h": rounded(w.available_h),
        },
        "load_ratio": None if r.load is None else round(r.load, 4),
        "state": r.state,
        "can_serve": r.can_serve,
    }


@bp.route("", methods=["GET"])
@_manager
@bp.alt_response(403, schema=ErrorSchema, description="Not a supervisor or administrator.")
@bp.response(200, CapacityOut)
def read_capacity() -> Any:
    """Every rep in scope: visits, service, travel and needed hours against available hours."""
    team = service.team_capacity(scope=api_scope(), today=local_now().date())
    return {"reps": [_workload(r) for r in team]}


@bp.route("/suggestion", methods=["GET"])
@_manager
@bp.alt_response(403, schema=ErrorSchema, description="Not a supervisor or administrator.")
@bp.arguments(SuggestionQuery, location="query")
@bp.response(200, SuggestionOut)
def read_suggestion(query: dict[str, Any]) -> Any:
    """Proposed customer moves between neighbouring portfolios (nothing is written)."""
    try:
        found = service.suggest(
            scope=api_scope(),
            today=local_now().date(),
            max_moves=query["max_moves"],
            time_limit_s=float(current_app.config["CAPACITY_SOLVE_SECONDS"]),
        )
    except Invalid as exc:
        smorest_abort(422, message="Refused.", errors={k: str(v) for k, v in exc.errors.items()})
    res = found.result
    return {
        "status": res.status,
        "spread_before": round(res.spread(after=False), 4),
        "spread_after": round(res.spread(after=True), 4),
        "moves": [
            {
                "customer_id": m.customer.id,
                "customer": m.customer.display_name,
                "from_id": m.source.user.id,
                "to_id": m.target.user.id,
                "km_effect": round(m.km_effect, 2),
                "hours": round(m.hours, 2),
            }
            for m in found.moves
        ],
        "reps": [
            {
                "user_id": r.user.id,
                "load_before": None if r.load is None else round(r.load, 4),
                "load_after": (
                    None
                    if found.load_after(r.user.id) is None
                    else round(found.load_after(r.user.id) or 0, 4)
                ),
            }
            for r in found.reps
        ],
    }
