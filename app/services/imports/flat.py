"""Upsert of one-row-per-entity kinds (customers, receivables, users) by a unique code."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.services.imports.base import Progress, chunks


@dataclass
class Changes:
    """Rows to insert, rows to update (id + changed fields), and how many are unchanged."""

    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0


def same(old: Any, new: Any) -> bool:
    """Compare stored and imported values (Decimals by value, floats to 1e-7)."""
    if isinstance(old, float) and isinstance(new, float):
        return abs(old - new) < 1e-7
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        try:
            return old is not None and new is not None and Decimal(old) == Decimal(new)
        except (TypeError, ArithmeticError):
            return False
    return bool(old == new)


def diff(stored: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """The fields whose imported value differs from the stored one."""
    return {k: val for k, val in wanted.items() if not same(stored.get(k), val)}


def write(model: Any, changes: Changes, progress: Progress | None) -> None:
    """Run bulk INSERT and bulk UPDATE-by-primary-key statements in chunks."""
    total = len(changes.creates) + len(changes.updates)
    done = 0
    for batch in chunks(changes.creates):
        db.session.execute(sa.insert(model), batch)
        done += len(batch)
        if progress:
            progress(done, total)
    for batch in chunks(changes.updates):
        db.session.execute(sa.update(model), batch)
        done += len(batch)
        if progress:
            progress(done, total)
