"""Upsert of one-row-per-entity kinds (customers, receivables, users) by a unique code."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.services.imports.base import ChangeLog, Progress, chunks

# (model field, stored value) -> (column key, cell value), or None for a field not shown.
Shower = Callable[[str, Any], tuple[str, Any] | None]


@dataclass
class Changes:
    """Rows to insert, rows to update (id + changed fields), how many are unchanged, and the log."""

    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    log: ChangeLog = field(default_factory=ChangeLog)
    # Stored records that change (an update may touch a related row only, e.g. a work profile).
    changed_rows: int = 0
    # A preview only counts the new rows: keeping 100,000 insert rows it never writes is memory.
    count_only: bool = False
    counted: int = 0

    @property
    def new_rows(self) -> int:
        """How many records the import creates."""
        return len(self.creates) + self.counted

    def create(self, row: dict[str, Any]) -> None:
        """Plan an insert (or, in a preview, count it)."""
        if self.count_only:
            self.counted += 1
        else:
            self.creates.append(row)

    def update(
        self,
        row: int,
        code: str,
        old: dict[str, Any],
        changed: dict[str, Any],
        show: Shower,
        also: Iterable[tuple[str, Any, Any]] = (),
    ) -> None:
        """Plan an update of the stored record `old`; log each changed field (and `also`)."""
        if changed:
            self.updates.append({"id": old["id"], **changed})
        self.changed_rows += 1
        shown = []
        for name, new in changed.items():
            before, after = show(name, old.get(name)), show(name, new)
            if before is not None and after is not None:
                shown.append((before[0], before[1], after[1]))
        self.log.add(row, code, [*shown, *also])


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
