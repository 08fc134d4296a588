"""Uploaded files live in the instance folder only between preview and confirmation."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from flask import current_app

MAX_AGE_S = 24 * 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_for(company_id: int, token: str) -> Path:
    """Where a previewed upload of a company is kept (the token is 32 hex digits)."""
    return _folder() / f"{company_id}-{token}.upload"


def keep(company_id: int, raw: bytes) -> str:
    """Store an upload for the confirmation step; forget stale ones; return its token."""
    cutoff = time.time() - MAX_AGE_S
    for old in _folder().glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = uuid.uuid4().hex
    path_for(company_id, token).write_bytes(raw)
    return token


def take(company_id: int, token: str) -> bytes | None:
    """Read and delete a kept upload (None when it expired or never existed)."""
    path = path_for(company_id, token)
    if not path.exists():
        return None
    raw = path.read_bytes()
    path.unlink(missing_ok=True)
    return raw


def peek(company_id: int, token: str) -> bytes | None:
    """Read a kept upload without deleting it (None when it expired or never existed)."""
    path = path_for(company_id, token)
    return path.read_bytes() if path.exists() else None


def drop(company_id: int, token: str) -> None:
    """Delete a kept upload."""
    path_for(company_id, token).unlink(missing_ok=True)
