"""`flask import customers|orders|receivables|users FILE [--dry-run] [--company SLUG]`."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa

from app.extensions import db
from app.models import Company
from app.services.imports import KINDS, ImportResult, import_file


def _company_id(slug: str | None) -> int:
    query = sa.select(Company.id)
    if slug:
        query = query.where(Company.slug == slug)
    ids = db.session.scalars(query.limit(2)).all()
    if not ids:
        raise click.ClickException(f"no company with slug {slug!r}" if slug else "no company yet")
    if len(ids) > 1:
        raise click.ClickException("several companies: choose one with --company SLUG")
    return ids[0]


def _report(result: ImportResult) -> None:
    for note in result.notes:
        click.echo(note)
    for p in result.problems:
        where = ", ".join(x for x in (p.file, f"linha {p.row}" if p.row else "", p.column or "") if x)
        click.echo(f"{where}: {p.message}", err=True)
    click.echo(
        f"{result.kind}: {result.rows} linhas; {result.created} novos, {result.updated} alterados, "
        f"{result.unchanged} sem alteração" + (" (simulação, nada gravado)" if result.dry_run else "")
    )


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count only; write nothing.")
@click.option("--company", "slug", help="Company slug (needed when there are several).")
def import_cli(kind: str, path: Path, dry_run: bool, slug: str | None) -> None:
    """Import a CSV/XLSX file: all rows or none; re-importing the same file changes nothing."""
    company_id = _company_id(slug)
    with click.progressbar(length=1, label=f"Importing {path.name}", show_pos=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            result = import_file(kind=kind, raw=path.read_bytes(), filename=path.name, company_id=company_id,
                                 actor_id=None, dry_run=dry_run, progress=progress)
        except Exception:
            db.session.rollback()
            raise
        if result.ok and not dry_run:
            db.session.commit()
    _report(result)
    if not result.ok:
        raise click.ClickException(f"{len(result.problems)} problema(s); nada foi importado")
