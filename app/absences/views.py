"""Absences pages: who is away, the proposal covering a day, its edits, applying it.

Views stay thin: the service (``app.services.absence_cover``) proposes, edits and applies;
every page and action is for supervisors (their team) and admins (their company), and a
cover or rep outside the scope answers 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.absences import bp
from app.absences.forms import AwayForm, LineForm, ProposeForm
from app.absences.time_off_views import coming_time_off
from app.admin_users.forms import ConfirmForm
from app.extensions import db
from app.formfields import show_errors
from app.models import AbsenceCover, CoverAction, CoverKind, CoverStatus, Role, User
from app.security.roles import current_scope, roles_required
from app.services import absence_cover, people, telesales
from app.services.clock import local_now, local_today
from app.services.errors import Invalid
from app.services.work_calendar import time_off_label

ROLES = (Role.SUPERVISOR, Role.ADMIN)

KIND_LABELS = {
    CoverKind.APPOINTMENT: _l("Appointment"),
    CoverKind.COLLECTION: _l("Collection"),
    CoverKind.RESCUE: _l("Rescue case"),
    CoverKind.URGENT: _l("Urgent"),
}
REASON_LABELS = {
    "closed_that_day": _l("closed that day"),
    "no_rep_nearby": _l("no rep working nearby"),
    "no_time_left": _l("no time left in the nearby reps' days"),
    "no_position": _l("the customer has no position on the map"),
    "already_planned": _l("already on another rep's route that day"),
    "removed": _l("taken out by the supervisor"),
}
ERRORS = {
    "not_absent": _l("This rep is not away on that day."),
    "past_day": _l("That day is past."),
    "already_applied": _l("The cover of that day was already applied."),
    "not_proposed": _l("This proposal was already applied or set aside."),
    "plan_changed": _l(
        "A receiving rep's plan changed since this proposal: propose again to see it as it is now."
    ),
    "not_by_phone": _l("This visit cannot be handled by phone."),
    "no_telesales": _l("The rep's team has no telesales seat."),
    "unknown_receiver": _l("That rep does not work that day or is not in your team."),
    "urgent_count": _l(
        "Choose between 0 and %(n)s other urgent visits.", n=absence_cover.URGENT_MAX
    ),
    "phone_capacity": _l("Choose between 0 and %(n)s calls.", n=absence_cover.PHONE_MAX),
    "max_added": _l("Choose between 0 and %(n)s extra visits.", n=absence_cover.MAX_ADDED_MAX),
}


def _error(exc: absence_cover.CoverError) -> str:
    return str(ERRORS.get(exc.code, _("This action cannot be done.")))


def _reps_in_scope() -> list[User]:
    return people_in_scope(Role.REP)


def people_in_scope(role: Role) -> list[User]:
    """The active people of a role the current user may see, by name."""
    scope = current_scope()
    return list(
        db.session.scalars(
            sa.select(User)
            .where(scope.user_filter(), User.role == role, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def _away_form() -> AwayForm:
    form = AwayForm()
    form.rep_id.choices = [SelectChoice(r.id, r.name) for r in _reps_in_scope()]
    return form


@bp.route("/")
@roles_required(*ROLES)
def index(away_form: AwayForm | None = None) -> str:
    """Who is away in the coming days, and the cover of each day."""
    today = local_today()
    if away_form is None:
        away_form = AwayForm(formdata=None, data={"first_day": today, "last_day": today})
        away_form.rep_id.choices = [SelectChoice(r.id, r.name) for r in _reps_in_scope()]
    days = absence_cover.absent_days(scope=current_scope(), today=today)
    forms = {}
    for item in days:
        form = ProposeForm(
            formdata=None,
            data={
                "rep_id": item.rep.id,
                "day": item.day.isoformat(),
                "urgent_count": absence_cover.URGENT_DEFAULT,
                "phone_capacity": absence_cover.default_phone_capacity(item.rep),
                "max_added": absence_cover.MAX_ADDED_DEFAULT,
            },
        )
        forms[(item.rep.id, item.day)] = form
    return render_template(
        "absences/index.html",
        away_form=away_form,
        days=days,
        forms=forms,
        time_off=coming_time_off(today),
        time_off_label=time_off_label,
        CoverStatus=CoverStatus,
    )


@bp.route("/marcar", methods=["POST"])
@roles_required(*ROLES)
def mark_away() -> str | Response:
    """Record that a rep in scope is away (vacation, sick leave, other); audited."""
    form = _away_form()
    if form.validate():
        rep = current_scope().get_user(form.rep_id.data or 0)
        if rep.role != Role.REP:
            abort(404)
        try:
            people.add_time_off(
                actor=current_user._get_current_object(),
                user=rep,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                kind=form.kind.data or "",
                note=form.note.data,
            )
        except Invalid as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(
                _(
                    "%(name)s is away: propose who covers the visits that cannot wait.",
                    name=rep.name,
                ),
                "success",
            )
            return redirect(url_for("absences.index"))
    return index(away_form=form)


@bp.route("/propor", methods=["POST"])
@roles_required(*ROLES)
def propose() -> Response:
    """Solve the cover of one absent rep's day and show it."""
    form = ProposeForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for("absences.index"))
    rep = current_scope().get_user(int(form.rep_id.data or 0))
    try:
        day = date.fromisoformat(form.day.data or "")
    except ValueError:
        abort(400)
    try:
        cover = absence_cover.propose(
            actor=current_user._get_current_object(),
            scope=current_scope(),
            absent=rep,
            day=day,
            urgent_count=form.urgent_count.data or 0,
            phone_capacity=form.phone_capacity.data or 0,
            max_added=form.max_added.data or 0,
        )
    except absence_cover.CoverError as exc:
        db.session.rollback()
        flash(_error(exc), "error")
        return redirect(url_for("absences.index"))
    return redirect(url_for("absences.show", cover_id=cover.id))


