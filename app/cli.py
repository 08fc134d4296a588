"""Command-line entry points: `flask <group> ...` and the `roteiro` console script."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from app.commands import demo, users
from app.commands.backup import backup_cli, restore_cli
from app.commands.company import company_cli
from app.commands.doctor import doctor_cli
from app.commands.export import export_cli
from app.commands.geocode import geocode_cli
from app.commands.imports import import_cli
from app.commands.jobs import jobs_cli
from app.commands.plan import plan_cli
from app.commands.score import score_cli
from app.commands.translate import translate_cli


def register(app: Flask) -> None:
    """Attach every feature's command group to the app's CLI."""
    app.cli.add_command(company_cli)
    app.cli.add_command(users.users_cli)
    app.cli.add_command(demo.demo_cli)
    app.cli.add_command(score_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(geocode_cli)
    app.cli.add_command(plan_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(doctor_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(restore_cli)


def _create_app() -> Flask:
    from app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Roteiro management commands (same as `flask --app app ...`)."""
