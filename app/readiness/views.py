"""The readiness page (the same findings as `flask doctor`)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from app.models import Role
from app.readiness import bp
from app.security.roles import roles_required
from app.services import readiness


def link_url(link: readiness.Link) -> str:
    """Return the URL of a finding's link."""
    return url_for(link.endpoint, **link.args) + (f"#{link.anchor}" if link.anchor else "")


@bp.route("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """Every finding of the admin's company, worst first, each with where to fix it."""
    report = readiness.check(company_id=current_user.company_id)
    return render_template(
        "readiness/index.html",
        report=report,
        counts=readiness.summary(report.findings),
        link_url=link_url,
        levels=readiness,
    )
