"""API v1 endpoints: thin views over the import, scope and query services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import abort, url_for
from flask_smorest import Blueprint
from flask_smorest import abort as smorest_abort

from app.api import schemas as s
from app.api.auth import api_scope, api_user, authenticate_request, require_admin
from app.extensions import db
from app.models import Contact, Customer, Plan
from app.services.imports import ImportResult, import_rows

customers_bp = Blueprint("api_customers", __name__, url_prefix="/api/v1/customers",
                         description="Customers: bulk upsert by ERP code, list in scope.")
orders_bp = Blueprint("api_orders", __name__, url_prefix="/api/v1/orders",
                      description="Orders with their lines: bulk upsert by order code.")
receivables_bp = Blueprint("api_receivables", __name__, url_prefix="/api/v1/receivables",
                           description="Receivables (títulos): bulk upsert by invoice code.")
plans_bp = Blueprint("api_plans", __name__, url_prefix="/api/v1/plans",
                     description="A rep's planned route for a date.")
contacts_bp = Blueprint("api_contacts", __name__, url_prefix="/api/v1/contacts",
                        description="Visits and calls, exported since a timestamp.")
BLUEPRINTS = (customers_bp, orders_bp, receivables_bp, plans_bp, contacts_bp)
for _bp in BLUEPRINTS:
    _bp.before_request(authenticate_request)


def _finish(result: ImportResult, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Commit a clean batch; answer 422 with every problem (nothing written) otherwise."""
    if not result.ok:
        db.session.rollback()
        smorest_abort(422, message="The batch has problems; nothing was written.",
                      errors=details or [p.as_dict() for p in result.problems])
    if not result.dry_run:
        db.session.commit()
    return result.as_dict()


