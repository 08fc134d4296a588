"""The runs page and the admin's re-run button (which only queues: the scheduler plans)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.models import Role
from app.runs import bp, labels  # noqa: F401  (template globals)
from app.runs.forms import RerunForm
from app.security.roles import current_scope, roles_required
from app.services import planning, runs
from app.services.clock import local_today


@bp.route("/")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def index() -> str:
    """Recent runs (queued, running or ended): counts and the failures of the reps in scope."""
    scope = current_scope()
    day = planning.next_working_day(company_id=scope.company_id, day=local_today())
    form = RerunForm(data={"day": day})
    return render_template(
        "runs/index.html",
        runs=runs.list_runs(scope=scope),
        form=form if scope.is_admin else None,
        running=runs.is_busy(company_id=scope.company_id),
    )


@bp.route("/replanejar", methods=["POST"])
@roles_required(Role.ADMIN)
def rerun() -> Response:
    """Queue planning a date again; the scheduler process runs it and the page shows it."""
    form = RerunForm()
    if not form.validate_on_submit():
        flash(_("Choose a valid date."), "error")
        return redirect(url_for("runs.index"))
    try:
        runs.enqueue_rerun(
            company_id=current_user.company_id, day=form.day.data, user_id=current_user.id
        )
    except runs.RerunRefused:
        flash(_("A planning run is already queued or going; wait for it to finish."), "error")
        return redirect(url_for("runs.index"))
    flash(
        _(
            "Planning of %(day)s queued; it starts within a minute and this page shows it.",
            day=form.day.data.strftime("%d/%m/%Y"),
        ),
        "success",
    )
    return redirect(url_for("runs.index"))