def _cover_or_404(cover_id: int) -> AbsenceCover:
    cover = absence_cover.get_cover(scope=current_scope(), cover_id=cover_id)
    if cover is None:
        abort(404)
    return cover


@bp.route("/<int:cover_id>")
@roles_required(*ROLES)
def show(cover_id: int) -> str:
    """The proposal: who takes whom (added km and minutes), the calls, what stays unplaced."""
    cover = _cover_or_404(cover_id)
    absent = db.session.get(User, cover.absent_user_id)
    assert absent is not None
    people_by_id = {u.id: u for u in _receivers_and_seats(cover, absent)}
    return render_template(
        "absences/show.html",
        cover=cover,
        absent=absent,
        view=_view(cover, people_by_id),
        line_forms=_line_forms(cover, absent),
        confirm=ConfirmForm(formdata=None),
        kinds=KIND_LABELS,
        reasons=REASON_LABELS,
        CoverStatus=CoverStatus,
    )


def _receivers_and_seats(cover: AbsenceCover, absent: User) -> list[User]:
    reps = absence_cover.receiving_reps(scope=current_scope(), absent=absent, day=cover.day)
    seats = telesales.team_seats(company_id=cover.company_id, team_id=absent.team_id)
    known = {u.id for u in reps + seats}
    extra = [
        u
        for line in cover.lines
        if line.receiver_id and line.receiver_id not in known
        for u in [db.session.get(User, line.receiver_id)]
        if u is not None
    ]
    return reps + seats + extra