def _upsert(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    user = require_admin()
    result = import_rows(kind=kind, rows=data["items"], company_id=user.company_id, actor_id=user.id,
                         dry_run=data["dry_run"], source=f"api:{kind}")
    return _finish(result)


@customers_bp.route("", methods=["POST"])
@customers_bp.arguments(s.CustomersBulk)
@customers_bp.response(200, s.ImportSummarySchema)
def upsert_customers(data: dict[str, Any]) -> dict[str, Any]:
    """Upsert customers by `erp_code` (all items or none; administrators only)."""
    return _upsert("customers", data)


@receivables_bp.route("", methods=["POST"])
@receivables_bp.arguments(s.ReceivablesBulk)
@receivables_bp.response(200, s.ImportSummarySchema)
def upsert_receivables(data: dict[str, Any]) -> dict[str, Any]:
    """Upsert receivables by `erp_code` (all items or none; administrators only)."""
    return _upsert("receivables", data)


@orders_bp.route("", methods=["POST"])
@orders_bp.arguments(s.OrdersBulk)
@orders_bp.response(200, s.ImportSummarySchema)
def upsert_orders(data: dict[str, Any]) -> dict[str, Any]:
    """Upsert orders with their lines by `order_code` (all or none; administrators only)."""
    user = require_admin()
    rows: list[dict[str, Any]] = []
    where: list[tuple[int, int]] = []
    for i, item in enumerate(data["items"]):
        head = {k: item.get(k) for k in ("order_code", "customer_code", "order_date", "rep_code")}
        for j, line in enumerate(item["lines"]):
            rows.append({**head, **line})
            where.append((i, j))
    result = import_rows(kind="orders", rows=rows, company_id=user.company_id, actor_id=user.id,
                         dry_run=data["dry_run"], source="api:orders")
    details = [
        {**p.as_dict(), "row": None, "item": where[p.row][0] if p.row is not None else None,
         "line": where[p.row][1] if p.row is not None else None}
        for p in result.problems
    ]
    result.rows = len(data["items"])
    return _finish(result, details)


def _paginate(query: sa.Select[Any], args: dict[str, Any], endpoint: str) -> tuple[list[Any], dict[str, str]]:
    """One page of a query, with X-Total-Count and RFC 8288 Link headers."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    page, per_page = args["page"], args["per_page"]
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    extra = {k: val.isoformat() for k, val in args.items() if k not in ("page", "per_page") and val is not None}
    links = [f'<{url_for(endpoint, page=page + 1, per_page=per_page, **extra)}>; rel="next"']
    if page * per_page >= total:
        links = []
    if page > 1:
        links.append(f'<{url_for(endpoint, page=page - 1, per_page=per_page, **extra)}>; rel="prev"')
    headers = {"X-Total-Count": str(total)}
    if links:
        headers["Link"] = ", ".join(links)
    return items, headers


@customers_bp.route("", methods=["GET"])
@customers_bp.arguments(s.PageArgsSchema, location="query")
@customers_bp.response(200, s.CustomerOutSchema(many=True))
def list_customers(args: dict[str, Any]) -> Any:
    """Customers in the token owner's scope, by ERP code (page + per_page; X-Total-Count)."""
    query = api_scope().customers().order_by(Customer.erp_code, Customer.id)
    items, headers = _paginate(query, args, "api_customers.list_customers")
    return items, 200, headers


def _stop(stop: Any) -> dict[str, Any]:
    customer = stop.customer
    return {
        "seq": stop.seq, "kind": stop.kind, "customer_id": stop.customer_id,
        "customer_code": customer.erp_code if customer else None,
        "customer_name": customer.display_name if customer else None,
        "latitude": customer.latitude if customer else None,
        "longitude": customer.longitude if customer else None,
        "arrival_s": stop.arrival_s, "start_s": stop.start_s, "departure_s": stop.departure_s,
        "travel_m": stop.travel_m, "pinned": stop.pinned, "appointment": stop.appointment,
        "status": str(stop.status),
    }


@plans_bp.route("", methods=["GET"])
@plans_bp.arguments(s.PlanArgsSchema, location="query")
@plans_bp.response(200, s.PlanOutSchema)
def get_plan(args: dict[str, Any]) -> dict[str, Any]:
    """The route of a rep (default: the token owner) for a date; 404 outside the scope."""
    scope = api_scope()
    rep_id = args.get("rep_id") or api_user().id
    if not scope.can_see_user(rep_id):
        abort(404)
    plan = db.session.scalar(sa.select(Plan).where(Plan.user_id == rep_id, Plan.plan_date == args["date"],
                                                   scope.owner_filter(Plan.user_id)))
    if plan is None:
        abort(404)
    return {
        "id": plan.id, "rep_id": plan.user_id, "date": plan.plan_date, "status": str(plan.status),
        "revision": plan.revision, "start_s": plan.start_s, "end_s": plan.end_s, "total_m": plan.total_m,
        "driving_s": plan.driving_s, "stops": [_stop(stop) for stop in plan.stops],
    }


def _since(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return datetime(1970, 1, 1, tzinfo=UTC)


def _contact(contact: Contact, code: str) -> dict[str, Any]:
    data = {f: getattr(contact, f) for f in (
        "id", "customer_id", "user_id", "planned", "contact_date", "check_in_at", "check_in_lat", "check_in_lon",
        "check_in_flagged", "check_out_at", "no_sale_reason", "notes", "updated_at")}
    data.update(uuid=str(contact.client_uuid), customer_code=code, kind=str(contact.kind),
                outcome=str(contact.outcome) if contact.outcome else None,
                order_value=float(contact.order_value) if contact.order_value is not None else None)
    return data


@contacts_bp.route("", methods=["GET"])
@contacts_bp.arguments(s.ContactArgsSchema, location="query")
@contacts_bp.response(200, s.ContactOutSchema(many=True))
def export_contacts(args: dict[str, Any]) -> Any:
    """Contacts in scope changed since `since`, oldest change first (page + per_page; X-Total-Count)."""
    scope = api_scope()
    query = sa.select(Contact).where(Contact.company_id == scope.company_id, scope.owner_filter(Contact.user_id))
    since = _since(args.get("since"))
    if since is not None:
        query = query.where(Contact.updated_at >= since)
    query = query.order_by(Contact.updated_at, Contact.id)
    items, headers = _paginate(query, {**args, "since": since}, "api_contacts.export_contacts")
    codes = dict(db.session.execute(
        sa.select(Customer.id, Customer.erp_code).where(Customer.id.in_({c.customer_id for c in items}))
    ).all())
    return [_contact(c, codes.get(c.customer_id, "")) for c in items], 200, headers


