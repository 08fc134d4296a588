"""Back up and restore the database: pg_dump/pg_restore on PostgreSQL, the online
backup API on SQLite.

A backup holds the whole database (every company): companies share tables, sequences and the
users table, so neither pg_dump (which selects tables and schemas, not rows) nor SQLite's
backup API can cut one company out consistently, and restoring one company into a live
database would have to renumber its keys. One company's data leaves with ``flask export``
(data_export) instead. When the database URL pins a PostgreSQL schema (``options=-csearch_path=``),
only that schema is dumped and restored, so several installations can share one server.

Both copies are consistent while the app runs: pg_dump reads one snapshot, SQLite's backup API
copies pages under its own lock. Restoring replaces the database: stop the web and job workers
first (docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    """Where the copy went and how big it is."""

    path: Path
    bytes: int
    backend: str
    schema: str | None = None


def default_path(directory: Path, backend: str, now: datetime | None = None) -> Path:
    """A timestamped file name in ``directory`` (``.dump`` for PostgreSQL, ``.sqlite3`` else)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if backend == "postgresql" else "sqlite3"
    return directory / f"roteiro-{stamp}.{suffix}"


def backend_of(url: str | URL) -> str:
    """``postgresql`` or ``sqlite`` (anything else is refused)."""
    name = make_url(url).get_backend_name()
    if name not in ("postgresql", "sqlite"):
        raise BackupError(f"unsupported database: {name}")
    return name


def backup(url: str | URL, dest: Path) -> BackupResult:
    """Copy the database at ``url`` into the file ``dest`` (its directory is created)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    backend = backend_of(url)
    if backend == "sqlite":
        _sqlite_copy(_sqlite_path(url), dest)
        return BackupResult(dest, dest.stat().st_size, backend)
    pg = _PgTarget(make_url(url))
    cmd = [
        _tool("pg_dump"),
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--file",
        str(dest),
    ]
    if pg.schema:
        cmd += ["--schema", pg.schema]
    _run([*cmd, *pg.args], pg.env)
    return BackupResult(dest, dest.stat().st_size, backend, pg.schema)


def restore(url: str | URL, src: Path) -> BackupResult:
    """Replace the database at ``url`` with the backup ``src`` (checked before anything
    is touched)."""
    if not src.is_file():
        raise BackupError(f"no backup file at {src}")
    backend = backend_of(url)
    if backend == "sqlite":
        _check_sqlite_backup(src)
        _sqlite_copy(src, _sqlite_path(url))
        return BackupResult(src, src.stat().st_size, backend)
    pg = _PgTarget(make_url(url))
    _run([_tool("pg_restore"), "--list", str(src)], pg.env)  # refuses anything but an archive
    cmd = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
    ]
    _run([*cmd, *pg.args, str(src)], pg.env)
    return BackupResult(src, src.stat().st_size, backend, pg.schema)


def revision(url: str | URL) -> str | None:
    """The Alembic revision a database is at (to compare a restored copy with the code)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            version = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
            return None if version is None else str(version)
    finally:
        engine.dispose()


# ---- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(url: str | URL) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _sqlite_copy(src: Path, dest: Path) -> None:
    """Page-by-page copy with SQLite's online backup API (consistent while others write)."""
    source = sqlite3.connect(src, timeout=30)
    try:
        target = sqlite3.connect(dest, timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    finally:
        source.close()


def _check_sqlite_backup(src: Path) -> None:
    """Refuse a file that is not a sound Roteiro SQLite database before overwriting anything."""
    try:
        conn = sqlite3.connect(src)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()
            has_version = conn.execute(
                "SELECT count(*) FROM sqlite_master"
                " WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{src} is not a SQLite database: {exc}") from exc
    if not ok or ok[0] != "ok":
        raise BackupError(f"{src} is damaged: {ok[0] if ok else 'no answer'}")
    if not has_version or not has_version[0]:
        raise BackupError(f"{src} is not a Roteiro database (no alembic_version table)")


# ---- PostgreSQL -----------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return path


class _PgTarget:
    """Connection arguments for the client tools; the password travels in the environment."""

    def __init__(self, url: URL) -> None:
        self.args = ["--dbname", url.database or "postgres"]
        if url.host:
            self.args += ["--host", url.host]
        if url.port:
            self.args += ["--port", str(url.port)]
        if url.username:
            self.args += ["--username", url.username]
        self.env = {**os.environ}
        if url.password:
            self.env["PGPASSWORD"] = str(url.password)
        options = url.query.get("options")
        options = options[0] if isinstance(options, tuple) else options
        self.schema: str | None = None
        if options:
            text = unquote(options)
            self.env["PGOPTIONS"] = text
            for part in text.split():
                if part.startswith("-csearch_path="):
                    self.schema = part.split("=", 1)[1].split(",")[0].strip('"') or None


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tool = Path(cmd[0]).name
        raise BackupError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
