"""API v1: monthly coverage and positivação targets of a team and its portfolios.

The same service as the page (``app.services.targets``): read a month's targets with what was
achieved (as of today for this month, the month's last day for a closed one), and set this
month's or next month's. Supervisors (their team) and administrators (any team of their
company); reps and telesales seats 403; a team outside the scope 404; refusals 422.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any

from flask import abort
from flask_smorest import abort as smorest_abort
from marshmallow import Schema, ValidationError, fields, validate

from app.api.auth import api_scope, api_user, authenticate_request
from app.api.schemas import INT32, ErrorSchema
from app.api.views import Blueprint
from app.models import Role, Team, User
from app.services import targets
from app.services.clock import local_today
from app.services.errors import Invalid

bp = Blueprint(
    "api_targets",
    __name__,
    url_prefix="/api/v1/targets",
    description="Monthly coverage and positivação targets of a team and its portfolios.",
)
bp.before_request(authenticate_request)

PCT = validate.Range(min=0, max=100)
MONTH_PATTERN = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"  # 1900-01 to 2999-12


class MonthField(fields.String):
    """A month as ``YYYY-MM``, loaded as its first day."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"example": "2026-12", "pattern": MONTH_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(MONTH_PATTERN, text):
            raise ValidationError("Use YYYY-MM.")
        return date.fromisoformat(f"{text}-01")

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.strftime("%Y-%m")


class TargetsArgs(Schema):
    team_id = fields.Integer(
        validate=INT32, metadata={"description": "Default: the first team in your scope."}
    )
    month = MonthField(metadata={"description": "Default: this month."})


class TargetIn(Schema):
    user_id = fields.Integer(
        validate=INT32,
        allow_none=True,
        load_default=None,
        metadata={
            "description": "A portfolio of the team (rep or telesales seat); null: the team."
        },
    )
    coverage_pct = fields.Float(validate=PCT, allow_none=True, load_default=None, allow_nan=False)
    activation_pct = fields.Float(validate=PCT, allow_none=True, load_default=None, allow_nan=False)


class TargetsIn(Schema):
    team_id = fields.Integer(required=True, validate=INT32)
    month = MonthField(required=True, metadata={"description": "This month or a later one."})
    targets = fields.List(
        fields.Nested(TargetIn),
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "A null percentage keeps the stored one."},
    )


class FigureOut(Schema):
    done = fields.Integer(required=True, metadata={"description": "Customers counting."})
    base = fields.Integer(required=True, metadata={"description": "Customers of the portfolio."})
    share = fields.Float(required=True)
    target_pct = fields.Float(allow_none=True)
    needed = fields.Integer(
        required=True, metadata={"description": "Customers still missing to reach the target."}
    )
    reached = fields.Boolean(allow_none=True)


class SubjectOut(Schema):
    user_id = fields.Integer(allow_none=True, metadata={"description": "null: the whole team."})
    name = fields.String(required=True)
    coverage = fields.Nested(FigureOut, allow_none=True)
    activation = fields.Nested(FigureOut, allow_none=True)


class TargetsOut(Schema):
    team_id = fields.Integer(required=True)
    team = fields.String(required=True)
    month = MonthField(required=True)
    as_of = fields.Date(
        allow_none=True,
        metadata={"description": "Day the achieved figures are counted to; null: a month to come."},
    )
    team_target = fields.Nested(SubjectOut, required=True)
    portfolios = fields.List(fields.Nested(SubjectOut), required=True)


def _manager() -> User:
    user = api_user()
    if user.role not in (Role.ADMIN, Role.SUPERVISOR):
        abort(403, description="Only supervisors and administrators read and set targets.")
    return user


def _guard(view: Any) -> Any:
    """Role first (403), then the arguments (422)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _manager()
        return view(*args, **kwargs)

    return wrapped


def _team(team_id: int | None) -> Team:
    team = targets.team_in_scope(api_scope(), team_id)
    if team is None:
        abort(404, description="No such team in your scope.")
    return team


def _figure(fig: targets.Figure, counted: bool) -> dict[str, Any]:
    return {
        "done": fig.done if counted else 0,
        "base": fig.base,
        "share": round(fig.share, 4) if counted else 0.0,
        "target_pct": None if fig.target_pct is None else float(fig.target_pct),
        "needed": fig.needed,
        "reached": fig.reached if counted else None,
    }


def _answer(team: Team, month: date, today: date) -> dict[str, Any]:
    this = targets.month_of(today)
    counted = month <= this
    end = today if month == this else targets.month_end(month)
    progress = targets.month_progress(api_scope(), team, month, end, with_lists=False)

    def subject(row: targets.Progress) -> dict[str, Any]:
        return {
            "user_id": row.user_id,
            "name": row.name,
            "coverage": _figure(row.coverage, counted),
            "activation": _figure(row.activation, counted),
        }

    return {
        "team_id": team.id,
        "team": team.name,
        "month": month,
        "as_of": end if counted else None,
        "team_target": subject(progress.total),
        "portfolios": [subject(row) for row in progress.rows],
    }


@bp.route("", methods=["GET"])
@_guard
@bp.alt_response(403, schema=ErrorSchema, description="Not a supervisor or administrator.")
@bp.alt_response(404, schema=ErrorSchema, description="No such team in your scope.")
@bp.arguments(TargetsArgs, location="query")
@bp.response(200, TargetsOut)
def read_targets(args: dict[str, Any]) -> Any:
    """A month's targets of a team and its portfolios, with what was achieved against them."""
    today = local_today()
    team = _team(args.get("team_id"))
    return _answer(team, args.get("month") or targets.month_of(today), today)


@bp.route("", methods=["PUT"])
@_guard
@bp.alt_response(403, schema=ErrorSchema, description="Not a supervisor or administrator.")
@bp.alt_response(404, schema=ErrorSchema, description="No such team in your scope.")
@bp.arguments(TargetsIn)
@bp.response(200, TargetsOut)
def set_targets(data: dict[str, Any]) -> Any:
    """Set a month's targets (this month or later); a null percentage keeps the stored one."""
    today = local_today()
    team = _team(data["team_id"])
    values: dict[str, targets.TargetInput] = {}
    for item in data["targets"]:
        key = (
            targets.subject_key(team_id=team.id)
            if item["user_id"] is None
            else targets.subject_key(user_id=item["user_id"])
        )
        values[key] = targets.TargetInput(
            coverage=_pct(item["coverage_pct"]), activation=_pct(item["activation_pct"])
        )
    try:
        targets.set_targets(
            actor=_manager(),
            scope=api_scope(),
            team=team,
            month=data["month"],
            values=values,
            today=today,
        )
    except Invalid as exc:
        smorest_abort(
            422,
            message="Refused; nothing was written.",
            errors={key: str(message) for key, message in exc.errors.items()},
        )
    return _answer(team, data["month"], today)


def _pct(value: float | None) -> Decimal | None:
    """A percentage as stored (two decimals)."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
