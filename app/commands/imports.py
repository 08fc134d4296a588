"""`flask import KIND FILE [--dry-run] [--company SLUG] [--mapping MAPPING.json
[--save-mapping]]`."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.extensions import db
from app.models import Company
from app.services import db_maintenance
from app.services.imports import KINDS, ImportResult, columns_of, import_file, mappings
from app.transactions import after_commit, checkpoint, transactional

# Changed rows listed one by one in the report (the counts per field cover them all).
SHOWN_CHANGES = 20


def company_id_of(slug: str | None) -> int:
    """The company named by its slug, or the only one there is."""
    query = sa.select(Company.id)
    if slug:
        query = query.where(Company.slug == slug)
    ids = db.session.scalars(query.limit(2)).all()
    if not ids:
        raise click.ClickException(
            _("no company with slug %(slug)r", slug=slug) if slug else _("no company yet")
        )
    if len(ids) > 1:
        raise click.ClickException(_("several companies: choose one with --company SLUG"))
    return ids[0]


def _report(result: ImportResult) -> None:
    for note in result.notes:
        click.echo(note)
    for p in result.problems:
        where = ", ".join(
            x for x in (p.file, _("row %(row)s", row=p.row) if p.row else "", p.column or "") if x
        )
        click.echo(f"{where}: {p.message}", err=True)
    headers = {c.key: c.header for c in columns_of(result.kind)}
    for key, count in sorted(result.changes.counts.items()):
        changed = ngettext("%(num)d changed", "%(num)d changed", count)
        click.echo(f"  {headers.get(key, key)}: {changed}")
    empty = _("(empty)")
    for change in result.changes.rows[:SHOWN_CHANGES]:
        fields = "; ".join(
            f"{headers.get(f.key, f.key)}: {f.old or empty} -> {f.new or empty}"
            for f in change.fields
        )
        row = _("row %(row)s", row=change.row)
        click.echo(f"  {row} ({change.code}): {fields}")
    hidden = len(result.changes.rows) - SHOWN_CHANGES + result.changes.more
    if hidden > 0:
        click.echo(
            "  "
            + ngettext(
                "... and %(num)d more changed row", "... and %(num)d more changed rows", hidden
            )
        )
    counts = _(
        "%(kind)s: %(rows)s rows; %(created)s new, %(updated)s changed, %(unchanged)s unchanged",
        kind=result.kind,
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    click.echo(counts + (" " + _("(dry run, nothing written)") if result.dry_run else ""))


def _mapping(kind: str, company_id: int, path: Path | None) -> mappings.Columns:
    if path is None:
        saved = mappings.get(company_id=company_id, kind=kind)
        if saved:
            click.echo(_("Using the column mapping saved for this kind of file."))
        return saved
    try:
        return mappings.parse(json.loads(path.read_text(encoding="utf-8-sig")), kind)
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path.name}: {exc}") from None


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check, count and list the changes only; write nothing."
)
@click.option("--company", "slug", help="Company slug (needed when there are several).")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON {"columns": {"<header in the file>": "<field key>"}} (default: the saved mapping).',
)
@click.option(
    "--save-mapping",
    is_flag=True,
    help="Save --mapping for this company's next files of this kind.",
)
@transactional
def import_cli(
    kind: str,
    path: Path,
    dry_run: bool,
    slug: str | None,
    mapping_path: Path | None,
    save_mapping: bool,
) -> None:
    """Import a CSV/XLSX file: all rows or none; blank cells keep stored values, `-` clears them."""
    company_id = company_id_of(slug)
    mapping = _mapping(kind, company_id, mapping_path)
    if save_mapping:
        if mapping_path is None:
            raise click.ClickException(_("--save-mapping needs --mapping"))
        mappings.save(company_id=company_id, kind=kind, columns=mapping, actor_id=None)
        checkpoint()  # the mapping is kept even when the file has problems
    with click.progressbar(
        length=1, label=_("Importing %(file)s", file=path.name), show_pos=True
    ) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        result = import_file(
            kind=kind,
            raw=path.read_bytes(),
            filename=path.name,
            company_id=company_id,
            actor_id=None,
            dry_run=dry_run,
            progress=progress,
            mapping=mapping,
        )
    if result.ok and not dry_run and (result.created or result.updated):
        # Statistics count committed rows only: refreshed once the import's unit commits.
        tables = db_maintenance.IMPORT_TABLES[kind]
        after_commit(lambda: db_maintenance.analyze(db.session(), tables))
    _report(result)
    if not result.ok:
        raise click.ClickException(
            ngettext(
                "%(num)d problem; nothing was imported",
                "%(num)d problems; nothing was imported",
                len(result.problems),
            )
        )
