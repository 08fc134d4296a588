"""Changing a customer by hand: the fields the planner and the score read, with their rules.

The customer edit page calls :func:`update_customer` with only the fields the user changed,
so saving a form without touching a field never rewrites it. Values are already parsed
(opening hours as the stored document of :mod:`app.services.opening_hours`, delivery
weekdays as a bit mask). Flushes, never commits; raises :class:`Invalid` before changing
anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import AuditLog, Channel, Customer, GeocodeStatus, Role, User
from app.security.scope import Scope
from app.services.errors import Invalid
from app.services.opening_hours import normalize_opening_hours

TEXT_FIELDS = {
    "trade_name": 200,
    "legal_name": 200,
    "segment": 60,
    "street": 200,
    "number": 20,
    "district": 120,
    "city": 120,
    "state": 2,
    "postal_code": 10,
    "zone": 60,
    "phone": 30,
    "whatsapp": 30,
}
REQUIRED_TEXT = ("trade_name", "legal_name", "segment")
ADDRESS_FIELDS = ("street", "number", "district", "city", "state", "postal_code")
EDITABLE = (
    *TEXT_FIELDS,
    "channel",
    "owner_id",
    "visit_frequency_days",
    "service_minutes",
    "credit_limit",
    "opening_hours",
    "delivery_weekdays",
    "latitude",
    "longitude",
)
OWNER_ROLE = {Channel.FIELD: Role.REP, Channel.TELESALES: Role.TELESALES}
MAX_CREDIT = Decimal("1e10")
# The customer form's ranges, which the import and the API follow too.
VISIT_FREQUENCY_DAYS = (1, 365)
SERVICE_MINUTES = (1, 480)


def owner_choices(*, scope: Scope) -> list[User]:
    """Return the active reps and telesales seats a customer in this scope may be given to."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                scope.user_filter(),
                User.active.is_(True),
                User.role.in_([Role.REP, Role.TELESALES]),
            )
            .order_by(User.name)
        )
    )


def _owner_errors(
    scope: Scope, customer: Customer, merged: Mapping[str, Any], given: Mapping[str, Any]
) -> dict[str, Any]:
    """The owner must be someone in scope who serves the customer's channel (checked on change)."""
    errors: dict[str, Any] = {}
    if "owner_id" not in given and "channel" not in given:
        return errors
    owner_id, channel = merged["owner_id"], Channel(merged["channel"])
    if owner_id is None:
        if "owner_id" in given and not scope.is_admin:
            errors["owner_id"] = _l("Choose who serves this customer.")
        return errors
    owner = db.session.get(User, owner_id)
    if (
        owner is None
        or owner.company_id != customer.company_id
        or ("owner_id" in given and owner not in owner_choices(scope=scope))
    ):
        errors["owner_id"] = _l("Choose a rep or telesales seat of your team.")
    elif owner.role != OWNER_ROLE[channel]:
        errors["owner_id"] = (
            _l("A customer served in the field belongs to a field rep.")
            if channel == Channel.FIELD
            else _l("A telesales customer belongs to a telesales seat.")
        )
    return errors


def _number_errors(merged: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    low, high = VISIT_FREQUENCY_DAYS
    if not low <= (merged["visit_frequency_days"] or 0) <= high:
        errors["visit_frequency_days"] = _l(
            "Between %(low)s and %(high)s days.", low=low, high=high
        )
    low, high = SERVICE_MINUTES
    if not low <= (merged["service_minutes"] or 0) <= high:
        errors["service_minutes"] = _l("Between %(low)s and %(high)s minutes.", low=low, high=high)
    credit = merged["credit_limit"]
    if credit is None or not Decimal(0) <= Decimal(credit) < MAX_CREDIT:
        errors["credit_limit"] = _l("A value from zero up.")
    if not 0 < (merged["delivery_weekdays"] or 0) < 128:
        errors["delivery_weekdays"] = _l("Choose at least one delivery day.")
    lat, lon = merged["latitude"], merged["longitude"]
    if (lat is None) != (lon is None):
        errors["longitude"] = _l("Give both coordinates, or neither.")
    elif lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        errors["latitude"] = _l("Latitude between -90 and 90, longitude between -180 and 180.")
    return errors


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k in EDITABLE}
    for key in TEXT_FIELDS:
        if key in out:
            out[key] = (str(out[key]).strip() if out[key] is not None else "") or None
    if out.get("state"):
        out["state"] = out["state"].upper()
    if "channel" in out:
        out["channel"] = Channel(out["channel"])
    if "opening_hours" in out:
        out["opening_hours"] = normalize_opening_hours(out["opening_hours"])
    return out


def update_customer(
    *, actor: User, scope: Scope, customer: Customer, values: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """Change the given fields of a customer in scope; return (and audit) ``{field:
    [old, new]}``."""
    given = _clean(values)
    before = {key: getattr(customer, key) for key in EDITABLE}
    merged = {**before, **given}
    errors = {k: _l("Required.") for k in REQUIRED_TEXT if k in given and not given[k]}
    errors.update(
        {
            k: _l("At most %(n)s characters.", n=n)
            for k, n in TEXT_FIELDS.items()
            if given.get(k) and len(given[k]) > n
        }
    )
    errors.update(_number_errors(merged))
    errors.update(_owner_errors(scope, customer, merged, given))
    if errors:
        raise Invalid(errors)
    changes = {k: [_plain(before[k]), _plain(v)] for k, v in given.items() if before[k] != v}
    for key in changes:
        setattr(customer, key, given[key])
    if "latitude" in changes or "longitude" in changes:
        customer.geocode_status = GeocodeStatus.MANUAL if customer.latitude is not None else None
    elif any(k in changes for k in ADDRESS_FIELDS) and customer.latitude is None:
        customer.geocode_status = None  # a new address is worth another geocoding attempt
    if changes:
        db.session.add(
            AuditLog(
                company_id=customer.company_id,
                actor_id=actor.id,
                action="customer.update",
                target=f"customer:{customer.id}",
                details=changes,
            )
        )
    db.session.flush()
    return changes


def _plain(value: Any) -> Any:
    """JSON-friendly copy of a value for the audit log."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Channel):
        return value.value
    return value
