"""Upload → preview (problems, changed fields, column mapping) → confirm; templates and exports."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.imports import bp, storage
from app.imports.forms import KIND_LABELS, ConfirmForm, MappingForm, UploadForm
from app.models import AuditLog, Role
from app.security.roles import roles_required
from app.services import data_export, db_maintenance, exports
from app.services.imports import KINDS, ImportResult, columns_of, import_file, mappings
from app.services.imports.reading import UnreadableFile, read_table
from app.services.imports.templates import template_csv, template_xlsx
from app.transactions import after_commit

# Problems listed on the preview page (all are counted); a file with a wrong column can
# have one per row, and a page of 100,000 table rows helps no one.
PROBLEMS_SHOWN = 500
FILE_NAMES = {
    "customers": "clientes",
    "orders": "pedidos",
    "receivables": "titulos",
    "users": "usuarios",
}


def _recent() -> list[AuditLog]:
    return list(
        db.session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.company_id == current_user.company_id, AuditLog.action.like("import.%"))
            .order_by(AuditLog.at.desc())
            .limit(10)
        )
    )


def _preview(
    kind: str,
    raw: bytes,
    filename: str,
    token: str | None,
    mapping: mappings.Columns,
    mapping_error: str | None = None,
) -> str:
    """Dry-run the file with a mapping and render the preview (keeping the file for
    the next step)."""
    result = import_file(
        kind=kind,
        raw=raw,
        filename=filename,
        company_id=current_user.company_id,
        actor_id=current_user.id,
        dry_run=True,
        mapping=mapping,
    )
    if token is None and result.columns:
        token = storage.keep(current_user.company_id, raw)
    confirm = mapper = None
    if token is not None:
        mapper = MappingForm(kind=kind, token=token, filename=filename)
        if result.ok:
            confirm = ConfirmForm(
                kind=kind,
                token=token,
                filename=filename,
                mapping=json.dumps(mapping, ensure_ascii=False),
            )
    return render_template(
        "imports/preview.html",
        result=result,
        kind_label=KIND_LABELS[kind],
        confirm=confirm,
        mapper=mapper,
        fields=columns_of(kind),
        labels=_labels(kind),
        mapping_open=bool(mapping_error) or _needs_mapping(result),
        mapping_error=mapping_error,
        problems_shown=PROBLEMS_SHOWN,
    )


def _labels(kind: str) -> dict[str, str]:
    """Header of each field key, and of the order-wide fields the orders preview shows."""
    return {c.key: c.header for c in columns_of(kind)} | {
        "lines": _("Order lines"),
        "order_total": _("Order total"),
    }


def _needs_mapping(result: ImportResult) -> bool:
    """Open the mapping step when a column is unknown or a needed one is missing."""
    return bool(result.unknown) or any(p.row is None and p.column for p in result.problems)


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index() -> str | Response:
    """Upload form; on POST, a dry run (with the saved column mapping) whose result is the
    preview page."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("imports/index.html", form=form, kinds=KIND_LABELS, recent=_recent())
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    raw = form.file.data.read(limit + 1)
    filename = form.file.data.filename or "arquivo"
    if len(raw) > limit:  # a body this big is refused with a 413 before this (app/errors.py)
        abort(413)
    kind = form.kind.data
    saved = mappings.get(company_id=current_user.company_id, kind=kind)
    return _preview(kind, raw, filename, None, saved)


@bp.route("/colunas", methods=["POST"])
@roles_required(Role.ADMIN)
def map_columns() -> str | Response:
    """Save the admin's column mapping for the kind, then preview the kept file again with it."""
    form = MappingForm()
    if not form.validate_on_submit() or form.kind.data not in KINDS:
        abort(400)
    raw = storage.peek(current_user.company_id, form.token.data)
    if raw is None:
        flash(_("The preview expired; upload the file again."), "error")
        return redirect(url_for("imports.index"))
    try:
        headers = [
            h
            for h in (str(h or "").strip() for h in read_table(raw, form.filename.data).headers)
            if h
        ]
        chosen = form.column.data or []
        if len(chosen) != len(headers):
            abort(400)
        columns = mappings.check(dict(zip(headers, chosen, strict=True)), form.kind.data)
    except (UnreadableFile, mappings.MappingError) as exc:
        # Said in the mapping form itself, where the admin chose the columns.
        columns = mappings.get(company_id=current_user.company_id, kind=form.kind.data)
        return _preview(form.kind.data, raw, form.filename.data, form.token.data, columns, str(exc))
    else:
        mappings.save(
            company_id=current_user.company_id,
            kind=form.kind.data,
            columns=columns,
            actor_id=current_user.id,
        )
        flash(_("Column mapping saved for the next files of this kind."), "success")
    return _preview(form.kind.data, raw, form.filename.data, form.token.data, columns)


@bp.route("/confirmar", methods=["POST"])
@roles_required(Role.ADMIN)
def confirm() -> Response:
    """Import the previewed file for real (all rows or none), with the previewed
    mapping; delete it."""
    form = ConfirmForm()
    if not form.validate_on_submit() or form.kind.data not in KINDS:
        abort(400)
    try:
        mapping = mappings.check(json.loads(form.mapping.data or "{}"), form.kind.data)
    except (ValueError, AttributeError):
        abort(400)
    raw = storage.take(current_user.company_id, form.token.data)
    if raw is None:
        flash(_("The preview expired; upload the file again."), "error")
        return redirect(url_for("imports.index"))
    result = import_file(
        kind=form.kind.data,
        raw=raw,
        filename=form.filename.data,
        company_id=current_user.company_id,
        actor_id=current_user.id,
        dry_run=False,
        mapping=mapping,
    )
    if not result.ok:
        db.session.rollback()
        flash(_("The file changed since the preview; nothing was imported."), "error")
        return redirect(url_for("imports.index"))
    if result.created or result.updated:
        # Statistics count committed rows only: refreshed after the request's commit.
        tables = db_maintenance.IMPORT_TABLES[form.kind.data]
        after_commit(lambda: db_maintenance.analyze(db.session(), tables))
    flash(
        _(
            "Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
        "success",
    )
    return redirect(url_for("imports.index"))


@bp.route("/modelo/<kind>.<fmt>")
@roles_required(Role.ADMIN)
def template(kind: str, fmt: str) -> Response:
    """Download the template of a kind as CSV or XLSX."""
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    if fmt == "csv":
        body, mime = template_csv(kind), exports.CSV_MIME
    else:
        body, mime = template_xlsx(kind), exports.XLSX_MIME
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="modelo-{FILE_NAMES[kind]}.{fmt}"'
    )
    return response


@bp.route("/exportar/<kind>.<fmt>")
@roles_required(Role.ADMIN)
def export(kind: str, fmt: str) -> Response:
    """Download the company's data of a kind in its template's columns (edit it and
    import it back)."""
    if kind not in KINDS or fmt not in data_export.FORMATS:
        abort(404)
    body = data_export.export_kind(kind=kind, company_id=current_user.company_id, fmt=fmt)
    response = Response(body, mimetype=exports.CSV_MIME if fmt == "csv" else exports.XLSX_MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="{FILE_NAMES[kind]}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def import_columns(kind: str) -> list[str]:
    """Headers of a kind, for the help text next to the template links."""
    return [c.header + ("*" if c.required else "") for c in columns_of(kind)]
