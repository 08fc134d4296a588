"""`flask company create NAME --admin-email EMAIL`: start a company without the demo."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.extensions import db
from app.models import Company, User
from app.services import companies, score_retention, work_calendar
from app.services.errors import Invalid
from app.transactions import transactional


@click.group("company")
def company_cli() -> None:
    """Companies: create one from scratch, list them."""


def _read_password() -> str:
    """Read the admin's password from the first line of standard input."""
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.ClickException(_("no password on standard input (--admin-password-stdin)"))
    return line


@company_cli.command("create")
@click.argument("name")
@click.option(
    "--admin-email", required=True, help="E-mail of the first administrator (their login)."
)
@click.option("--admin-name", help="The administrator's name (default: the e-mail's user part).")
@click.option(
    "--admin-password-stdin",
    "password_stdin",
    is_flag=True,
    help="Read the administrator's password from standard input; without it a one-time "
    "password is printed once and must be changed at the first login.",
)
@click.option(
    "--state",
    default=work_calendar.DEFAULT_STATE,
    show_default=True,
    help="State (UF) whose holidays the company observes.",
)
@click.option("--slug", help="Identifier of the company in commands (default: from the name).")
@transactional
def create(
    name: str,
    admin_email: str,
    admin_name: str | None,
    password_stdin: bool,
    state: str,
    slug: str | None,
) -> None:
    """Create a company with the recommended settings and its first administrator."""
    password = _read_password() if password_stdin else None
    try:
        created = companies.create_company(
            name=name,
            admin_email=admin_email,
            admin_name=admin_name,
            password=password,
            state=state,
            slug=slug,
        )
    except Invalid as exc:
        db.session.rollback()
        raise click.ClickException(
            "; ".join(f"{key}: {message}" for key, message in exc.errors.items())
        ) from None
    company, admin = created.company, created.admin
    click.echo(
        _(
            "company created: %(name)s (identifier %(slug)s, id %(id)s, state %(state)s)",
            name=company.name,
            slug=company.slug,
            id=company.id,
            state=company.state,
        )
    )
    click.echo(_("administrator: %(email)s", email=admin.email))
    if created.one_time_password:
        click.echo(
            _(
                "one-time password (shown only now; to be changed at the first login): "
                "%(password)s",
                password=created.one_time_password,
            )
        )
    click.echo(
        _(
            "next steps: log in, add users and import customers; "
            "`flask doctor` says what is still missing to plan."
        )
    )


@company_cli.command("list")
def list_companies() -> None:
    """List the companies with their identifier, state and number of users."""
    rows = db.session.execute(
        sa.select(Company.id, Company.slug, Company.state, Company.name, sa.func.count(User.id))
        .outerjoin(User, User.company_id == Company.id)
        .group_by(Company.id)
        .order_by(Company.id)
    )
    for company_id, slug, state, name, users in rows:
        people = ngettext("%(num)d user", "%(num)d users", users)
        click.echo(f"{company_id}\t{slug}\t{state}\t{people}\t{name}")


@company_cli.command("history-days")
@click.option("--company", "slug", help="Company slug (needed when there are several).")
@click.argument("days", type=int, required=False)
@transactional
def history_days(slug: str | None, days: int | None) -> None:
    """Show or set how many days of score snapshots keep their explanations (default 90).

    Older snapshots keep only score, flags, purpose, cycle and monthly value; the nightly
    run compacts them (docs/operations.md).
    """
    from app.commands.imports import company_id_of

    company_id = company_id_of(slug)
    if days is None:
        current = score_retention.company_full_days(db.session(), company_id)
        click.echo(_("%(days)s days of full explanations", days=current))
        return
    try:
        row = score_retention.save_full_days(db.session(), company_id, days)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        _(
            "%(days)s days of full explanations (settings v%(version)s)",
            days=days,
            version=row.version,
        )
    )
