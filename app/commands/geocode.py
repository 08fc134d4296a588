"""`flask geocode [--limit N] [--company SLUG]`: find positions of customers without one."""

from __future__ import annotations

import click
import sqlalchemy as sa

from app.extensions import db
from app.models import Company
from app.services.geocoding import geocode_customers


@click.command("geocode")
@click.option("--limit", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="At most this many customers (Nominatim allows one request per second).")
@click.option("--company", "slug", help="Company slug (default: every company).")
def geocode_cli(limit: int, slug: str | None) -> None:
    """Geocode customers without coordinates; addresses not found are listed for an admin."""
    company_id = None
    if slug:
        company_id = db.session.scalar(sa.select(Company.id).where(Company.slug == slug))
        if company_id is None:
            raise click.ClickException(f"no company with slug {slug!r}")
    with click.progressbar(length=1, label="Geocoding", show_pos=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        stats = geocode_customers(company_id=company_id, limit=limit, progress=progress)
        db.session.commit()
    click.echo(f"found {stats.found}, not found {stats.failed}, from cache {stats.from_cache}, "
               f"errors {stats.errors}")
