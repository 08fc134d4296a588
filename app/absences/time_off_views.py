"""Absences page: change or remove a rep's time off, with a confirmation of what it does.

The service (``app.services.people``) applies the consequences: days newly off lose their
plans not started, days no longer off lose their cover proposals, an applied cover of a
coming day refuses the change. Supervisors (their team's reps) and admins (their company's);
time off of anyone else answers 404.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.absences import bp
from app.absences.forms import TimeOffForm
from app.admin_users.forms import ConfirmForm
from app.extensions import db
from app.formfields import show_errors
from app.models import AbsenceCover, CoverStatus, Role, TimeOff, User
from app.security.roles import current_scope, roles_required
from app.services import people
from app.services.clock import local_today
from app.services.errors import Invalid
from app.services.work_calendar import time_off_label

ROLES = (Role.SUPERVISOR, Role.ADMIN)


def coming_time_off(today: date) -> list[tuple[TimeOff, User]]:
    """Time off of the field reps in scope that ends today or later, soonest first."""
    scope = current_scope()
    rows = db.session.execute(
        sa.select(TimeOff, User)
        .join(User, User.id == TimeOff.user_id)
        .where(
            scope.user_filter(),
            User.role == Role.REP,
            User.active.is_(True),
            TimeOff.last_day >= today,
        )
        .order_by(TimeOff.first_day, User.name, TimeOff.id)
    )
    return [(entry, rep) for entry, rep in rows]


def _time_off_or_404(time_off_id: int) -> tuple[TimeOff, User]:
    if not 0 < time_off_id < 2**31:
        abort(404)
    entry = db.session.get(TimeOff, time_off_id)
    if entry is None:
        abort(404)
    rep = current_scope().get_user(entry.user_id)  # NotFound (404) outside the scope
    if rep.role != Role.REP:
        abort(404)
    return entry, rep


def _covers(rep: User, first: date, last: date) -> list[AbsenceCover]:
    """The covers not set aside of the rep's days in a range, today or later."""
    return list(
        db.session.scalars(
            sa.select(AbsenceCover)
            .where(
                AbsenceCover.absent_user_id == rep.id,
                AbsenceCover.day.between(max(first, local_today()), last),
                AbsenceCover.status != CoverStatus.DISCARDED,
            )
            .order_by(AbsenceCover.day)
        )
    )


@bp.route("/folgas/<int:time_off_id>/editar", methods=["GET", "POST"])
@roles_required(*ROLES)
def edit_time_off(time_off_id: int) -> Response:
    """Change the range, kind or note of a rep's time off (audited)."""
    entry, rep = _time_off_or_404(time_off_id)
    form = TimeOffForm(
        data={
            "first_day": entry.first_day,
            "last_day": entry.last_day,
            "kind": entry.kind.value,
            "note": entry.note,
        }
    )
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            assert form.first_day.data is not None
            assert form.last_day.data is not None
            try:
                people.edit_time_off(
                    actor=current_user._get_current_object(),
                    user=rep,
                    time_off_id=entry.id,
                    first_day=form.first_day.data,
                    last_day=form.last_day.data,
                    kind=form.kind.data or "",
                    note=form.note.data,
                )
            except Invalid as exc:
                db.session.rollback()
                show_errors(form, exc.errors)
            else:
                flash(_("Time off of %(name)s changed.", name=rep.name), "success")
                return redirect(url_for("absences.index") + "#time-off")
    html = render_template(
        "absences/time_off_edit.html",
        form=form,
        entry=entry,
        rep=rep,
        covers=_covers(rep, entry.first_day, entry.last_day),
        time_off_label=time_off_label,
        CoverStatus=CoverStatus,
    )
    return make_response(html, status)


@bp.route("/folgas/<int:time_off_id>/remover", methods=["GET", "POST"])
@roles_required(*ROLES)
def remove_time_off(time_off_id: int) -> Response:
    """Ask, then remove a rep's time off: the days become working days again (audited)."""
    entry, rep = _time_off_or_404(time_off_id)
    confirm = ConfirmForm()
    covers = _covers(rep, entry.first_day, entry.last_day)
    error = None
    if confirm.is_submitted():
        if not confirm.validate():
            error = _("The form expired; try again.")
        else:
            try:
                people.remove_time_off(
                    actor=current_user._get_current_object(), user=rep, time_off_id=entry.id
                )
            except Invalid as exc:
                db.session.rollback()
                error = " ".join(str(m) for m in exc.errors.values())
            else:
                flash(_("Time off of %(name)s removed.", name=rep.name), "success")
                return redirect(url_for("absences.index") + "#time-off")
    days = (entry.last_day - entry.first_day).days + 1
    html = render_template(
        "absences/time_off_remove.html",
        confirm=ConfirmForm(formdata=None),
        entry=entry,
        rep=rep,
        days=days,
        covers=covers,
        error=error,
        time_off_label=time_off_label,
        CoverStatus=CoverStatus,
        today=local_today(),
    )
    return make_response(html, 422 if error else 200)
