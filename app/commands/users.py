"""`flask users ...`: create accounts and reset passwords."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Company, Role
from app.services import people
from app.services.errors import Invalid
from app.transactions import transactional


@click.group("users")
def users_cli() -> None:
    """Manage user accounts."""


@users_cli.command("create")
@click.option("--company", "company_slug", required=True, help="Company slug.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.password_option()
@transactional
def create(company_slug: str, email: str, name: str, role: str, password: str) -> None:
    """Create a user in a company."""
    company = db.session.scalar(sa.select(Company).where(Company.slug == company_slug))
    if company is None:
        raise click.ClickException(_("no company with slug %(slug)r", slug=company_slug))
    try:
        created = people.create_user(
            actor=None,
            company_id=company.id,
            password=password,
            values={"email": email, "name": name, "role": Role(role)},
        )
    except Invalid as exc:
        db.session.rollback()
        raise click.ClickException(
            "; ".join(f"{key}: {message}" for key, message in exc.errors.items())
        ) from None
    click.echo(_("created %(email)s (%(role)s)", email=created.user.email, role=created.user.role))
