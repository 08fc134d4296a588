"""Portfolio list and customer detail pages."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from app.portfolio import bp
from app.security.roles import current_scope
from app.services import portfolio
from app.services.clock import local_today


@bp.route("/")
@login_required
def index() -> str:
    """Customers in scope, searchable by name, code or district."""
    scope = current_scope()
    query = portfolio.PortfolioQuery(
        text=request.args.get("q", "").strip(),
        segment=request.args.get("segment") or None,
        owner_id=request.args.get("owner", type=int),
        page=max(request.args.get("page", 1, type=int), 1),
    )
    page = portfolio.list_customers(scope=scope, query=query, today=local_today())
    return render_template(
        "portfolio/index.html",
        page=page,
        query=query,
        segments=portfolio.list_segments(scope=scope),
        owners=portfolio.list_owners(scope=scope),
    )


@bp.route("/clientes/<int:customer_id>")
@login_required
def customer(customer_id: int) -> str:
    """One customer's card: facts, recent orders, receivables and contacts."""
    scope = current_scope()
    detail = portfolio.get_customer_detail(scope=scope, customer_id=customer_id, today=local_today())
    return render_template("portfolio/customer.html", d=detail)
