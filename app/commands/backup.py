"""`flask backup [--output FILE]` and `flask restore FILE --yes`: the whole database,
both backends."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.extensions import db
from app.services import backup as backups


def _url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Backup file (default: instance/backups/roteiro-<UTC time>.dump|.sqlite3).",
)
@with_appcontext
def backup_cli(output: Path | None) -> None:
    """Copy the whole database (every company) while the app runs: pg_dump or
    SQLite's backup API."""
    url = _url()
    try:
        backend = backups.backend_of(url)
        dest = output or backups.default_path(Path(current_app.instance_path) / "backups", backend)
        result = backups.backup(url, dest)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    size = f"{result.bytes:,}"
    if result.schema:
        click.echo(
            _(
                "Backup written to %(path)s (schema %(schema)s): %(size)s bytes.",
                path=result.path,
                schema=result.schema,
                size=size,
            )
        )
    else:
        click.echo(_("Backup written to %(path)s: %(size)s bytes.", path=result.path, size=size))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_cli(path: Path, yes: bool) -> None:
    """Replace the whole database with a backup (stop the web and job workers first)."""
    url = _url()
    if not yes:
        click.confirm(
            _(
                "Replace the WHOLE database (%(url)s) with %(path)s?",
                url=db.engine.url.render_as_string(),
                path=path,
            ),
            abort=True,
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours holds the database while it is replaced
    try:
        result = backups.restore(url, path)
        restored = backups.revision(url)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.engine.dispose()
    click.echo(
        _(
            "Database restored from %(path)s (revision %(revision)s).",
            path=result.path,
            revision=restored or "?",
        )
    )
    click.echo(_("If the code is newer than the backup, run `flask db upgrade` before starting."))
