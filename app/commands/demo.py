"""`flask demo ...`: load the seeded demo portfolio and print its figures."""

from __future__ import annotations

from datetime import date

import click
from flask_babel import gettext as _

from app.commands.params import DATE
from app.demo import loader, stats
from app.demo.people import DEMO_PASSWORD, demo_logins
from app.extensions import db
from app.models import Role
from app.navigation import ROLE_LABELS
from app.services import db_maintenance
from app.services.clock import local_today
from app.transactions import after_commit, transactional

today_option = click.option(
    "--today",
    type=DATE,
    help="Reference day (default: today in São Paulo).",
)


@click.group("demo")
def demo_cli() -> None:
    """Demo data: a distributor in Greater São Paulo."""


@demo_cli.command("load")
@click.option("--seed", default=42, show_default=True, help="Random seed: same seed, same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the demo company already exists.")
@click.option(
    "--customers",
    "customer_count",
    default=loader.DEFAULT_CUSTOMERS,
    show_default=True,
    help="How many customers the demo company gets.",
)
@today_option
@transactional
def load(seed: int, if_empty: bool, customer_count: int, today: date | None) -> None:
    """Load the demo company in one transaction and print its logins and figures."""
    if loader.demo_company_id() is not None:
        if if_empty:
            click.echo(_("Demo data already loaded."))
            _echo_logins()
            return
        raise click.ClickException(
            _("the demo company already exists; use a new database or --if-empty")
        )
    result = loader.load(seed=seed, today=today, customer_count=customer_count)
    # A fresh database plans badly until analysed; statistics only count committed rows.
    after_commit(lambda: db_maintenance.analyze(db.session()))
    click.echo(
        _(
            "Demo loaded in %(seconds)s s (seed %(seed)s).",
            seconds=f"{result.seconds:.1f}",
            seed=seed,
        )
    )
    _echo_logins()
    _echo_stats(result.company_id, result.today)


@demo_cli.command("stats")
@today_option
@click.option(
    "--checksum",
    is_flag=True,
    help="Also print a checksum of the rows (same seed and day, same checksum).",
)
def show_stats(today: date | None, checksum: bool) -> None:
    """Print the demo portfolio's figures."""
    company_id = loader.demo_company_id()
    if company_id is None:
        raise click.ClickException(_("there is no demo company; run `flask demo load` first"))
    _echo_stats(company_id, today or local_today())
    if checksum:
        click.echo(_("Checksum: %(value)s", value=stats.fingerprint(company_id=company_id)))


def _echo_logins() -> None:
    click.echo(_("Demo logins (everyone's password: %(password)s):", password=DEMO_PASSWORD))
    for login in demo_logins():
        team = f" - {login.team}" if login.team else ""
        role = str(ROLE_LABELS[Role(login.role)])
        click.echo(f"  {role:<16} {login.email:<32} {login.name}{team}")


def _echo_stats(company_id: int, today: date) -> None:
    for line in stats.compute(company_id=company_id, today=today).lines():
        click.echo(line)
