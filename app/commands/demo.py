"""`flask demo ...`: load the seeded demo portfolio and print its figures."""

from __future__ import annotations

from datetime import date, datetime

import click

from app.demo import loader, stats
from app.demo.people import DEMO_PASSWORD, demo_logins
from app.extensions import db
from app.services.clock import local_today


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


today_option = click.option(
    "--today", callback=_parse_day, metavar="YYYY-MM-DD", help="Reference day (default: today in São Paulo)."
)


@click.group("demo")
def demo_cli() -> None:
    """Demo data: a distributor in Greater São Paulo."""


@demo_cli.command("load")
@click.option("--seed", default=42, show_default=True, help="Random seed: same seed, same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the demo company already exists.")
@click.option("--customers", "customer_count", default=loader.DEFAULT_CUSTOMERS, show_default=True)
@today_option
def load(seed: int, if_empty: bool, customer_count: int, today: date | None) -> None:
    """Load the demo company in one transaction and print its logins and figures."""
    if loader.demo_company_id() is not None:
        if if_empty:
            click.echo("Dados de demonstração já carregados.")
            _echo_logins()
            return
        raise click.ClickException("a empresa de demonstração já existe; use um banco de dados novo ou --if-empty")
    result = loader.load(seed=seed, today=today, customer_count=customer_count)
    db.session.commit()
    click.echo(f"Demonstração carregada em {result.seconds:.1f} s (semente {seed}).")
    _echo_logins()
    _echo_stats(result.company_id, result.today)


@demo_cli.command("stats")
@today_option
@click.option("--checksum", is_flag=True, help="Also print a checksum of the rows (same seed and day, same checksum).")
def show_stats(today: date | None, checksum: bool) -> None:
    """Print the demo portfolio's figures."""
    company_id = loader.demo_company_id()
    if company_id is None:
        raise click.ClickException("não há empresa de demonstração; rode `flask demo load` antes")
    _echo_stats(company_id, today or local_today())
    if checksum:
        click.echo(f"Checksum: {stats.fingerprint(company_id=company_id)}")


def _echo_logins() -> None:
    click.echo(f"Acessos de demonstração (senha de todos: {DEMO_PASSWORD}):")
    for login in demo_logins():
        team = f" - {login.team}" if login.team else ""
        click.echo(f"  {login.role:<10} {login.email:<32} {login.name}{team}")


def _echo_stats(company_id: int, today: date) -> None:
    for line in stats.compute(company_id=company_id, today=today).lines():
        click.echo(line)
