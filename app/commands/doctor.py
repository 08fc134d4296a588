"""`flask doctor [--company SLUG]`: what blocks or degrades planning, like the readiness page."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Company
from app.services import readiness

MARK = {
    # TRANSLATORS: a finding of `flask doctor` that stops planning.
    readiness.BLOCK: _l("✖ blocks"),
    # TRANSLATORS: a finding of `flask doctor` that makes plans worse.
    readiness.DEGRADE: _l("⚠ degrades"),
    # TRANSLATORS: a finding of `flask doctor` worth a look.
    readiness.CHECK: _l("ℹ check"),
}


def _path(link: readiness.Link) -> str:
    with current_app.test_request_context():
        return url_for(link.endpoint, **link.args) + (f"#{link.anchor}" if link.anchor else "")


def _echo_report(company: Company, report: readiness.Report) -> None:
    click.echo(
        _(
            "%(name)s (%(slug)s): %(reps)s active reps, %(customers)s active customers",
            name=company.name,
            slug=company.slug,
            reps=report.reps,
            customers=report.customers,
        )
    )
    if not report.findings:
        click.echo("  " + _("✔ nothing blocks or degrades planning"))
    for finding in report.findings:
        click.echo(f"  {MARK[finding.level]}: {finding.title}: {finding.count}")
        click.echo(f"    {finding.explanation}")
        for example in finding.examples[:5]:
            note = f" ({example.note})" if example.note else ""
            click.echo(f"    - {example.label}{note}: {_path(example.link)}")
        if finding.examples and finding.count > min(len(finding.examples), 5):
            more = finding.count - min(len(finding.examples), 5)
            click.echo("    " + _("... and %(num)s more", num=more))
        if finding.fix is not None:
            click.echo("    " + _("fix: %(path)s", path=_path(finding.fix)))


@click.command("doctor")
@click.option("--company", "slug", help="Company slug (default: every company).")
def doctor_cli(slug: str | None) -> None:
    """List what blocks or degrades planning, with the page that fixes each; exit 1 if
    something blocks."""
    query = sa.select(Company).order_by(Company.id)
    if slug:
        query = query.where(Company.slug == slug)
    found = list(db.session.scalars(query))
    if not found:
        raise click.ClickException(
            _("no company with slug %(slug)r", slug=slug)
            if slug
            else _("no company yet: flask company create")
        )
    blocking = False
    for company in found:
        report = readiness.check(company_id=company.id)
        _echo_report(company, report)
        blocking = blocking or report.blocking
    if blocking:
        raise SystemExit(1)
