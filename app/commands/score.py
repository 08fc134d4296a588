"""`flask score --date D [--company SLUG]`: write the day's priority scores."""

from __future__ import annotations

from datetime import date, datetime

import click
import sqlalchemy as sa

from app.extensions import db
from app.models import Company
from app.services import scoring
from app.services.clock import local_today


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


@click.command("score")
@click.option("--date", "day", callback=_parse_day, metavar="YYYY-MM-DD", help="Score date (default: today).")
@click.option("--company", "slug", help="Company slug (default: every company).")
def score_cli(day: date | None, slug: str | None) -> None:
    """Score every active customer for a day, replacing that day's snapshots; commit once."""
    day = day or local_today()
    query = sa.select(Company.id, Company.slug).order_by(Company.id)
    if slug:
        query = query.where(Company.slug == slug)
    companies = db.session.execute(query).all()
    if not companies:
        raise click.ClickException(f"no company with slug {slug!r}" if slug else "no company to score")
    results = []
    with click.progressbar(
        length=len(companies) * len(scoring.STAGES), label=f"Scoring {day.isoformat()}", show_pos=True
    ) as bar:
        for company_id, _slug in companies:
            results.append(
                scoring.score_company(
                    session=db.session, company_id=company_id, day=day, progress=lambda _stage: bar.update(1)
                )
            )
    db.session.commit()
    for (_id, company_slug), res in zip(companies, results, strict=True):
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in res.seconds.items())
        click.echo(
            f"{company_slug}: {res.customers} customers scored for {day.isoformat()} "
            f"(settings v{res.settings_version}; {timings})"
        )
