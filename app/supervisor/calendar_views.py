"""The visit calendar pages: each rep's four weeks, and moving, pinning and re-optimising.

Reps outside the supervisor's team (or the admin's company) answer 404, like every other
scoped page. Moves and pins are written at once; re-optimising only queues the work: the
scheduler process solves it (CP-SAT never runs inside a web worker), and the page says so
until the new calendar is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.numbers import format_decimal
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Role, User
from app.security.roles import current_scope, roles_required
from app.services import calendar_page, calendar_requests, visit_calendars
from app.services.clock import local_today
from app.supervisor import bp
from app.supervisor.calendar_forms import (
    MoveForm,
    PinForm,
    ReoptimiseForm,
    attach_error,
    parse_weeks,
    weeks_value,
)

ROLES = (Role.SUPERVISOR, Role.ADMIN)


def _rep_or_404(rep_id: int) -> User:
    rep = calendar_page.get_rep(scope=current_scope(), rep_id=rep_id)
    if rep is None:
        abort(404)
    return rep


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.route("/calendario")
@roles_required(*ROLES)
def calendars() -> str:
    """The reps in scope with the state of their visit calendar."""
    return render_template(
        "supervisor/calendars.html",
        reps=calendar_page.calendar_reps(scope=current_scope()),
        status_label=calendar_requests.status_label,
    )


def _move_form(page: calendar_page.CalendarPage, slot: calendar_page.SlotInfo) -> MoveForm:
    names = calendar_page.weekday_names()
    form = MoveForm(
        formdata=None,
        data={
            "customer_id": slot.id,
            "weekday": slot.weekday,
            "weeks": weeks_value(slot.weeks) if slot.weeks else None,
            "pin": True,
        },
    )
    form.offer([(d, names[d]) for d in page.weekdays], calendar_page.week_choices(slot.cadence))
    return form


def _map_titles(page: calendar_page.CalendarPage) -> dict[str, dict[str, str]]:
    """The heading and figures of each day's map, in the user's language (the script swaps them)."""
    out = {}
    for cell in page.days:
        drawn = page.maps.get(cell.date.isoformat(), {})
        count = len(drawn.get("points", ()))
        km = format_decimal(cell.km, format="#,##0.0", locale=str(get_locale()))
        out[cell.date.isoformat()] = {
            "title": _("Map of %(day)s", day=format_date(cell.date, "EEEE, dd/MM")),
            "figures": ngettext("%(num)d customer", "%(num)d customers", count) + f" · {km} km",
        }
    return out


def _render(rep: User, *, move_form: MoveForm | None = None, status: int = 200) -> Any:
    """The calendar page; ``cliente`` opens a customer's panel, ``dia`` picks the map's day."""
    today = local_today()
    page = calendar_page.build(rep=rep, today=today)
    chosen = move_form.customer_id.data if move_form else request.args.get("cliente", type=int)
    slot = page.slots.get(chosen) if chosen else None
    if move_form is not None and slot is not None:
        names = calendar_page.weekday_names()
        move_form.offer(
            [(d, names[d]) for d in page.weekdays], calendar_page.week_choices(slot.cadence)
        )
    map_day = _day(request.args.get("dia"))
    if map_day is None or map_day.isoformat() not in page.maps:
        map_day = next((d.date for d in page.days if d.date >= today), None)
        map_day = map_day or (page.days[0].date if page.days else None)
    body = render_template(
        "supervisor/calendar.html",
        page=page,
        today=today,
        slot=slot,
        move_form=(move_form or _move_form(page, slot)) if slot is not None else None,
        pin_form=PinForm(formdata=None, data={"customer_id": slot.id}) if slot else None,
        reoptimise_form=ReoptimiseForm(formdata=None),
        map_day=map_day,
        weekday_names=calendar_page.weekday_names(),
        short_names=calendar_page.weekday_names("abbreviated"),
        request_state=calendar_requests.state(calendar=page.calendar),
        calendar_page=calendar_page,
        status_label=calendar_requests.status_label,
        map_titles=_map_titles(page),
        tile_url=current_app.config["TILE_URL"],
    )
    return (body, status) if status != 200 else body


@bp.route("/calendario/<int:rep_id>")
@roles_required(*ROLES)
def calendar(rep_id: int) -> Any:
    """One rep's four weeks × working days, with the workload, km and map of each day."""
    return _render(_rep_or_404(rep_id))


