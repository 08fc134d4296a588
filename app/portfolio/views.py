"""Portfolio list and customer detail pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.formfields import show_errors
from app.models import Customer, Role
from app.portfolio import bp, display  # noqa: F401  (template globals)
from app.portfolio.forms import CustomerForm, PortfolioFilterForm, changed_values, form_data
from app.security.roles import current_scope, roles_required
from app.security.scope import Scope
from app.services import calendar_page, customers, portfolio
from app.services.actions import history
from app.services.clock import local_today
from app.services.errors import Invalid


@bp.route("/")
@login_required
def index() -> str:
    """Customers in scope, searchable by name, code or district."""
    scope = current_scope()
    query = PortfolioFilterForm(request.args).query()
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
    detail = portfolio.get_customer_detail(
        scope=scope, customer_id=customer_id, today=local_today()
    )
    return render_template(
        "portfolio/customer.html",
        d=detail,
        ahead=history.ahead(customer_id=detail.customer.id, today=local_today()),
        history=history.entries(customer_id=detail.customer.id, company_id=scope.company_id),
        regular_day=calendar_page.regular_days([customer_id]).get(customer_id),
    )


def _customer_form(scope: Scope, customer: Customer) -> CustomerForm:
    form = CustomerForm(data=form_data(customer))
    owners = [
        SelectChoice(u.id, f"{u.name} ({u.erp_code})" if u.erp_code else u.name)
        for u in customers.owner_choices(scope=scope)
    ]
    if (
        customer.owner_id
        and customer.owner_id not in {c.value for c in owners}
        and customer.owner is not None
    ):
        owners.insert(0, SelectChoice(customer.owner_id, customer.owner.name))
    none = (
        [SelectChoice(0, _("— no owner (out of every portfolio) —"))]
        if scope.is_admin or not customer.owner_id
        else []
    )
    form.owner_id.choices = none + owners
    form.delivery_weekdays.localise()
    return form


@bp.route("/clientes/<int:customer_id>/editar", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def customer_edit(customer_id: int) -> str | Response:
    """Edit what planning and scoring read: owner, channel, frequency, visit length, hours,
    delivery days."""
    scope = current_scope()
    customer = scope.get_customer(customer_id)
    form = _customer_form(scope, customer)
    if form.validate_on_submit():
        values = changed_values(form, customer)
        if not form.opening_hours.errors:
            try:
                changes = customers.update_customer(
                    actor=current_user._get_current_object(),
                    scope=scope,
                    customer=customer,
                    values=values,
                )
            except Invalid as exc:
                db.session.rollback()
                show_errors(form, exc.errors)
            else:
                flash(_("Customer saved.") if changes else _("Nothing changed."), "success")
                return redirect(url_for("portfolio.customer", customer_id=customer.id))
    segments = portfolio.list_segments(scope=scope)
    return render_template("portfolio/edit.html", customer=customer, form=form, segments=segments)
