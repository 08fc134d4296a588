"""Planner statistics after bulk loads, on PostgreSQL and SQLite alike.

A demo load or an import writes thousands of rows in one transaction. Until statistics are
refreshed PostgreSQL's planner believes the tables are empty and picks nested loops and
sequential scans (a fresh demo database measured p95 9.4 s and timeouts under load until it
was analysed); autovacuum gets there eventually, minutes later. SQLite's planner likewise
uses ``sqlite_stat1`` when present. Every bulk writer calls ``analyze`` right after its commit.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Base

# What each import kind writes (app/services/imports): the tables whose statistics it changes.
IMPORT_TABLES: dict[str, tuple[str, ...]] = {
    "customers": ("customers",),
    "orders": ("orders", "order_lines"),
    "receivables": ("receivables",),
    "users": ("users", "work_profiles", "teams"),
}


def _known(tables: Iterable[str] | None) -> list[str]:
    """Our own table names only (they are spliced into SQL), all of them by default."""
    names = sorted(Base.metadata.tables) if tables is None else list(dict.fromkeys(tables))
    unknown = [t for t in names if t not in Base.metadata.tables]
    if unknown:
        raise ValueError(f"not a Roteiro table: {', '.join(unknown)}")
    return names


def analyze(session: Session, tables: Iterable[str] | None = None) -> list[str]:
    """Refresh the planner's statistics of ``tables`` (every table by default).

    Runs in the session's transaction, which the caller commits (as with any other write);
    call it after the bulk load's own commit so the statistics see the loaded rows. Returns
    the tables analysed.
    """
    names = _known(tables)
    if not names:
        return []
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    if conn.dialect.name == "postgresql":
        # One statement for all: PostgreSQL 11+ analyses a list of tables.
        conn.execute(sa.text("ANALYZE " + ", ".join(quote(t) for t in names)))
    else:
        for name in names:
            conn.execute(sa.text(f"ANALYZE {quote(name)}"))
        # Lets SQLite refresh whatever else it judges stale, as its docs advise after loads.
        conn.execute(sa.text("PRAGMA optimize"))
    return names
