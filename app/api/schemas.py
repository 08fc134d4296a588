"""Marshmallow schemas of the API; upsert items are built from the import columns (one definition)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import Schema, fields, validate

from app.services.imports import columns_of

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


def _field(api_type: str, required: bool, max_length: int | None) -> fields.Field:
    opts: dict[str, Any] = {"required": required, "allow_none": not required}
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
    attrs = {c.key: _field(c.api, c.required, c.max_length) for c in columns_of(kind) if c.key not in skip}
    return Schema.from_dict(attrs, name=name)


CustomerItem = item_schema("customers", "CustomerItem")
ReceivableItem = item_schema("receivables", "ReceivableItem")
_ORDER_HEAD = ("order_code", "customer_code", "order_date", "rep_code")
OrderLineItem = item_schema("orders", "OrderLineItem", skip=_ORDER_HEAD)


class OrderItemSchema(Schema):
    order_code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    customer_code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    order_date = fields.Date(required=True)
    rep_code = fields.String(allow_none=True, validate=validate.Length(max=60))
    lines = fields.List(fields.Nested(OrderLineItem), required=True, validate=validate.Length(min=1, max=500))


def _bulk(item: type[Schema] | Schema, name: str) -> type[Schema]:
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True, validate=validate.Length(min=1, max=MAX_ITEMS)),
        "dry_run": fields.Boolean(load_default=False),
    }, name=name)


CustomersBulk = _bulk(CustomerItem, "CustomersBulk")
ReceivablesBulk = _bulk(ReceivableItem, "ReceivablesBulk")
OrdersBulk = _bulk(OrderItemSchema, "OrdersBulk")


class ImportSummarySchema(Schema):
    kind = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


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
    updated_at = fields.DateTime(required=True)


class PlanArgsSchema(Schema):
    date = fields.Date(required=True)
    rep_id = fields.Integer(validate=INT32)


class StopOutSchema(Schema):
    seq = fields.Integer(required=True)
    kind = fields.String(required=True)
    customer_id = fields.Integer(allow_none=True)
    customer_code = fields.String(allow_none=True)
    customer_name = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    arrival_s = fields.Integer(required=True)
    start_s = fields.Integer(required=True)
    departure_s = fields.Integer(required=True)
    travel_m = fields.Integer(required=True)
    pinned = fields.Boolean(required=True)
    appointment = fields.Boolean(required=True)
    status = fields.String(required=True)


class PlanOutSchema(Schema):
    id = fields.Integer(required=True)
    rep_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    status = fields.String(required=True)
    revision = fields.Integer(required=True)
    start_s = fields.Integer(required=True)
    end_s = fields.Integer(required=True)
    total_m = fields.Integer(required=True)
    driving_s = fields.Integer(required=True)
    stops = fields.List(fields.Nested(StopOutSchema), required=True)


class ContactArgsSchema(PageArgsSchema):
    since = fields.AwareDateTime(default_timezone=UTC, load_default=None,
                                 metadata={"description": "Only contacts changed at or after this instant."})


class ContactOutSchema(Schema):
    id = fields.Integer(required=True)
    uuid = fields.String(required=True)
    customer_id = fields.Integer(required=True)
    customer_code = fields.String(required=True)
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
