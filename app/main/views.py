"""The root URL sends each user to their role's home page."""

from __future__ import annotations

from flask import redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.main import bp
from app.models import Role

# Each feature that gives a role a richer home replaces its entry here.
ROLE_HOME: dict[Role, str] = {
    Role.ADMIN: "supervisor.index",
    Role.SUPERVISOR: "supervisor.index",
    Role.REP: "rep.today",
    Role.TELESALES: "telesales.index",
}


@bp.route("/")
@login_required
def index() -> Response:
    """Redirect to the home page of the user's role."""
    return redirect(url_for(ROLE_HOME[current_user.role]))


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Liveness probe for load balancers."""
    return {"status": "ok"}, 200
