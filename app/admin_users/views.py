"""Admin people pages: list, create, edit (account, work profile, time off),
passwords, audit log."""

from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.admin_users import bp, service
from app.admin_users.forms import (
    TIME_OFF_LABELS,
    ConfirmForm,
    NewUserForm,
    ResetPasswordForm,
    TimeOffForm,
    UserForm,
    WorkProfileForm,
)
from app.extensions import db
from app.formfields import WeekdaysField, form_error, show_errors
from app.models import Role, User
from app.security.roles import current_scope, roles_required
from app.services import logins, people
from app.services.clock import local_today
from app.services.errors import Invalid
from app.services.work_calendar import time_off_label

ACCOUNT_FIELDS = ("name", "email", "erp_code", "phone", "role", "team_id", "active")


def _team_choices(form: UserForm, company_id: int) -> None:
    form.team_id.choices = [SelectChoice(0, _("No team"))] + [
        SelectChoice(t.id, t.name) for t in service.teams(company_id=company_id)
    ]


def _account_form(user: User) -> UserForm:
    form = UserForm(
        formdata=None,
        data={
            "name": user.name,
            "email": user.email,
            "erp_code": user.erp_code or "",
            "phone": user.phone or "",
            "role": user.role.value,
            "team_id": user.team_id or 0,
            "active": user.active,
        },
    )
    _team_choices(form, user.company_id)
    return form


def _profile_form(user: User) -> WorkProfileForm:
    values = people.profile_values(user.work_profile)
    form = WorkProfileForm(
        formdata=None, data={**values, "work_days": WeekdaysField.days_of(values["work_days"])}
    )
    form.work_days.localise()
    return form


def _no_store(body: str) -> Response:
    """A page that shows a password once: never kept in a cache."""
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_edit(user: User, **forms: Any) -> str:
    """The edit page with its four sections; the given forms replace fresh ones (with
    their errors)."""
    own = user.role in people.PROFILE_ROLES
    if not own:  # the page shows no profile or time-off form to carry their errors
        for key in ("profile_form", "time_off_form"):
            for message in getattr(forms.get(key), "form_errors", []):
                flash(message, "error")
    return render_template(
        "admin_users/edit.html",
        user=user,
        form=forms.get("form") or _account_form(user),
        profile_form=(forms.get("profile_form") or _profile_form(user)) if own else None,
        time_off_form=(forms.get("time_off_form") or TimeOffForm(formdata=None)) if own else None,
        reset=forms.get("reset") or ResetPasswordForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
        time_off=[t for t in user.time_off if t.last_day >= local_today()],
        time_off_label=time_off_label,
        kinds=TIME_OFF_LABELS,
        logins=logins.of_user(user.id),
        device_label=logins.device_label,
        end_url=lambda login_id: url_for(
            "admin_users.end_login", user_id=user.id, login_id=login_id
        ),
    )


