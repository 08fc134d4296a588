"""A named lock in the database (the ``job_locks`` table): one run per company at a time.

Insert-or-fail works the same on PostgreSQL and SQLite: the lock name is the primary key,
so a second insert fails. The holder keeps the lock alive with :func:`heartbeat`; a lock
whose expiry has passed, or whose holder process on this machine is gone, is stale and may
be taken over: that is how a killed run is detected and redone.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import JobLock, utcnow


class LockBusy(RuntimeError):
    """Another live process holds the lock."""


class LockLost(RuntimeError):
    """Our lock expired and was taken over: stop writing."""


def new_holder() -> str:
    """Return this process's holder id: host, pid and a random token."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _process_gone(holder: str) -> bool:
    """Tell whether the holder ran on this machine in a process that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def is_stale(holder: str, expires_at: datetime, now: datetime | None = None) -> bool:
    """Tell whether a lock may be taken over (expired, or its process is gone)."""
    return expires_at <= (now or utcnow()) or _process_gone(holder)


def current(name: str) -> tuple[str, datetime] | None:
    """Return the holder and expiry of a lock, if held."""
    row = db.session.execute(
        sa.select(JobLock.holder, JobLock.expires_at).where(JobLock.name == name)
    ).first()
    return None if row is None else (row[0], row[1])


def acquire(name: str, holder: str, *, ttl: timedelta) -> str | None:
    """Take the lock (flush only; the caller commits); return the stale holder replaced.

    Raises
    ------
    LockBusy
        When a live holder has it.
    """
    now = utcnow()
    found = current(name)
    replaced = None
    if found is not None:
        if not is_stale(found[0], found[1], now):
            raise LockBusy(f"{name} is held by {found[0]} until {found[1]:%Y-%m-%d %H:%M:%S} UTC")
        gone = db.session.execute(
            sa.delete(JobLock).where(JobLock.name == name, JobLock.holder == found[0])
        )
        if gone.rowcount != 1:  # type: ignore[attr-defined]
            raise LockBusy(f"{name} was taken over by someone else")
        replaced = found[0]
    try:
        with db.session.begin_nested():
            db.session.execute(
                sa.insert(JobLock).values(
                    name=name, holder=holder, acquired_at=now, expires_at=now + ttl
                )
            )
    except IntegrityError:
        raise LockBusy(f"{name} was taken at the same moment by another process") from None
    return replaced


def heartbeat(name: str, holder: str, *, ttl: timedelta) -> None:
    """Push the expiry forward; raise LockLost when the lock is no longer ours."""
    done = db.session.execute(
        sa.update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(expires_at=utcnow() + ttl)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise LockLost(f"{name} is no longer held by {holder}")


def release(name: str, holder: str) -> None:
    """Drop the lock if we still hold it."""
    db.session.execute(sa.delete(JobLock).where(JobLock.name == name, JobLock.holder == holder))


def planning_lock_name(company_id: int) -> str:
    """Return the name of the lock a company's planning run holds."""
    return f"planning:company:{company_id}"
