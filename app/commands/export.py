"""`flask export KIND [--format csv|xlsx] [--keys] [--output FILE]` and `flask export
plans --date D`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask_babel import gettext as _

from app.commands.imports import company_id_of
from app.commands.params import DATE
from app.services import data_export
from app.services.imports import KINDS


@click.command("export")
@click.argument("kind", type=click.Choice((*KINDS, "plans")))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(data_export.FORMATS),
    default="csv",
    show_default=True,
    help="CSV (`;`, pt-BR numbers and dates, UTF-8 with BOM) or XLSX.",
)
@click.option("--keys", is_flag=True, help="Header of field keys instead of the pt-BR headers.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write here (default: standard output).",
)
@click.option("--company", "slug", help="Company slug (needed when there are several).")
@click.option("--date", "day", type=DATE, help="Plans: the date (required).")
def export_cli(
    kind: str, fmt: str, keys: bool, output: Path | None, slug: str | None, day: date | None
) -> None:
    """Write a kind in its import template's columns (importing it back changes nothing), or a
    date's plans."""
    company_id = company_id_of(slug)
    if kind == "plans":
        if day is None:
            raise click.UsageError(_("plans need --date YYYY-MM-DD"))
        if fmt != "csv":
            raise click.UsageError(_("plans are written as CSV only"))
        data = data_export.plans_csv(company_id=company_id, day=day)
    else:
        data = data_export.export_kind(kind=kind, company_id=company_id, fmt=fmt, keys=keys)
    if output is None:
        click.echo(data, nl=False)
    else:
        output.write_bytes(data)
        click.echo(_("%(file)s: %(size)s bytes", file=output, size=len(data)), err=True)
