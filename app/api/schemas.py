"""Marshmallow schemas of the API, for what it reads and what it answers.

Upsert items are built from the import columns (one definition). The output schemas dump
the models themselves (``attribute=`` and functions say where a key comes from), so a view
hands over rows and never builds a response dict by hand.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_dump, validate

from app.models import PlanStop, User
from app.services import work_profiles
from app.services.imports import columns_of
from app.services.opening_hours import (
    format_opening_hours,
    format_weekdays,
    normalize_opening_hours,
)

INT32 = validate.Range(min=1, max=2**31 - 1)
MAX_ITEMS = 5000


class ErrorBodySchema(Schema):
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw(allow_none=True)


class ErrorSchema(Schema):
    """`{"error": {"status", "code", "message", "details"}}` for every API error."""

    error = fields.Nested(ErrorBodySchema, required=True)


_INTERVAL = {
    "type": "array",
    "items": {"type": "string", "example": "08:00"},
    "minItems": 2,
    "maxItems": 2,
}
WEEK_SCHEMA = {
    "type": "object",
    "description": (
        "Intervals per weekday (mon..sun); a day left out or empty is closed; "
        "{} means no restriction."
    ),
    "additionalProperties": {"type": "array", "items": _INTERVAL, "maxItems": 2},
    "example": {"mon": [["08:00", "12:00"], ["14:00", "18:00"]], "sat": [["08:00", "12:00"]]},
}


class OpeningHoursField(fields.Field):
    """Opening hours as text (`seg-sex 08:00-18:00; sáb 08:00-12:00`) or as a week object."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if len(value) > 500:
                raise ValidationError("Longer than maximum length 500.")
            return value
        if isinstance(value, dict):
            return value
        raise ValidationError(
            "Use a text like 'seg-sex 08:00-18:00' or an object of intervals per weekday."
        )


def _field(api_type: str, required: bool, max_length: int | None) -> fields.Field:
    # Only the identity key is required: a key left out keeps the stored value, null clears it.
    opts: dict[str, Any] = {"required": required, "allow_none": not required}
    if api_type == "hours":
        return OpeningHoursField(
            **opts,
            metadata={
                "oneOf": [{"type": "string", "maxLength": 500}, WEEK_SCHEMA],
                "description": "Text grammar or week object (docs/import.md).",
            },
        )
    if api_type == "number":
        return fields.Float(allow_nan=False, **opts)
    if api_type == "integer":
        return fields.Integer(strict=True, validate=INT32, **opts)
    if api_type == "date":
        return fields.Date(**opts)
    if api_type == "boolean":
        return fields.Boolean(**opts)
    return fields.String(validate=validate.Length(max=max_length or 2000), **opts)


def item_schema(kind: str, name: str, skip: tuple[str, ...] = ()) -> type[Schema]:
    """A schema whose fields are the import columns of a kind (same keys, same meaning)."""
    attrs = {
        c.key: _field(c.api, c.identity, c.max_length)
        for c in columns_of(kind)
        if c.key not in skip
    }
    return Schema.from_dict(attrs, name=name)


CustomerItem = item_schema("customers", "CustomerItem")
ReceivableItem = item_schema("receivables", "ReceivableItem")
UserItem = item_schema("users", "UserItem")
_ORDER_HEAD = ("order_code", "customer_code", "order_date", "rep_code")
OrderLineItem = item_schema("orders", "OrderLineItem", skip=_ORDER_HEAD)


class OrderItemSchema(Schema):
    order_code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    # Left out, a stored order keeps its customer, date and rep; a new order needs the first two.
    customer_code = fields.String(validate=validate.Length(min=1, max=60))
    order_date = fields.Date()
    rep_code = fields.String(allow_none=True, validate=validate.Length(max=60))
    lines = fields.List(
        fields.Nested(OrderLineItem), required=True, validate=validate.Length(min=1, max=500)
    )


def _bulk(item: type[Schema] | Schema, name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(
                fields.Nested(item), required=True, validate=validate.Length(min=1, max=MAX_ITEMS)
            ),
            "dry_run": fields.Boolean(load_default=False),
        },
        name=name,
    )


CustomersBulk = _bulk(CustomerItem, "CustomersBulk")
UsersBulk = _bulk(UserItem, "UsersBulk")
ReceivablesBulk = _bulk(ReceivableItem, "ReceivablesBulk")
OrdersBulk = _bulk(OrderItemSchema, "OrdersBulk")


class FieldChangeSchema(Schema):
    field = fields.String(required=True)
    old = fields.String(required=True)
    new = fields.String(required=True)


class RowChangeSchema(Schema):
    row = fields.Integer(required=True, metadata={"description": "Index of the item in `items`."})
    code = fields.String(required=True)
    fields_ = fields.List(
        fields.Nested(FieldChangeSchema), required=True, attribute="fields", data_key="fields"
    )


