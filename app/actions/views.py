"""Action pages: a short form per action from a customer's card or a list, then back there.

Views stay thin: the form reads the input, a service in ``app.services.actions`` checks it
against the actor's scope and writes; a refusal comes back next to its field (422). What is
outside the actor's scope raises ``NotFound``, which `app/errors.py` answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.actions import bp
from app.actions.forms import BookVisitForm, LostForm, MoveForm, SendToTelesalesForm, WinBackForm
from app.extensions import db
from app.formatting import day as format_day
from app.formfields import show_errors
from app.models import Customer, Role, User
from app.portfolio.forms import CustomerForm
from app.security.roles import current_scope, roles_required
from app.services.actions import appointments, lost, moves
from app.services.actions import telesales as telesales_requests
from app.services.clock import local_now
from app.services.errors import Invalid, NotFound

ACTORS = (Role.ADMIN, Role.SUPERVISOR)


def _actor() -> User:
    user: User = current_user._get_current_object()
    return user


def _next_url(form: Any, fallback: str) -> str:
    """Where to go back: a path of this site given by the page that linked here."""
    target = (form.next.data if form is not None else None) or request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return fallback


def _customer(customer_id: int) -> Customer:
    """A customer in the actor's scope; 404 for others (and for ids no row can have)."""
    if not 0 < customer_id < 2**31:
        raise NotFound("customer")
    return current_scope().get_customer(customer_id)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    form = context.get("form")
    if (
        form is not None
        and getattr(form, "csrf_token", None) is not None
        and form.csrf_token.errors
    ):
        flash(_("The form expired; try again."), "error")
    return make_response(render_template(template, **context), status)


@bp.route("/clientes/<int:customer_id>/televendas", methods=["GET", "POST"])
@roles_required(*ACTORS)
def send_to_telesales(customer_id: int) -> Response:
    """Send the customer to a telesales seat's list from a day, with a note."""
    scope = current_scope()
    customer = _customer(customer_id)
    seats = telesales_requests.seat_choices(scope=scope)
    form = SendToTelesalesForm()
    form.seat_id.choices = [(None, _("Choose…"))] + [(s.id, s.name) for s in seats]
    now = local_now()
    back = _next_url(form, url_for("portfolio.customer", customer_id=customer.id))
    if request.method == "GET":
        form.due_date.data = now.date()
        form.next.data = back
        if len(seats) == 1:
            form.seat_id.data = seats[0].id
    elif form.validate_on_submit():
        try:
            sent = telesales_requests.send_to_telesales(
                actor=_actor(),
                scope=scope,
                customer=customer,
                seat_id=form.seat_id.data,
                due_date=form.due_date.data,
                note=form.note.data,
                today=now.date(),
            )
        except Invalid as exc:
            show_errors(form, exc.errors)
        else:
            seat = next(s for s in seats if s.id == sent.seat_id)
            flash(
                _(
                    "%(customer)s is on %(seat)s's call list from %(day)s.",
                    customer=customer.display_name,
                    seat=seat.name,
                    day=format_day(sent.due_date),
                ),
                "success",
            )
            return redirect(back)
    status = 422 if request.method == "POST" else 200
    return _page("actions/telesales.html", status, customer=customer, form=form, back=back)


def _booked_message(state: str) -> str:
    words = {
        "replanned": _("The plan of that day was made again and keeps the visit."),
        "dropped": _(
            "The plan of that day was made again but could not hold the visit: see the plan."
        ),
        "under_way": _(
            "The route of that day is under way: the visit joins it at the rep's next re-plan."
        ),
        "not_planned_yet": _("The next planning run puts it on the rep's route."),
    }
    return words.get(state, "")


@bp.route("/clientes/<int:customer_id>/visita", methods=["GET", "POST"])
@roles_required(*ACTORS)
def book_visit(customer_id: int) -> Response:
    """Book a visit of a rep with the customer on a day, within a time window."""
    scope = current_scope()
    customer = _customer(customer_id)
    reps = appointments.rep_choices(scope=scope)
    form = BookVisitForm()
    form.rep_id.choices = [(None, _("Choose…"))] + [(r.id, r.name) for r in reps]
    now = local_now()
    back = _next_url(form, url_for("portfolio.customer", customer_id=customer.id))
    if request.method == "GET":
        form.next.data = back
        if customer.owner_id in {r.id for r in reps}:
            form.rep_id.data = customer.owner_id
    elif form.validate_on_submit():
        try:
            booking = appointments.book_visit(
                actor=_actor(),
                scope=scope,
                customer=customer,
                rep_id=form.rep_id.data,
                day=form.day.data,
                window_start=form.window_start.data,
                window_end=form.window_end.data,
                note=form.note.data,
                now=now,
            )
        except Invalid as exc:
            show_errors(form, exc.errors)
        else:
            appt = booking.appointment
            rep = next(r for r in reps if r.id == appt.user_id)
            flash(
                _(
                    "Visit booked: %(rep)s at %(customer)s on %(day)s.",
                    rep=rep.name,
                    customer=customer.display_name,
                    day=format_day(appt.day),
                )
                + " "
                + _booked_message(booking.plan_state),
                "success" if booking.plan_state != "dropped" else "error",
            )
            return redirect(back)
    status = 422 if request.method == "POST" else 200
    return _page(
        "actions/visit.html",
        status,
        customer=customer,
        form=form,
        back=back,
        min_day=now.date().isoformat(),
    )


