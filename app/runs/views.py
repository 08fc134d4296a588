"""The runs page and the admin's re-run button."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.jobs.nightly import start_rerun, target_day
from app.models import Role
from app.runs import bp, labels  # noqa: F401  (template globals)
from app.runs.forms import RerunForm
from app.security.roles import current_scope, roles_required
from app.services import pipeline


@bp.route("/")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def index() -> str:
    """Recent runs: status, duration, counts and the failures of the reps in scope."""
    scope = current_scope()
    form = RerunForm(data={"day": target_day()})
    return render_template(
        "runs/index.html",
        runs=pipeline.list_runs(scope=scope),
        form=form if scope.is_admin else None,
        running=pipeline.is_running(company_id=scope.company_id),
    )


@bp.route("/replanejar", methods=["POST"])
@roles_required(Role.ADMIN)
def rerun() -> Response:
    """Start planning a date again in the background; the page shows it as it runs."""
    form = RerunForm()
    if not form.validate_on_submit():
        flash(_("Choose a valid date."), "error")
        return redirect(url_for("runs.index"))
    company_id = current_user.company_id
    if pipeline.is_running(company_id=company_id):
        flash(_("A planning run is already going; wait for it to finish."), "error")
        return redirect(url_for("runs.index"))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    start_rerun(app, company_id=company_id, day=form.day.data, user_id=current_user.id)
    flash(_("Planning of %(day)s started; reload in a few minutes.", day=form.day.data.strftime("%d/%m/%Y")), "success")
    return redirect(url_for("runs.index"))
