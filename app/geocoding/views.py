"""Customers without a position, check-in based suggestions, and the correction form."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.geocoding import bp
from app.geocoding.forms import PositionForm
from app.models import Role
from app.security.roles import current_scope, roles_required
from app.services import geocoding
from app.services.clock import local_today


@bp.route("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """Addresses to fix and positions that check-ins contradict."""
    company_id = current_user.company_id
    return render_template(
        "geocoding/index.html",
        failed=geocoding.failed(company_id=company_id),
        suggestions=geocoding.suggestions(company_id=company_id, today=local_today()),
    )


@bp.route("/clientes/<int:customer_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def customer(customer_id: int) -> str | Response:
    """Correct one customer's position (form + map)."""
    customer = current_scope().get_customer(customer_id)
    form = PositionForm(latitude=customer.latitude, longitude=customer.longitude)
    if form.validate_on_submit():
        geocoding.set_position(
            actor=current_user._get_current_object(),
            customer=customer,
            latitude=float(form.latitude.data or 0),
            longitude=float(form.longitude.data or 0),
        )
        flash(_("Position saved."), "success")
        return redirect(url_for("geocoding.index"))
    suggestion = next(
        (
            s
            for s in geocoding.suggestions(company_id=customer.company_id, today=local_today())
            if s.customer.id == customer.id
        ),
        None,
    )
    return render_template(
        "geocoding/customer.html",
        customer=customer,
        form=form,
        suggestion=suggestion,
        query=geocoding.address_query(customer),
        tile_url=current_app.config["TILE_URL"],
    )
