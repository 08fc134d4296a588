"""`flask score --date D [--company SLUG]`: write the day's priority scores."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from app.commands.params import DATE
from app.extensions import db
from app.models import Company
from app.services import scoring
from app.services.clock import local_today
from app.transactions import transactional


@click.command("score")
@click.option("--date", "day", type=DATE, help="Score date (default: today).")
@click.option("--company", "slug", help="Company slug (default: every company).")
@transactional
def score_cli(day: date | None, slug: str | None) -> None:
    """Score every active customer for a day, replacing that day's snapshots; commit once."""
    day = day or local_today()
    query = sa.select(Company.id, Company.slug).order_by(Company.id)
    if slug:
        query = query.where(Company.slug == slug)
    companies = db.session.execute(query).all()
    if not companies:
        raise click.ClickException(
            _("no company with slug %(slug)r", slug=slug) if slug else _("no company to score")
        )
    results = []
    with click.progressbar(
        length=len(companies) * len(scoring.STAGES),
        label=_("Scoring %(day)s", day=day.isoformat()),
        show_pos=True,
    ) as bar:
        for company_id, _slug in companies:
            results.append(
                scoring.score_company(
                    session=db.session(),
                    company_id=company_id,
                    day=day,
                    progress=lambda _stage: bar.update(1),
                )
            )
    for (_id, company_slug), res in zip(companies, results, strict=True):
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in res.seconds.items())
        scored = _(
            "%(company)s: %(num)s customers scored for %(day)s (settings v%(version)s; %(times)s)",
            company=company_slug,
            num=res.customers,
            day=day.isoformat(),
            version=res.settings_version,
            times=timings,
        )
        click.echo(scored)
