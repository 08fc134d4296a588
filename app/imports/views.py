"""Upload → preview (every problem) → confirm; template downloads."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.imports import bp, storage
from app.imports.forms import KIND_LABELS, ConfirmForm, UploadForm
from app.models import AuditLog, Role
from app.security.roles import roles_required
from app.services.imports import KINDS, columns_of, import_file
from app.services.imports.templates import template_csv, template_xlsx

MAX_BYTES = 50 * 1024 * 1024


def _recent() -> list[AuditLog]:
    return list(db.session.scalars(
        sa.select(AuditLog).where(AuditLog.company_id == current_user.company_id,
                                  AuditLog.action.like("import.%"))
        .order_by(AuditLog.at.desc()).limit(10)
    ))


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index() -> str | Response:
    """Upload form; on POST, a dry run whose result is the preview page."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("imports/index.html", form=form, kinds=KIND_LABELS, recent=_recent())
    raw = form.file.data.read(MAX_BYTES + 1)
    filename = form.file.data.filename or "arquivo"
    if len(raw) > MAX_BYTES:
        flash(_("The file is larger than 50 MB; split it or use the command line."), "error")
        return redirect(url_for("imports.index"))
    kind = form.kind.data
    result = import_file(kind=kind, raw=raw, filename=filename, company_id=current_user.company_id,
                         actor_id=current_user.id, dry_run=True)
    confirm = None
    if result.ok:
        token = storage.keep(current_user.company_id, raw)
        confirm = ConfirmForm(kind=kind, token=token, filename=filename)
    return render_template("imports/preview.html", result=result, kind_label=KIND_LABELS[kind], confirm=confirm)


@bp.route("/confirmar", methods=["POST"])
@roles_required(Role.ADMIN)
def confirm() -> Response:
    """Import the previewed file for real (all rows or none), then delete it."""
    form = ConfirmForm()
    if not form.validate_on_submit() or form.kind.data not in KINDS:
        abort(400)
    raw = storage.take(current_user.company_id, form.token.data)
    if raw is None:
        flash(_("The preview expired; upload the file again."), "error")
        return redirect(url_for("imports.index"))
    result = import_file(kind=form.kind.data, raw=raw, filename=form.filename.data,
                         company_id=current_user.company_id, actor_id=current_user.id, dry_run=False)
    if not result.ok:
        db.session.rollback()
        flash(_("The file changed since the preview; nothing was imported."), "error")
        return redirect(url_for("imports.index"))
    db.session.commit()
    flash(_("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.",
            created=result.created, updated=result.updated, unchanged=result.unchanged), "success")
    return redirect(url_for("imports.index"))


@bp.route("/modelo/<kind>.<fmt>")
@roles_required(Role.ADMIN)
def template(kind: str, fmt: str) -> Response:
    """Download the template of a kind as CSV or XLSX."""
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    names = {"customers": "clientes", "orders": "pedidos", "receivables": "titulos", "users": "usuarios"}
    if fmt == "csv":
        body, mime = template_csv(kind), "text/csv; charset=utf-8"
    else:
        body, mime = template_xlsx(kind), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="modelo-{names[kind]}.{fmt}"'
    return response


@bp.app_template_global()
def import_columns(kind: str) -> list[str]:
    """Headers of a kind, for the help text next to the template links."""
    return [c.header + ("*" if c.required else "") for c in columns_of(kind)]


