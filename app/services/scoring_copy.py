"""Bulk transfer for the daily score: numeric selects out and snapshot rows in, without
per-row ORM work.

On PostgreSQL a numeric select is read with ``COPY (...) TO STDOUT (FORMAT BINARY)`` and parsed by
numpy in one call (every column cast to BIGINT or DOUBLE PRECISION, so each row has a fixed
width), and snapshot rows go in with ``COPY ... FROM STDIN``. SQLite (in-process, no wire) uses
the driver's plain ``fetchall`` and ``executemany``. Both run on the session's own connection,
inside its transaction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def _sql(session: Session, stmt: Any) -> str:
    connection = session.connection()
    return str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))


def fetch_rows(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """Rows of a select straight from the driver's cursor (no ORM or Row objects)."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(_sql(session, stmt))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _binary_select(stmt: Any, kinds: str) -> Any:
    """The select with every column cast to a fixed-width type and no NULLs (NaN instead)."""
    sub = stmt.subquery()
    nan: sa.ColumnClause[Any] = sa.literal_column("'NaN'::float8")
    exprs = [
        sa.cast(col, sa.BigInteger)
        if kind == "i"
        else sa.func.coalesce(sa.cast(col, sa.Float), nan)
        for col, kind in zip(sub.c, kinds, strict=True)
    ]
    return sa.select(*exprs)


def _parse_binary(data: bytes, kinds: str) -> list[np.ndarray] | None:
    """Columns of a PostgreSQL binary COPY of fixed-width rows; None if the layout is unexpected."""
    if not data.startswith(_SIGNATURE):
        return None
    ext = int.from_bytes(data[15:19], "big")
    start = 19 + ext
    fields: list[tuple[str, str]] = [("n", ">i2")]
    for k, kind in enumerate(kinds):
        fields += [(f"len{k}", ">i4"), (f"v{k}", ">i8" if kind == "i" else ">f8")]
    dtype = np.dtype(fields)
    body = len(data) - start - 2  # the trailer is int16 -1
    if body < 0 or body % dtype.itemsize:
        return None
    rows = np.frombuffer(data, dtype=dtype, count=body // dtype.itemsize, offset=start)
    if len(rows) and (
        np.any(rows["n"] != len(kinds))
        or any(np.any(rows[f"len{k}"] != 8) for k in range(len(kinds)))
    ):
        return None
    return [
        rows[f"v{k}"].astype(np.int64 if kind == "i" else np.float64)
        for k, kind in enumerate(kinds)
    ]


def fetch_columns(session: Session, stmt: Any, kinds: str) -> list[np.ndarray]:
    """A numeric select as numpy columns: 'i' int64, 'f' float64 with NaN for NULL."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.cursor()
        try:
            sql = _sql(session, _binary_select(stmt, kinds))
            with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
                data = b"".join(bytes(block) for block in copy)
        finally:
            cursor.close()
        columns = _parse_binary(data, kinds)
        if columns is not None:
            return columns
    rows = fetch_rows(session, stmt)
    table = np.array(rows, dtype=np.float64).reshape(len(rows), len(kinds))
    return [
        table[:, k].astype(np.int64) if kind == "i" else table[:, k] for k, kind in enumerate(kinds)
    ]


def _finite(value: Any) -> Any:
    """The value with non-finite floats replaced by None (JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def to_json(value: Any) -> str:
    """Compact JSON for a JSON/JSONB column."""
    text = json.dumps(value, separators=(",", ":"))
    if "NaN" in text or "Infinity" in text:
        text = json.dumps(_finite(value), separators=(",", ":"))
    return text


def insert_rows(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert many rows of plain values (JSON already as text) into ``table`` in one go."""
    connection = session.connection()
    names = ", ".join(columns)
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            # sqlite3 reads any iterable lazily; the DB-API stub only names Sequence.
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            cursor.executemany(sql, iter(rows))  # type: ignore[arg-type]
    finally:
        cursor.close()