class ImportSummarySchema(Schema):
    kind = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    fields_ = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        attribute="fields",
        data_key="fields",
        metadata={"description": "How many stored records change each field."},
    )
    changes = fields.List(
        fields.Nested(RowChangeSchema),
        required=True,
        metadata={"description": "Changed fields of the first 200 changed records."},
    )


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class CustomerOutSchema(Schema):
    id = fields.Integer(required=True)
    erp_code = fields.String(required=True)
    legal_name = fields.String(required=True)
    trade_name = fields.String(required=True)
    segment = fields.String(required=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    owner_id = fields.Integer(allow_none=True)
    channel = fields.String(required=True)
    active = fields.Boolean(required=True)
    opening_hours = fields.Function(
        lambda c: format_opening_hours(c.opening_hours),
        required=True,
        metadata={"type": "string", "description": "Empty: no restriction."},
    )
    opening_hours_week = fields.Function(
        lambda c: normalize_opening_hours(c.opening_hours), required=True, metadata=WEEK_SCHEMA
    )
    delivery_weekdays = fields.Function(
        lambda c: format_weekdays(c.delivery_weekdays),
        required=True,
        metadata={"type": "string", "description": "Empty: any day."},
    )
    updated_at = fields.DateTime(required=True)


class UserOutSchema(Schema):
    """A user with the work profile in the keys and formats the users upsert takes."""

    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    erp_code = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    work_days = fields.String(allow_none=True)
    day_start = fields.String(allow_none=True)
    day_end = fields.String(allow_none=True)
    lunch_start = fields.String(allow_none=True)
    lunch_end = fields.String(allow_none=True)
    lunch_minutes = fields.Integer(allow_none=True)
    max_work_minutes = fields.Integer(allow_none=True)
    base_latitude = fields.Float(allow_none=True)
    base_longitude = fields.Float(allow_none=True)
    base_address = fields.String(allow_none=True)

    @pre_dump
    def _with_profile(self, user: User, **_kwargs: Any) -> dict[str, Any]:
        """The work profile's values flattened beside the user's, in the upsert's formats."""
        data: dict[str, Any] = {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": str(user.role),
            "erp_code": user.erp_code,
            "team": user.team.name if user.team else None,
            "phone": user.phone,
            "active": user.active,
            **dict.fromkeys(work_profiles.KEYS),
        }
        if user.work_profile is not None and user.role in work_profiles.ROLES:
            profile = work_profiles.values_of(user.work_profile)
            data.update(
                profile,
                work_days=format_weekdays(profile["work_days"]),
                **{
                    k: profile[k].strftime("%H:%M") if profile[k] else None
                    for k in ("day_start", "day_end", "lunch_start", "lunch_end")
                },
            )
        return data


def _of_customer(attr: str, api_type: str) -> fields.Function:
    """A field read from the stop's customer (None for a lunch, which has none)."""

    def read(stop: PlanStop) -> Any:
        return getattr(stop.customer, attr) if stop.customer is not None else None

    return fields.Function(read, allow_none=True, metadata={"type": api_type})


class PlanArgsSchema(Schema):
    date = fields.Date(required=True)
    rep_id = fields.Integer(validate=INT32)


class StopOutSchema(Schema):
    seq = fields.Integer(required=True)
    kind = fields.String(required=True)
    customer_id = fields.Integer(allow_none=True)
    customer_code = _of_customer("erp_code", "string")
    customer_name = _of_customer("display_name", "string")
    latitude = _of_customer("latitude", "number")
    longitude = _of_customer("longitude", "number")
    arrival_s = fields.Integer(required=True)
    start_s = fields.Integer(required=True)
    departure_s = fields.Integer(required=True)
    travel_m = fields.Integer(required=True)
    pinned = fields.Boolean(required=True)
    appointment = fields.Boolean(required=True)
    status = fields.String(required=True)


class PlanOutSchema(Schema):
    id = fields.Integer(required=True)
    rep_id = fields.Integer(required=True, attribute="user_id")
    date = fields.Date(required=True, attribute="plan_date")
    status = fields.String(required=True)
    revision = fields.Integer(required=True)
    start_s = fields.Integer(required=True)
    end_s = fields.Integer(required=True)
    total_m = fields.Integer(required=True)
    driving_s = fields.Integer(required=True)
    stops = fields.List(fields.Nested(StopOutSchema), required=True)


class ContactArgsSchema(PageArgsSchema):
    since = fields.AwareDateTime(
        default_timezone=UTC,
        load_default=None,
        metadata={"description": "Only contacts changed at or after this instant."},
    )


class ContactOutSchema(Schema):
    id = fields.Integer(required=True)
    uuid = fields.String(required=True, attribute="client_uuid")
    customer_id = fields.Integer(required=True)
    customer_code = fields.Function(
        lambda contact: contact.customer.erp_code, required=True, metadata={"type": "string"}
    )
    user_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    planned = fields.Boolean(required=True)
    contact_date = fields.Date(required=True)
    check_in_at = fields.DateTime(allow_none=True)
    check_in_lat = fields.Float(allow_none=True)
    check_in_lon = fields.Float(allow_none=True)
    check_in_flagged = fields.Boolean(required=True)
    check_out_at = fields.DateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    no_sale_reason = fields.String(allow_none=True)
    order_value = fields.Float(allow_none=True)
    notes = fields.String(allow_none=True)
    updated_at = fields.DateTime(required=True)
