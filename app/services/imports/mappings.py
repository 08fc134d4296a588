"""Column mappings: which field key each header of a company's files feeds, saved per kind.

A mapping document is ``{"columns": {"<header in the file>": "<field key>" | null}}``; a
null (or empty) key ignores the column. The CLI reads it from a JSON file, the preview
page builds it from the admin's choices; both are checked here and saved per company
and kind, so the next file of that kind is read the same way.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import ImportMapping
from app.services.imports import columns_of

MAX_COLUMNS = 500
MAX_HEADER = 200

Columns = dict[str, str | None]


class MappingError(ValueError):
    """A mapping document that cannot be used; the message says why."""


def parse(document: Any, kind: str) -> Columns:
    """Check a mapping document of a kind and return its columns (header -> key or None)."""
    if not isinstance(document, dict) or not isinstance(document.get("columns"), dict):
        raise MappingError(
            _('The mapping must be an object like {"columns": {"header": "field key"}}.')
        )
    return check(document["columns"], kind)


def check(columns: dict[Any, Any], kind: str) -> Columns:
    """Check header -> key pairs: known keys, each key fed by one header at most."""
    if len(columns) > MAX_COLUMNS:
        raise MappingError(_("Too many columns in the mapping."))
    keys = {c.key for c in columns_of(kind)}
    out: Columns = {}
    fed: dict[str, str] = {}
    for header, key in columns.items():
        if not isinstance(header, str) or not header.strip() or len(header) > MAX_HEADER:
            raise MappingError(_("Each column must be named by its header text."))
        if key in (None, ""):
            out[header.strip()] = None
            continue
        if not isinstance(key, str) or key not in keys:
            raise MappingError(
                _(
                    "Unknown field key %(key)s for column %(header)s.",
                    key=str(key)[:60],
                    header=header[:60],
                )
            )
        if key in fed:
            raise MappingError(
                _(
                    "The field %(key)s is mapped from two columns: %(first)s and %(second)s.",
                    key=key,
                    first=fed[key],
                    second=header,
                )
            )
        fed[key] = header
        out[header.strip()] = key
    return out


def get(*, company_id: int, kind: str) -> Columns:
    """The saved mapping of a company for a kind (empty when there is none)."""
    saved = db.session.scalar(
        sa.select(ImportMapping.columns).where(
            ImportMapping.company_id == company_id, ImportMapping.kind == kind
        )
    )
    return dict(saved or {})


def save(*, company_id: int, kind: str, columns: Columns, actor_id: int | None) -> ImportMapping:
    """Remember a checked mapping for the company's next files of this kind."""
    mapping = db.session.scalar(
        sa.select(ImportMapping).where(
            ImportMapping.company_id == company_id, ImportMapping.kind == kind
        )
    )
    if mapping is None:
        mapping = ImportMapping(company_id=company_id, kind=kind)
        db.session.add(mapping)
    mapping.columns = dict(columns)
    mapping.updated_by_id = actor_id
    db.session.flush()
    return mapping