def _back(rep: User, customer_id: int | None = None) -> Response:
    args: dict[str, Any] = {"rep_id": rep.id}
    if customer_id:
        args["cliente"] = customer_id
    return redirect(url_for("supervisor.calendar", **args) + ("#painel" if customer_id else ""))


@bp.route("/calendario/<int:rep_id>/mover", methods=["POST"])
@roles_required(*ROLES)
def calendar_move(rep_id: int) -> Any:
    """Give one customer another regular day; refused moves come back next to their field."""
    rep = _rep_or_404(rep_id)
    form = MoveForm()
    slot = calendar_page.slot_info(rep=rep, customer_id=form.customer_id.data or 0)
    if slot is None:
        abort(404)  # not a field customer of this rep (or of this scope)
    names = calendar_page.weekday_names()
    form.offer(
        [(d, names[d]) for d in calendar_page.working_weekdays(rep)],
        calendar_page.week_choices(slot.cadence),
    )
    weeks = parse_weeks(form.weeks.data)
    if not form.validate() or weeks is None:
        if weeks is None and not form.weeks.errors:
            form.weeks.errors = [_("Choose the weeks of the cycle.")]
        return _render(rep, move_form=form, status=422)
    try:
        visit_calendars.move(
            rep=rep,
            customer_id=slot.id,
            weekday=int(form.weekday.data),
            weeks=weeks,
            by=current_user._get_current_object(),
            pin=bool(form.pin.data),
        )
    except visit_calendars.CalendarError as exc:
        db.session.rollback()
        attach_error(form, exc.code, str(exc), lambda m: flash(m, "error"))
        return _render(rep, move_form=form, status=422)
    flash(
        _(
            "%(customer)s now visited %(day)s.",
            customer=slot.name,
            day=visit_calendars.describe(int(form.weekday.data), weeks),
        ),
        "success",
    )
    return _back(rep, slot.id)


@bp.route("/calendario/<int:rep_id>/fixar", methods=["POST"])
@roles_required(*ROLES)
def calendar_pin(rep_id: int) -> Response:
    """Pin a customer on its day (re-optimising keeps it there) or free it again."""
    rep = _rep_or_404(rep_id)
    form = PinForm()
    if not form.validate():
        flash(_("The form expired; try again."), "error")
        return _back(rep, form.customer_id.data)
    customer = current_scope().get_customer(int(form.customer_id.data or 0))
    try:
        visit_calendars.set_pinned(
            rep=rep,
            customer_id=customer.id,
            pinned=form.wants_pin,
            by=current_user._get_current_object(),
        )
    except visit_calendars.CalendarError as exc:
        db.session.rollback()
        if exc.code in ("unknown_customer", "not_in_portfolio"):
            abort(404)
        flash(str(exc), "error")
        return _back(rep, customer.id)
    if form.wants_pin:
        flash(_("%(customer)s stays on its day.", customer=customer.display_name), "success")
    else:
        flash(
            _("%(customer)s may move when re-optimised.", customer=customer.display_name),
            "success",
        )
    return _back(rep, customer.id)


@bp.route("/calendario/<int:rep_id>/reotimizar", methods=["POST"])
@roles_required(*ROLES)
def calendar_reoptimise(rep_id: int) -> Response:
    """Queue re-optimising the rep's calendar; pinned customers keep their day."""
    rep = _rep_or_404(rep_id)
    if not ReoptimiseForm().validate():
        flash(_("The form expired; try again."), "error")
        return _back(rep)
    calendar_requests.request_reoptimise(rep=rep, by=current_user._get_current_object())
    flash(
        _(
            "Re-optimisation queued: it starts within a minute and this page shows the new "
            "calendar when it is done. Pinned customers keep their day."
        ),
        "success",
    )
    return _back(rep)