def _view(cover: AbsenceCover, people_by_id: dict[int, User]) -> dict[str, Any]:
    """Group the lines for the page: per receiving rep, per seat, unplaced, removed."""
    reps: dict[int, dict[str, Any]] = {}
    calls: dict[int, list[Any]] = {}
    unplaced, removed = [], []
    for line in cover.lines:
        if line.action == CoverAction.VISIT and line.receiver_id is not None:
            data = cover.receivers.get(str(line.receiver_id), {})
            entry = reps.setdefault(
                line.receiver_id,
                {"rep": people_by_id.get(line.receiver_id), "data": data, "lines": []},
            )
            entry["lines"].append(line)
        elif line.action == CoverAction.CALL and line.receiver_id is not None:
            calls.setdefault(line.receiver_id, []).append(line)
        elif line.action == CoverAction.REMOVED:
            removed.append(line)
        else:
            unplaced.append(line)
    for entry in reps.values():
        entry["lines"].sort(key=lambda ln: ln.start_s or 0)
    total = sum(1 for line in cover.lines if line.action != CoverAction.REMOVED)
    placed = sum(1 for line in cover.lines if line.action in (CoverAction.VISIT, CoverAction.CALL))
    rigid = [people_by_id.get(i) for i in cover.receivers.get("rigid", [])]
    return {
        "reps": sorted(reps.values(), key=lambda e: e["rep"].name if e["rep"] else ""),
        "calls": [(people_by_id.get(k), v) for k, v in calls.items()],
        "unplaced": unplaced,
        "removed": removed,
        "total": total,
        "placed": placed,
        "added_km": sum(e["data"].get("added_m", 0) for e in reps.values()) / 1000,
        "rigid": [r for r in rigid if r is not None],
    }


def _line_forms(cover: AbsenceCover, absent: User) -> dict[int, LineForm]:
    reps = absence_cover.receiving_reps(scope=current_scope(), absent=absent, day=cover.day)
    has_seats = bool(telesales.team_seats(company_id=cover.company_id, team_id=absent.team_id))
    out = {}
    for line in cover.lines:
        choices = [SelectChoice("auto", _("Best choice (solver)"))]
        choices += [SelectChoice(f"user:{r.id}", r.name) for r in reps]
        if line.by_phone and has_seats:
            choices.append(SelectChoice("phone", _("Telesales (call)")))
        choices.append(SelectChoice("removed", _("Take out of the proposal")))
        form = LineForm(formdata=None, data={"target": line.forced or "auto"}, prefix=f"l{line.id}")
        form.target.choices = choices
        out[line.id] = form
    return out


@bp.route("/<int:cover_id>/linhas/<int:line_id>", methods=["POST"])
@roles_required(*ROLES)
def edit_line(cover_id: int, line_id: int) -> Response:
    """Give one line to another rep, to telesales, take it out, or back to the solver."""
    cover = _cover_or_404(cover_id)
    target = request.form.get(f"l{line_id}-target", "")
    form = LineForm(prefix=f"l{line_id}")
    form.target.choices = [SelectChoice(target, target)]
    if not form.validate():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("absences.show", cover_id=cover.id))
    try:
        absence_cover.edit_line(
            actor=current_user._get_current_object(),
            scope=current_scope(),
            cover=cover,
            line_id=line_id,
            target=target,
            now=local_now(),
        )
    except absence_cover.CoverError as exc:
        db.session.rollback()
        if exc.code in ("unknown_line", "unknown_target"):
            abort(404 if exc.code == "unknown_line" else 400)
        flash(_error(exc), "error")
    else:
        flash(_("Proposal updated."), "success")
    return redirect(url_for("absences.show", cover_id=cover.id) + f"#line-{line_id}")


@bp.route("/<int:cover_id>/aplicar", methods=["POST"])
@roles_required(*ROLES)
def apply(cover_id: int) -> Response:
    """Write the proposal to the receiving reps' plans and the telesales list."""
    cover = _cover_or_404(cover_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("absences.show", cover_id=cover.id))
    try:
        absence_cover.apply(actor=current_user._get_current_object(), cover=cover)
    except absence_cover.CoverError as exc:
        db.session.rollback()
        flash(_error(exc), "error")
    else:
        flash(_("Cover applied: the reps' routes and the call list have the visits."), "success")
    return redirect(url_for("absences.show", cover_id=cover.id))


@bp.route("/<int:cover_id>/descartar", methods=["POST"])
@roles_required(*ROLES)
def discard(cover_id: int) -> Response:
    """Set a proposal aside without writing anything."""
    cover = _cover_or_404(cover_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("absences.show", cover_id=cover.id))
    try:
        absence_cover.discard(actor=current_user._get_current_object(), cover=cover)
    except absence_cover.CoverError as exc:
        db.session.rollback()
        flash(_error(exc), "error")
    else:
        flash(_("Proposal set aside."), "success")
    return redirect(url_for("absences.index"))
