"""The phone's JSON input, validated at the boundary into the typed values the services take.

One marshmallow schema per body or query string of the rep's API. A refused body is a
``VisitError`` whose ``errors`` are keyed by the payload's field names (answered 400
``invalid``: the phone shows it and never re-sends it as-is). Unknown keys are ignored, and a
key sent as ``null`` or ``""`` counts as left out, as an older phone sends them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from app.models import Outcome
from app.services.money import MoneyError, parse_money
from app.services.visit_input import (
    ACTIONS,
    MAX_NOTES,
    MAX_REASON,
    VISIT_OUTCOMES,
    VisitError,
    VisitInput,
)

MAX_SEARCH = 100


class _Lenient(Schema):
    """Ignore unknown keys; a null or empty value is the same as a key left out."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _drop_blanks(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError("a JSON object is expected", "_schema")
        return {k: v for k, v in data.items() if v is not None and v != ""}


def _required(name: str) -> dict[str, Any]:
    invalid = f"{name} is not valid"
    return {"required": f"{name} is required", "invalid": invalid, "invalid_uuid": invalid}


def _finite(name: str) -> fields.Float:
    return fields.Float(
        allow_nan=False,
        load_default=None,
        error_messages={"invalid": f"{name} must be a number", "special": f"{name} must be finite"},
    )


class _Moment(fields.Field):
    """An ISO 8601 timestamp; one without a zone is UTC (the phone sends UTC)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"{attr} must be an ISO 8601 timestamp") from None
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Money(fields.Field):
    """An amount as the phone typed it (in its schema's locale) or as a number."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        try:
            return parse_money(value, getattr(self.parent, "locale", "pt_BR"))
        except MoneyError as exc:
            raise ValidationError(f"order_value: {exc}") from None


class _Text(fields.Field[str | None]):
    """Free text, trimmed and cut at ``limit`` (a long note never costs the visit)."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        super().__init__(load_default=None, **kwargs)
        self.limit = limit

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        text = str(value).strip()
        return text[: self.limit] or None


class VisitSchema(_Lenient):
    """One action of the visit flow (check in, check out, skip, correct)."""

    client_uuid = fields.UUID(required=True, error_messages=_required("client_uuid"))
    customer_id = fields.Integer(
        required=True, strict=False, error_messages=_required("customer_id")
    )
    stop_id = fields.Integer(load_default=None, error_messages=_required("stop_id"))
    action = fields.String(
        required=True,
        validate=validate.OneOf(ACTIONS, error="unknown action"),
        error_messages={"required": "unknown action"},
    )
    at = _Moment(load_default=None)
    sent_at = _Moment(load_default=None)
    lat = _finite("lat")
    lon = _finite("lon")
    accuracy = _finite("accuracy")
    outcome = fields.String(load_default=None)
    reason = _Text(limit=MAX_REASON)
    notes = _Text(limit=MAX_NOTES)
    order_value = _Money(load_default=None)
    without_check_in = fields.Raw(load_default=False)

    def __init__(self, *, locale: str = "pt_BR", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.locale = locale  # how order_value was typed

    @validates_schema
    def _outcome_fits_action(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("action") not in ("check_out", "correct"):
            return
        try:
            outcome = Outcome(str(data.get("outcome")))
        except ValueError:
            raise ValidationError("unknown outcome", "outcome") from None
        if outcome not in VISIT_OUTCOMES:
            raise ValidationError("outcome not allowed for a visit", "outcome")

    @post_load
    def _typed(self, data: dict[str, Any], **_kwargs: Any) -> VisitInput:
        action = data["action"]
        outcome = (
            Outcome.SKIPPED
            if action == "skip"
            else Outcome(data["outcome"])
            if action in ("check_out", "correct")
            else None
        )
        return VisitInput(
            client_uuid=data["client_uuid"],
            action=action,
            customer_id=data["customer_id"],
            stop_id=data["stop_id"],
            at=data["at"],
            sent_at=data["sent_at"],
            lat=data["lat"],
            lon=data["lon"],
            accuracy_m=data["accuracy"],
            outcome=outcome,
            order_value=data["order_value"],
            reason=data["reason"],
            notes=data["notes"],
            without_check_in=data["without_check_in"] is True,
        )


class PositionSchema(_Lenient):
    """Where the phone stands; both coordinates, on the globe."""

    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))


class SearchSchema(_Lenient):
    """The portfolio search's text (a position, when valid, is read by PositionSchema)."""

    q = _Text(limit=MAX_SEARCH)


class TokenSchema(_Lenient):
    """A signed re-plan token handed back by the phone."""

    token = fields.String(load_default="")


def _messages(errors: dict[str, Any]) -> dict[str, str]:
    """marshmallow's {field: [messages]} as {field: "message; message"}."""
    return {
        field: "; ".join(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))
        for field, msgs in errors.items()
    }


def load_visit(payload: Any, *, locale: str) -> VisitInput:
    """The phone's visit JSON as a VisitInput; ``VisitError`` (by field) when malformed."""
    try:
        visit: VisitInput = VisitSchema(locale=locale).load(payload)
    except ValidationError as exc:
        errors = _messages(exc.normalized_messages())
        raise VisitError("; ".join(errors.values()), errors=errors) from None
    return visit


def load_position(payload: Any) -> tuple[float, float] | None:
    """A (lat, lon) the phone sent, or None when absent or not a place on the globe."""
    try:
        data = PositionSchema().load(payload if isinstance(payload, dict) else {})
    except ValidationError:
        return None
    lat, lon = data["lat"], data["lon"]
    return (lat, lon) if math.isfinite(lat) and math.isfinite(lon) else None


def load_search(args: Any) -> tuple[str, tuple[float, float] | None]:
    """The search's text and, when the phone sent a valid one, its position."""
    text = SearchSchema().load(dict(args))["q"] or ""
    return text, load_position(dict(args))
