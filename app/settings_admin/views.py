"""Edit the scoring settings: preview the ranking of one portfolio, then save the next version."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.models import Role
from app.security.roles import current_scope, roles_required
from app.services import scoring, scoring_admin
from app.services.clock import local_today
from app.services.scoring_admin import company_segments
from app.settings_admin import bp
from app.settings_admin.fields import GROUPS, field_specs, segment_specs
from app.settings_admin.forms import (
    form_defaults,
    proposed_settings,
    settings_form_class,
)
from optimizer.scoring import COMPONENTS


def _proposed_or_errors(form: Any, current: Any, segments: tuple[str, ...]) -> Any:
    """The proposed settings, or None with the reason shown on the form."""
    if sum(float(getattr(form, f"weight_{c}").data or 0) for c in COMPONENTS) <= 0:
        form.weight_urgency.errors = [_("At least one weight must be above zero.")]
        return None
    try:
        return proposed_settings(form, current, segments)
    except ValueError as exc:
        form.weight_urgency.errors = [_("These values were refused: %(error)s", error=str(exc))]
        return None


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index() -> str | Response:
    """The settings form; 'preview' re-scores one portfolio, 'save' creates the next version."""
    scope = current_scope()
    current_row = scoring.latest_settings(session=db.session, company_id=scope.company_id, actor_id=scope.user_id)
    current = scoring.scoring_settings(current_row)
    segments = company_segments(session=db.session, company_id=scope.company_id)
    form_class = settings_form_class(segments)
    form = form_class(data=form_defaults(current, segments)) if request.method == "GET" else form_class()
    choices = scoring_admin.portfolios(session=db.session, scope=scope)
    form.portfolio.choices = [SelectChoice(uid, name) for uid, name in choices]
    preview = None
    if request.method == "POST" and form.validate():
        proposed = _proposed_or_errors(form, current, segments)
        if proposed is not None and request.form.get("action") == "save":
            row = scoring_admin.save_settings(session=db.session, scope=scope, proposed=proposed, note=form.note.data)
            db.session.commit()
            flash(_("Settings saved as version %(version)d.", version=row.version), "success")
            return redirect(url_for("settings_admin.index"))
        if proposed is not None and form.portfolio.data:
            preview = scoring_admin.preview(
                session=db.session, scope=scope, owner_id=form.portfolio.data, proposed=proposed, day=local_today()
            )
    db.session.commit()  # version 1 may have just been created from the defaults
    return render_template(
        "settings_admin/index.html",
        form=form,
        groups=GROUPS,
        specs=[*field_specs(), *segment_specs(segments)],
        current=current_row,
        history=scoring_admin.versions(session=db.session, scope=scope),
        preview=preview,
    )
