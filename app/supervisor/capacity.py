"""Capacity page: each rep's load over the next four weeks, and a rebalancing proposal.

The figures and the proposal come from :mod:`app.services.capacity`; applying the chosen
moves goes through the move action (audited per customer), behind CSRF.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.models import Role
from app.security.roles import current_scope, roles_required
from app.services import capacity as service
from app.services.clock import local_today
from app.services.errors import Invalid
from app.supervisor import bp

ROLES = (Role.SUPERVISOR, Role.ADMIN)
DEFAULT_MOVES = 20

STATE_LABELS = {
    "over": _l("Overloaded"),
    "under": _l("Room to spare"),
    "balanced": _l("Balanced"),
    "unknown": _l("Unknown: no work profile or no travel estimate yet"),
}
STATE_ICONS = {
    "over": "triangle-alert",
    "under": "arrow-down",
    "balanced": "circle-check",
    "unknown": "circle-dashed",
}


class ApplyForm(FlaskForm):
    """The chosen moves come as ``move`` values ``<customer id>:<rep id>``; CSRF only here."""


def _max_moves() -> tuple[int, str | None]:
    """The number of moves asked for, or the default with a message for a bad value."""
    text = request.args.get("movimentos", "").strip()
    if not text:
        return DEFAULT_MOVES, None
    if text.isdigit() and 1 <= int(text) <= service.MAX_MOVES:
        return int(text), None
    return DEFAULT_MOVES, _("Between 1 and %(n)s moves.", n=service.MAX_MOVES)


@bp.route("/capacidade")
@roles_required(*ROLES)
def capacity() -> Response:
    """Every rep's load; with ``sugerir``, the proposed moves to apply."""
    scope, today = current_scope(), local_today()
    suggestion = None
    max_moves, error = _max_moves()
    if request.args.get("sugerir") and error is None:
        suggestion = service.suggest(
            scope=scope,
            today=today,
            max_moves=max_moves,
            time_limit_s=float(current_app.config["CAPACITY_SOLVE_SECONDS"]),
        )
        team = suggestion.reps
    else:
        team = service.team_capacity(scope=scope, today=today)
    html = render_template(
        "supervisor/capacity.html",
        team=team,
        suggestion=suggestion,
        max_moves=max_moves,
        moves_error=error,
        max_allowed=service.MAX_MOVES,
        form=ApplyForm(),
        state_labels=STATE_LABELS,
        state_icons=STATE_ICONS,
    )
    return make_response(html, 422 if error else 200)


def _chosen(values: list[str]) -> list[tuple[int, int]]:
    out = []
    for value in values:
        customer, _sep, rep = value.partition(":")
        if not (customer.isdigit() and rep.isdigit()):
            abort(400)
        ids = int(customer), int(rep)
        if not all(0 < i < 2**31 for i in ids):
            abort(404)
        out.append(ids)
    return out


@bp.route("/capacidade/aplicar", methods=["POST"])
@roles_required(*ROLES)
def capacity_apply() -> Response:
    """Apply the chosen moves of a proposal through the move action."""
    form = ApplyForm()
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("supervisor.capacity"))
    chosen = _chosen(request.form.getlist("move"))
    try:
        moved = service.apply(
            actor=current_user._get_current_object(),
            scope=current_scope(),
            chosen=chosen,
            today=local_today(),
        )
    except Invalid as exc:
        flash(str(next(iter(exc.errors.values()))), "error")
        return redirect(url_for("supervisor.capacity"))
    flash(
        ngettext("%(num)d customer moved.", "%(num)d customers moved.", moved)
        if moved
        else _("Nothing to move: these customers are already there."),
        "success",
    )
    return redirect(url_for("supervisor.capacity"))
