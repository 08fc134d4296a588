"""API v1 endpoints: thin views over the import, scope and query services."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort as smorest_abort
from sqlalchemy.orm import selectinload

from app.api import schemas as s
from app.api.auth import admin_only, api_scope, api_user, authenticate_request, require_admin
from app.api.schemas import ErrorSchema
from app.extensions import db
from app.models import Contact, Customer, Plan, PlanStop, User
from app.security.json_input import BoundedParser
from app.services.errors import NotFound
from app.services.imports import ImportResult, import_rows


class Blueprint(SmorestBlueprint):
    """flask-smorest's blueprint reading JSON bodies with bounded nesting, no control characters."""

    ARGUMENTS_PARSER = BoundedParser()


customers_bp = Blueprint(
    "api_customers",
    __name__,
    url_prefix="/api/v1/customers",
    description="Customers: bulk upsert by ERP code, list in scope.",
)
orders_bp = Blueprint(
    "api_orders",
    __name__,
    url_prefix="/api/v1/orders",
    description="Orders with their lines: bulk upsert by order code.",
)
receivables_bp = Blueprint(
    "api_receivables",
    __name__,
    url_prefix="/api/v1/receivables",
    description="Receivables (títulos): bulk upsert by invoice code.",
)
plans_bp = Blueprint(
    "api_plans",
    __name__,
    url_prefix="/api/v1/plans",
    description="A rep's planned route for a date.",
)
contacts_bp = Blueprint(
    "api_contacts",
    __name__,
    url_prefix="/api/v1/contacts",
    description="Visits and calls, exported since a timestamp.",
)
users_bp = Blueprint(
    "api_users",
    __name__,
    url_prefix="/api/v1/users",
    description="Users with the work profile of reps and telesales: bulk upsert by e-mail, list.",
)
# OpenAPI links (clients and Schemathesis' stateful tests follow them) point at this operation.
PLAN_OPERATION = "#/paths/~1api~1v1~1plans/get"
BLUEPRINTS = (customers_bp, orders_bp, receivables_bp, plans_bp, contacts_bp, users_bp)
for _bp in BLUEPRINTS:
    _bp.before_request(authenticate_request)


