"""`flask geocode [--limit N] [--company SLUG]`: find positions of customers without one."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Company
from app.services.geocoding import geocode_bases, geocode_customers
from app.transactions import checkpoint, transactional


@click.command("geocode")
@click.option(
    "--limit",
    type=click.IntRange(1, 100_000),
    default=100,
    show_default=True,
    help="At most this many customers (Nominatim allows one request per second).",
)
@click.option("--company", "slug", help="Company slug (default: every company).")
@transactional
def geocode_cli(limit: int, slug: str | None) -> None:
    """Geocode reps' bases and customers without coordinates; addresses not found are listed
    for an admin."""
    company_id = None
    if slug:
        company_id = db.session.scalar(sa.select(Company.id).where(Company.slug == slug))
        if company_id is None:
            raise click.ClickException(_("no company with slug %(slug)r", slug=slug))
    bases = geocode_bases(company_id=company_id, limit=limit)
    checkpoint()  # bases found stay found if the customers' pass fails
    if bases.found or bases.failed or bases.errors:
        click.echo(
            _(
                "bases: found %(found)s, not found %(failed)s, errors %(errors)s",
                found=bases.found,
                failed=bases.failed,
                errors=bases.errors,
            )
        )
    with click.progressbar(length=1, label=_("Geocoding customers"), show_pos=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        stats = geocode_customers(company_id=company_id, limit=limit, progress=progress)
    click.echo(
        _(
            "found %(found)s, not found %(failed)s, from cache %(cached)s, errors %(errors)s",
            found=stats.found,
            failed=stats.failed,
            cached=stats.from_cache,
            errors=stats.errors,
        )
    )
