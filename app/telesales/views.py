"""The call list page and the call-logging endpoint."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

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
    "callback_time": _l("Type a date and time to call back, later than now."),
    "callback_date": _l("Choose a day to call back within the next %(days)d days."),
    "client_uuid": _l("The form expired; try again."),
}


def _error(code: str) -> str:
    message = str(ERRORS.get(code, ERRORS["outcome"]))
    return message % {"days": telesales.HISTORY_DAYS} if code == "callback_date" else message


@bp.route("/")
@roles_required(Role.TELESALES)
@without_gc_pauses
def index() -> str:
    """Today's ranked call list of the logged-in seat."""
    return _page(local_now())


@dataclass(frozen=True)
class RowError:
    """A refused call, shown next to the field of its row (not under the sticky header)."""

    customer_id: int
    field: str
    message: str


# The input of the row that each error code is about.
ERROR_FIELD = {
    "order_value": "order_value",
    "no_sale_reason": "no_sale_reason",
    "callback_time": "callback_time",
    "callback_date": "callback_date",
}


def _form_error(form: CallForm) -> RowError | None:
    """The first field the form refused, as the row's error; None when the form itself is
    stale (its CSRF token, or the hidden row and call ids, are missing or wrong)."""
    errors = form.errors
    customer_id = form.customer_id.data
    if not customer_id or {"csrf_token", "customer_id", "client_uuid"} & set(errors):
        return None
    name, messages = next(iter(errors.items()))
    message = _error(name) if name in ERRORS else str(messages[0])
    return RowError(
        customer_id=customer_id, field=ERROR_FIELD.get(name, "outcome"), message=message
    )


def _page(now: datetime, error: RowError | None = None) -> str:
    calls = telesales.get_call_list(seat=current_user, day=now.date(), now=now)
    return render_template(
        "telesales/index.html",
        calls=calls,
        error=error,
        reason_choices=telesales.no_sale_reasons(current_user.company_id, str(get_locale())),
        new_uuid=lambda: str(uuid.uuid4()),
        whatsapp=telesales.whatsapp_number,
        tel=telesales.tel_number,
        callback_min=now.date().isoformat(),
        callback_max=telesales.callback_horizon(now.date()).isoformat(),
    )


@bp.route("/ligacoes", methods=["POST"])
@roles_required(Role.TELESALES)
def log_call() -> Response:
    """Record one call's outcome, then go back to the list (the next call is on top)."""
    form = CallForm()
    now = local_now()
    if not form.validate_on_submit():
        refused = _form_error(form)
        if refused is None:
            flash(str(ERRORS["client_uuid"]), "error")
            return redirect(url_for("telesales.index"))
        return make_response(_page(now, refused), 422)
    data = telesales.CallInput(
        customer_id=form.customer_id.data or 0,
        client_uuid=form.client_uuid.data or "",
        outcome=form.outcome.data or "",
        order_value=form.order_value.data or "",
        no_sale_reason=form.no_sale_reason.data or "",
        callback_time=form.callback_time.data or "",
        callback_date=form.callback_date.data or "",
        notes=form.notes.data or "",
    )
    try:
        contact, created = telesales.log_call(seat=current_user, data=data, day=now.date(), now=now)
    except telesales.CallError as exc:
        field = ERROR_FIELD.get(exc.code, "outcome")
        error = RowError(customer_id=data.customer_id, field=field, message=_error(exc.code))
        return make_response(_page(now, error), 422)
    if created:
        label = OUTCOME_LABELS.get(contact.outcome) if contact.outcome else None
        flash(f"{contact.customer.display_name}: {label}", "success")
    return redirect(url_for("telesales.index"))
