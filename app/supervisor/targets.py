"""Monthly targets page: set coverage and positivação targets, follow this month's progress."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.formfields import show_errors
from app.models import Role, Team
from app.security.roles import current_scope, roles_required
from app.services import targets
from app.services.clock import local_today
from app.services.errors import Invalid
from app.supervisor import bp
from app.supervisor.target_form import FIGURES, field_name, targets_form


def _month(text: str | None, today: date) -> date:
    """The month asked for (``YYYY-MM``): this month or the next; anything else is this month."""
    this = targets.month_of(today)
    try:
        asked = date.fromisoformat(f"{text}-01") if text else this
    except ValueError:
        return this
    return asked if asked in (this, targets.next_month(this)) else this


def month_label(month: date) -> str:
    """``novembro de 2026`` / ``November 2026``, in the page's language."""
    return format_skeleton("yMMMM", month, locale=str(get_locale()))


def percent_label(value: Decimal) -> str:
    """A target as typed, in the page's number format (``82,5%``, ``75%``)."""
    return f"{format_decimal(value, format='#,##0.##', locale=str(get_locale()))}%"


def _team() -> Team:
    team_id = request.args.get("team", type=int)
    if team_id is not None and not 0 < team_id < 2**31:
        abort(404)
    team = targets.team_in_scope(current_scope(), team_id)
    if team is None:
        abort(404)
    return team


def _no_team() -> Response | None:
    """A company (or supervisor) without any team yet gets a page that says so, not a 404."""
    if request.args.get("team") is None and not targets.teams_in_scope(current_scope()):
        return make_response(render_template("supervisor/targets_no_team.html"), 200)
    return None


@bp.route("/metas", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def targets_page() -> Response:
    """The team's targets for a month (this or next) and this month's progress against them."""
    scope = current_scope()
    if (empty := _no_team()) is not None:
        return empty
    team = _team()
    today = local_today()
    month = _month(request.values.get("month"), today)
    owners = targets.portfolio_owners(team)
    subjects = [targets.subject_key(team_id=team.id)] + [
        targets.subject_key(user_id=u.id) for u in owners
    ]
    form = targets_form(subjects)
    here = url_for("supervisor.targets_page", team=team.id, month=month.strftime("%Y-%m"))
    if request.method == "GET":
        stored = targets.targets_of(team, month)
        for key, target in stored.items():
            for figure in FIGURES:
                if key in subjects:
                    form[field_name(key, figure)].data = getattr(target, f"{figure}_pct")
    elif form.validate_on_submit():
        values = {
            key: targets.TargetInput(
                coverage=form[field_name(key, "coverage")].data,
                activation=form[field_name(key, "activation")].data,
            )
            for key in subjects
        }
        try:
            changed = targets.set_targets(
                actor=current_user._get_current_object(),
                scope=scope,
                team=team,
                month=month,
                values=values,
                today=today,
            )
        except Invalid as exc:
            show_errors(form, exc.errors)
        else:
            flash(
                _("Targets saved (%(num)d changed).", num=changed)
                if changed
                else _("Nothing changed."),
                "success",
            )
            return redirect(here)
    status = 422 if request.method == "POST" else 200
    html = render_template(
        "supervisor/targets.html",
        form=form,
        team=team,
        teams=targets.teams_in_scope(scope),
        month=month,
        months=[targets.month_of(today), targets.next_month(targets.month_of(today))],
        owners=owners,
        team_key=subjects[0],
        field_name=field_name,
        month_label=month_label,
        percent_label=percent_label,
        progress=targets.team_progress(scope, team, today),
    )
    return make_response(html, status)


@bp.route("/metas/historico")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def targets_history() -> Response:
    """Closed months: each target against what the month achieved, per portfolio and team."""
    scope = current_scope()
    if (empty := _no_team()) is not None:
        return empty
    team = _team()
    months = request.args.get("months", default=targets.HISTORY_DEFAULT, type=int)
    months = max(1, min(months or targets.HISTORY_DEFAULT, targets.HISTORY_MAX))
    html = render_template(
        "supervisor/targets_history.html",
        team=team,
        teams=targets.teams_in_scope(scope),
        months=months,
        choices=(3, targets.HISTORY_DEFAULT, targets.HISTORY_MAX),
        history=targets.history(scope, team, local_today(), months),
        month_label=month_label,
        percent_label=percent_label,
    )
    return make_response(html, 200)
