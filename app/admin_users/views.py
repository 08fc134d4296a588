"""Admin users list, edit, password reset and the audit log."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.admin_users import bp, service
from app.admin_users.forms import ResetPasswordForm, UserForm
from app.extensions import db
from app.models import Role
from app.security.roles import current_scope, roles_required


@bp.route("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """Every user of the company."""
    return render_template("admin_users/index.html", users=service.list_users(company_id=current_user.company_id))


def _user_form(user) -> UserForm:  # type: ignore[no-untyped-def]
    form = UserForm(obj=None, role=user.role.value, team_id=user.team_id or 0, active=user.active)
    form.team_id.choices = [SelectChoice(0, _("No team"))] + [
        SelectChoice(t.id, t.name) for t in service.teams(company_id=user.company_id)]
    return form


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int) -> str | Response:
    """Change a user's role, team and active flag."""
    user = current_scope().get_user_or_404(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            changes = service.update_user(actor=current_user._get_current_object(), user=user,
                                          role=Role(form.role.data), team_id=form.team_id.data or None,
                                          active=bool(form.active.data))
        except service.PolicyError:
            db.session.rollback()
            flash(_("You cannot remove your own access or pick a team of another company."), "error")
            return redirect(url_for("admin_users.edit", user_id=user_id))
        db.session.commit()
        flash(_("Saved.") if changes else _("Nothing changed."), "success")
        return redirect(url_for("admin_users.index"))
    return render_template("admin_users/edit.html", user=user, form=form, reset=ResetPasswordForm())


@bp.route("/<int:user_id>/senha", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> Response:
    """Set a new password for a user (policy enforced, audited)."""
    user = current_scope().get_user_or_404(user_id)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        flash(_("Type the new password."), "error")
        return redirect(url_for("admin_users.edit", user_id=user_id))
    problems = service.reset_password(actor=current_user._get_current_object(), user=user,
                                      password=form.password.data or "")
    if problems:
        for message in service.password_messages(problems):
            flash(message, "error")
        return redirect(url_for("admin_users.edit", user_id=user_id))
    db.session.commit()
    flash(_("Password changed. Tell the user in person, never by e-mail."), "success")
    return redirect(url_for("admin_users.index"))


@bp.route("/auditoria")
@roles_required(Role.ADMIN)
def audit() -> str:
    """Who changed settings, permissions, tokens and data, and when."""
    company_id = current_user.company_id
    names = {u.id: u.name for u in service.list_users(company_id=company_id)}
    return render_template("admin_users/audit.html", entries=service.audit_entries(company_id=company_id),
                           names=names)
