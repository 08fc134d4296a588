"""The call list page and the call-logging endpoint."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Role
from app.presenters import OUTCOME_LABELS
from app.security.roles import roles_required
from app.services import telesales
from app.services.clock import local_now
from app.supervisor.gcpause import without_gc_pauses
from app.telesales import bp
from app.telesales.forms import CallForm

ERRORS = {
    "outcome": _l("Choose an outcome."),
    "order_value": _l("Type the order value, e.g. 1.234,56."),
    "no_sale_reason": _l("Choose the no-sale reason."),
    "callback_time": _l("Type a time to call back, later than now."),
    "client_uuid": _l("The form expired; try again."),
}


@bp.route("/")
@roles_required(Role.TELESALES)
@without_gc_pauses
def index() -> str:
    """Today's ranked call list of the logged-in seat."""
    now = local_now()
    calls = telesales.get_call_list(seat=current_user, day=now.date(), now=now)
    return render_template(
        "telesales/index.html",
        calls=calls,
        reason_choices=telesales.no_sale_reasons(current_user.company_id, str(get_locale())),
        new_uuid=lambda: str(uuid.uuid4()),
        whatsapp=telesales.whatsapp_number,
        tel=telesales.tel_number,
    )


@bp.route("/ligacoes", methods=["POST"])
@roles_required(Role.TELESALES)
def log_call() -> Response:
    """Record one call's outcome, then go back to the list (the next call is on top)."""
    form = CallForm()
    if not form.validate_on_submit():
        flash(str(ERRORS["client_uuid"]), "error")
        return redirect(url_for("telesales.index"))
    now = local_now()
    data = telesales.CallInput(
        customer_id=form.customer_id.data or 0,
        client_uuid=form.client_uuid.data or "",
        outcome=form.outcome.data or "",
        order_value=form.order_value.data or "",
        no_sale_reason=form.no_sale_reason.data or "",
        callback_time=form.callback_time.data or "",
        notes=form.notes.data or "",
    )
    try:
        contact, created = telesales.log_call(seat=current_user, data=data, day=now.date(), now=now)
    except LookupError:
        abort(404)
    except telesales.CallError as exc:
        flash(str(ERRORS.get(exc.code, ERRORS["outcome"])), "error")
        return redirect(url_for("telesales.index", _anchor=f"row-{data.customer_id}"))
    db.session.commit()
    if created:
        label = OUTCOME_LABELS.get(contact.outcome) if contact.outcome else None
        flash(f"{contact.customer.display_name}: {label}", "success")
    return redirect(url_for("telesales.index"))