@bp.route("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """Every user of the company."""
    return render_template(
        "admin_users/index.html",
        users=service.list_users(company_id=current_user.company_id),
        profile_roles=people.PROFILE_ROLES,
    )


@bp.route("/novo", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create() -> str | Response:
    """Create a user of any role; the first password is typed or a one-time one shown once."""
    form = NewUserForm(data={"active": True, "role": Role.REP.value, "password_mode": "one_time"})
    _team_choices(form, current_user.company_id)
    if form.validate_on_submit():
        chosen = form.password.data if form.password_mode.data == "chosen" else None
        if form.password_mode.data == "chosen" and not chosen:
            form.password.errors = [_("Type the password, or generate a one-time one.")]
            return render_template("admin_users/new.html", form=form)
        values = {key: getattr(form, key).data for key in ACCOUNT_FIELDS}
        try:
            created = people.create_user(
                actor=current_user._get_current_object(),
                company_id=current_user.company_id,
                values=values,
                password=chosen,
            )
        except Invalid as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
            return render_template("admin_users/new.html", form=form)
        if created.one_time_password:
            return _no_store(
                render_template(
                    "admin_users/one_time.html",
                    user=created.user,
                    password=created.one_time_password,
                )
            )
        flash(_("User created."), "success")
        return redirect(url_for("admin_users.edit", user_id=created.user.id))
    return render_template("admin_users/new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int) -> str | Response:
    """Change a user's name, e-mail, code, role, team and active flag."""
    user = current_scope().get_user(user_id)
    form = UserForm()
    _team_choices(form, user.company_id)
    if not form.is_submitted():
        return _render_edit(user)
    if form.validate():
        values = {key: getattr(form, key).data for key in ACCOUNT_FIELDS}
        try:
            changes = people.update_user(
                actor=current_user._get_current_object(), user=user, values=values
            )
        except Invalid as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(_("Saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("admin_users.edit", user_id=user.id))
    return _render_edit(user, form=form)


@bp.route("/<int:user_id>/perfil", methods=["POST"])
@roles_required(Role.ADMIN)
def profile(user_id: int) -> str | Response:
    """Create or change the work profile of a rep or telesales seat."""
    user = current_scope().get_user(user_id)
    form = WorkProfileForm()
    form.work_days.localise()
    if form.validate():
        values = {
            key: getattr(form, key).data for key in people.PROFILE_FIELDS if key != "work_days"
        }
        values["work_days"] = form.work_days.mask
        try:
            changes = people.update_work_profile(
                actor=current_user._get_current_object(), user=user, values=values
            )
        except Invalid as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(_("Work profile saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("admin_users.edit", user_id=user.id) + "#profile")
    return _render_edit(user, profile_form=form)


@bp.route("/<int:user_id>/ausencias", methods=["POST"])
@roles_required(Role.ADMIN)
def add_time_off(user_id: int) -> str | Response:
    """Record vacation, sick leave or other days off for a person."""
    user = current_scope().get_user(user_id)
    form = TimeOffForm()
    if form.validate():
        try:
            people.add_time_off(
                actor=current_user._get_current_object(),
                user=user,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                kind=form.kind.data or "",
                note=form.note.data,
            )
        except Invalid as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(_("Time off saved: no route will be planned on those days."), "success")
            return redirect(url_for("admin_users.edit", user_id=user.id) + "#time-off")
    return _render_edit(user, time_off_form=form)


@bp.route("/<int:user_id>/ausencias/<int:time_off_id>/remover", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_time_off(user_id: int, time_off_id: int) -> Response:
    """Delete one time-off range of a person."""
    user = current_scope().get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
    else:
        try:
            people.remove_time_off(  # NotFound (404) for anyone else's time off
                actor=current_user._get_current_object(), user=user, time_off_id=time_off_id
            )
        except Invalid as exc:
            db.session.rollback()
            for message in exc.errors.values():
                flash(str(message), "error")
        else:
            flash(_("Time off removed."), "success")
    return redirect(url_for("admin_users.edit", user_id=user.id) + "#time-off")


@bp.route("/<int:user_id>/senha", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> tuple[str, int] | Response:
    """Set a new password for a user (policy enforced, audited); a refused one is explained
    next to the password field."""
    user = current_scope().get_user(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        if not form.password.errors:  # the token expired: no field to blame
            form_error(form, _("The form expired; try again."))
        return _render_edit(user, reset=form), 422
    problems = service.reset_password(
        actor=current_user._get_current_object(), user=user, password=form.password.data or ""
    )
    if problems:
        form.password.errors = list(service.password_messages(problems))
        return _render_edit(user, reset=form), 422
    flash(_("Password changed. Tell the user in person, never by e-mail."), "success")
    return redirect(url_for("admin_users.index"))


@bp.route("/<int:user_id>/senha-provisoria", methods=["POST"])
@roles_required(Role.ADMIN)
def one_time_password(user_id: int) -> str | Response:
    """Replace a user's password by a one-time one, shown once, changed at their next login."""
    user = current_scope().get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("admin_users.edit", user_id=user_id))
    clear = people.set_one_time_password(actor=current_user._get_current_object(), user=user)
    return _no_store(render_template("admin_users/one_time.html", user=user, password=clear))


@bp.route("/<int:user_id>/sessoes/<int:login_id>/encerrar", methods=["POST"])
@roles_required(Role.ADMIN)
def end_login(user_id: int, login_id: int) -> Response:
    """End one login of a user (a lost or shared device): its cookies stop working at once."""
    user = current_scope().get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
    else:
        logins.revoke(actor=current_user._get_current_object(), user=user, login_id=login_id)
        flash(_("That device was logged out."), "success")
    return redirect(url_for("admin_users.edit", user_id=user.id) + "#logins")


@bp.route("/<int:user_id>/sessoes/encerrar", methods=["POST"])
@roles_required(Role.ADMIN)
def end_all_logins(user_id: int) -> Response:
    """Log a user out on every device."""
    user = current_scope().get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
    else:
        logins.revoke_all(
            actor=current_user._get_current_object(), user=user, reason="logout_everywhere"
        )
        flash(_("%(name)s was logged out on every device.", name=user.name), "success")
    return redirect(url_for("admin_users.edit", user_id=user.id) + "#logins")


@bp.route("/auditoria")
@roles_required(Role.ADMIN)
def audit() -> str:
    """Who changed settings, permissions, tokens and data, and when."""
    company_id = current_user.company_id
    names = {u.id: u.name for u in service.list_users(company_id=company_id)}
    return render_template(
        "admin_users/audit.html", entries=service.audit_entries(company_id=company_id), names=names
    )
