"""`flask users ...`: create accounts and reset passwords."""

from __future__ import annotations

import click
import sqlalchemy as sa

from app.extensions import db
from app.models import Company, Role, User
from app.services import accounts


@click.group("users")
def users_cli() -> None:
    """Manage user accounts."""


@users_cli.command("create")
@click.option("--company", "company_slug", required=True, help="Company slug.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.password_option()
def create(company_slug: str, email: str, name: str, role: str, password: str) -> None:
    """Create a user in a company."""
    company = db.session.scalar(sa.select(Company).where(Company.slug == company_slug))
    if company is None:
        raise click.ClickException(f"no company with slug {company_slug!r}")
    problems = accounts.password_problems(password)
    if problems:
        raise click.ClickException("weak password: " + ", ".join(problems))
    user = User(company_id=company.id, email=email.lower(), name=name, role=Role(role))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {user.email} ({user.role})")