@bp.route("/clientes/<int:customer_id>/perdido", methods=["GET", "POST"])
@roles_required(*ACTORS)
def mark_lost(customer_id: int) -> Response:
    """Mark the customer lost with a reason: it leaves the active base."""
    customer = _customer(customer_id)
    form = LostForm()
    form.reason.choices = [
        ("", _("Choose…")),
        *lost.reason_choices(customer.company_id, str(get_locale())),
    ]
    now = local_now()
    back = _next_url(form, url_for("portfolio.customer", customer_id=customer.id))
    if request.method == "GET":
        form.next.data = back
    elif form.validate_on_submit():
        try:
            lost.mark_lost(
                actor=_actor(),
                customer=customer,
                reason=form.reason.data,
                note=form.note.data,
                today=now.date(),
                now=now,
            )
        except Invalid as exc:
            show_errors(form, exc.errors)
        else:
            flash(
                _(
                    "%(customer)s is marked lost and left the active base.",
                    customer=customer.display_name,
                ),
                "success",
            )
            return redirect(back)
    status = 422 if request.method == "POST" else 200
    return _page("actions/lost.html", status, customer=customer, form=form, back=back)


@bp.route("/clientes/<int:customer_id>/reativar", methods=["POST"])
@roles_required(*ACTORS)
def win_back(customer_id: int) -> Response:
    """Put a customer marked lost back in the active base."""
    customer = _customer(customer_id)
    form = WinBackForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        lost.win_back(actor=_actor(), customer=customer)
    except Invalid as exc:
        flash(str(next(iter(exc.errors.values()))), "error")
    else:
        flash(
            _("%(customer)s is back in the active base.", customer=customer.display_name), "success"
        )
    return redirect(url_for("portfolio.customer", customer_id=customer.id))


@bp.route("/visitas/<int:appointment_id>/cancelar", methods=["POST"])
@roles_required(*ACTORS)
def cancel_visit(appointment_id: int) -> Response:
    """Cancel a booked visit still ahead; its unstarted plan is made again without it."""
    form = WinBackForm()
    if not form.validate_on_submit():
        abort(400)
    booking = appointments.cancel_visit(
        actor=_actor(),
        scope=current_scope(),
        appointment_id=appointment_id,
        today=local_now().date(),
    )
    flash(_("Visit cancelled."), "success")
    return redirect(
        _next_url(form, url_for("portfolio.customer", customer_id=booking.appointment.customer_id))
    )


@bp.route("/pedidos/<int:request_id>/cancelar", methods=["POST"])
@roles_required(*ACTORS)
def cancel_request(request_id: int) -> Response:
    """Take a customer off a seat's call list (the request, not the customer's portfolio)."""
    form = WinBackForm()
    if not form.validate_on_submit():
        abort(400)
    request_row = telesales_requests.cancel_request(
        actor=_actor(), scope=current_scope(), request_id=request_id, now=local_now()
    )
    flash(_("Taken off the call list."), "success")
    return redirect(
        _next_url(form, url_for("portfolio.customer", customer_id=request_row.customer_id))
    )


def _ids(values: list[str]) -> list[int]:
    out = []
    for value in values:
        for part in str(value).split(","):
            if part.strip().isdigit():
                out.append(int(part))
    return out


@bp.route("/mover", methods=["GET", "POST"])
@roles_required(*ACTORS)
def move() -> Response:
    """Choose the portfolio that receives the chosen customers, see both workloads, confirm."""
    scope = current_scope()
    form = MoveForm()
    targets = moves.target_choices(scope=scope)
    form.target_id.choices = [(None, _("Choose…"))] + [
        (u.id, f"{u.name} ({_('telesales') if u.role == Role.TELESALES else _('rep')})")
        for u in targets
    ]
    ids = _ids(request.values.getlist("customer_ids"))
    back = _next_url(form, url_for("portfolio.index"))
    customers = (
        list(db.session.scalars(scope.customers().where(Customer.id.in_(ids)))) if ids else []
    )
    if len(customers) != len(set(ids)):
        raise NotFound("customer")
    today = local_now().date()
    preview = None
    status = 200
    if request.method == "GET":
        form.next.data = back
    elif form.validate_on_submit():
        try:
            if form.confirm.data == "1":
                done = moves.move_customers(
                    actor=_actor(),
                    scope=scope,
                    customer_ids=ids,
                    target_id=form.target_id.data,
                    today=today,
                )
                flash(
                    _(
                        "%(num)d customers moved to the portfolio of %(name)s.",
                        num=len(done.customers),
                        name=done.target.name,
                    ),
                    "success",
                )
                return redirect(back)
            preview = moves.preview_move(
                scope=scope, customer_ids=ids, target_id=form.target_id.data, today=today
            )
        except Invalid as exc:
            show_errors(form, exc.errors)
            status = 422
    else:
        status = 422
    return _page(
        "actions/move.html",
        status,
        form=form,
        customers=customers,
        ids=ids,
        preview=preview,
        back=back,
    )


@bp.app_template_filter("iso_day")
def iso_day(text: str | None) -> str:
    """A date the audit log keeps as ISO text, shown as the locale writes dates."""
    try:
        return format_day(date.fromisoformat(text or ""))
    except ValueError:
        return text or ""


@bp.app_template_global("lost_reason_label")
def lost_reason_label(company_id: int, key: str | None) -> str:
    """The label of a lost reason in the user's language."""
    return lost.reason_label(company_id, key, str(get_locale()))


@bp.app_template_filter("customer_field_label")
def customer_field_label(name: str) -> str:
    """The customer form's label of a field a hand edit changed (the audit keeps the name)."""
    field = getattr(CustomerForm, name, None)
    args = getattr(field, "args", ())
    return str(args[0]) if args else name