def _finish(result: ImportResult, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Answer a clean batch's counts; answer 422 with every problem (nothing written) otherwise."""
    if not result.ok:
        db.session.rollback()
        smorest_abort(
            422,
            message="The batch has problems; nothing was written.",
            errors=details or [p.as_dict() for p in result.problems],
        )
    return result.as_dict()  # the request's end commits (app/transactions.py)


def _upsert(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    user = require_admin()
    result = import_rows(
        kind=kind,
        rows=data["items"],
        company_id=user.company_id,
        actor_id=user.id,
        dry_run=data["dry_run"],
        source=f"api:{kind}",
    )
    return _finish(result)


@customers_bp.route("", methods=["POST"])
@admin_only
@customers_bp.alt_response(403, schema=ErrorSchema, description="Not an administrator.")
@customers_bp.arguments(s.CustomersBulk)
@customers_bp.response(200, s.ImportSummarySchema)
def upsert_customers(data: dict[str, Any]) -> dict[str, Any]:
    """Upsert customers by `erp_code` (all items or none; administrators only)."""
    return _upsert("customers", data)


@receivables_bp.route("", methods=["POST"])
@admin_only
@receivables_bp.alt_response(403, schema=ErrorSchema, description="Not an administrator.")
@receivables_bp.arguments(s.ReceivablesBulk)
@receivables_bp.response(200, s.ImportSummarySchema)
def upsert_receivables(data: dict[str, Any]) -> dict[str, Any]:
    """Upsert receivables by `erp_code` (all items or none; administrators only)."""
    return _upsert("receivables", data)


@users_bp.route("", methods=["POST"])
@admin_only
@users_bp.alt_response(403, schema=ErrorSchema, description="Not an administrator.")
@users_bp.arguments(s.UsersBulk)
@users_bp.response(200, s.ImportSummarySchema)
def upsert_users(data: dict[str, Any]) -> dict[str, Any]:
    """Upsert users and their work profiles by `email` (all items or none; administrators only)."""
    return _upsert("users", data)


@users_bp.route("", methods=["GET"])
@admin_only
@users_bp.alt_response(403, schema=ErrorSchema, description="Not an administrator.")
@users_bp.arguments(s.PageArgsSchema, location="query")
@users_bp.response(200, s.UserOutSchema(many=True))
@users_bp.doc(
    responses={
        200: {
            "links": {
                "PlanOfTheUser": {
                    "operationRef": PLAN_OPERATION,
                    "parameters": {"rep_id": "$response.body#/0/id"},
                    "description": "The route of the first user (a rep) for a date.",
                }
            }
        }
    }
)
def list_users(args: dict[str, Any]) -> Any:
    """The company's users with their work profiles, by e-mail.

    Administrators only; the total is in X-Total-Count.
    """
    user = require_admin()
    query = (
        sa.select(User)
        .where(User.company_id == user.company_id)
        .options(selectinload(User.work_profile), selectinload(User.team))
        .order_by(User.email)
    )
    items, headers = _paginate(query, args, "api_users.list_users")
    return items, 200, headers


@orders_bp.route("", methods=["POST"])
@admin_only
@orders_bp.alt_response(403, schema=ErrorSchema, description="Not an administrator.")
@orders_bp.arguments(s.OrdersBulk)
@orders_bp.response(200, s.ImportSummarySchema)
def upsert_orders(data: dict[str, Any]) -> dict[str, Any]:
    """Upsert orders with their lines by `order_code` (all or none; administrators only)."""
    user = require_admin()
    rows: list[dict[str, Any]] = []
    where: list[tuple[int, int]] = []
    for i, item in enumerate(data["items"]):
        head = {
            k: item[k]
            for k in ("order_code", "customer_code", "order_date", "rep_code")
            if k in item
        }
        for j, line in enumerate(item["lines"]):
            rows.append({**head, **line})
            where.append((i, j))
    result = import_rows(
        kind="orders",
        rows=rows,
        company_id=user.company_id,
        actor_id=user.id,
        dry_run=data["dry_run"],
        source="api:orders",
    )
    details = [
        {
            **p.as_dict(),
            "row": None,
            "item": where[p.row][0] if p.row is not None else None,
            "line": where[p.row][1] if p.row is not None else None,
        }
        for p in result.problems
    ]
    result.rows = len(data["items"])
    return _finish(result, details)


def _paginate(
    query: sa.Select[Any], args: dict[str, Any], endpoint: str
) -> tuple[list[Any], dict[str, str]]:
    """One page of a query, with X-Total-Count and RFC 8288 Link headers."""
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        or 0
    )
    page, per_page = args["page"], args["per_page"]
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    extra = {
        k: val.isoformat()
        for k, val in args.items()
        if k not in ("page", "per_page") and val is not None
    }
    links = [f'<{url_for(endpoint, page=page + 1, per_page=per_page, **extra)}>; rel="next"']
    if page * per_page >= total:
        links = []
    if page > 1:
        links.append(
            f'<{url_for(endpoint, page=page - 1, per_page=per_page, **extra)}>; rel="prev"'
        )
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


@plans_bp.route("", methods=["GET"])
@plans_bp.arguments(s.PlanArgsSchema, location="query")
@plans_bp.response(200, s.PlanOutSchema)
def get_plan(args: dict[str, Any]) -> Plan:
    """The route of a rep (default: the token owner) for a date; 404 outside the scope."""
    scope = api_scope()
    rep_id = args.get("rep_id") or api_user().id
    scope.get_user(rep_id)  # NotFound (404) outside the scope
    plan = db.session.scalar(
        sa.select(Plan)
        .where(Plan.user_id == rep_id, Plan.plan_date == args["date"])
        .options(selectinload(Plan.stops).selectinload(PlanStop.customer))
    )
    if plan is None:
        raise NotFound("plan")
    return plan


def _since(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return datetime(1970, 1, 1, tzinfo=UTC)


@contacts_bp.route("", methods=["GET"])
@contacts_bp.arguments(s.ContactArgsSchema, location="query")
@contacts_bp.response(200, s.ContactOutSchema(many=True))
@contacts_bp.doc(
    responses={
        200: {
            "links": {
                "PlanOfTheContact": {
                    "operationRef": PLAN_OPERATION,
                    "parameters": {
                        "rep_id": "$response.body#/0/user_id",
                        "date": "$response.body#/0/contact_date",
                    },
                    "description": "The route of the rep on the day of the first contact.",
                }
            }
        }
    }
)
def export_contacts(args: dict[str, Any]) -> Any:
    """Contacts in scope changed since `since`, oldest change first.

    Paged with page and per_page; the total is in X-Total-Count.
    """
    scope = api_scope()
    query = sa.select(Contact).where(
        Contact.company_id == scope.company_id, scope.owner_filter(Contact.user_id)
    )
    since = _since(args.get("since"))
    if since is not None:
        query = query.where(Contact.updated_at >= since)
    query = query.order_by(Contact.updated_at, Contact.id).options(
        selectinload(Contact.customer).load_only(Customer.erp_code)
    )
    items, headers = _paginate(query, {**args, "since": since}, "api_contacts.export_contacts")
    return items, 200, headers
