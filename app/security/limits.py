"""Login limits that hold across workers: where the counters live, and the keys they count by.

Flask-Limiter counts in the storage named by ``RATELIMIT_STORAGE_URI``: Redis when
``ROTEIRO_REDIS_URL`` (or ``ROTEIRO_RATELIMIT_STORAGE_URL``) is set, otherwise the
application's own database through :class:`DatabaseStorage` (``database://``). Both are
shared by every gunicorn worker; per-process memory (``memory://``) is not, so production
refuses to start with it (the other configurations warn). Counters use fixed windows:
each hit is one atomic increment, so parallel attempts can never overshoot the limit.

The login form is limited twice: per client address (behind a proxy that address is only
right when ``ROTEIRO_TRUSTED_PROXIES`` says how many proxies to believe, checked here at
start-up) and per account (the e-mail typed, whatever the address), so neither a botnet
against one account nor one address against many accounts gets far.
"""

from __future__ import annotations

import hashlib
import logging
import time

import sqlalchemy as sa
from flask import Flask, has_app_context, request
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from app.config import env
from app.models import RateLimitCounter

log = logging.getLogger(__name__)
MAX_TRUSTED_PROXIES = 5


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counters`` table (``database://``).

    Each increment is one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in its own
    short transaction on the app's engine, atomic on PostgreSQL and SQLite alike, and
    independent of the request's session (a rolled-back request still counts).
    """

    STORAGE_SCHEME = ["database"]  # noqa: RUF012 (the registry reads a list)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: object):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @staticmethod
    def _engine() -> sa.Engine:
        from app.extensions import db

        return db.engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        engine = self._engine()
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        counter = RateLimitCounter
        expired = counter.expires_at <= now
        stmt = (
            dialect.insert(counter)
            .values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[counter.key],
                set_={
                    "hits": sa.case((expired, amount), else_=counter.hits + amount),
                    "expires_at": sa.case((expired, now + expiry), else_=counter.expires_at),
                },
            )
            .returning(counter.hits)
        )
        with engine.begin() as conn:
            return int(conn.execute(stmt).scalar_one())

    def _row(self, key: str) -> tuple[int, float] | None:
        with self._engine().connect() as conn:
            row = conn.execute(
                sa.select(RateLimitCounter.hits, RateLimitCounter.expires_at).where(
                    RateLimitCounter.key == key
                )
            ).first()
        if row is None or row.expires_at <= time.time():
            return None
        return int(row.hits), float(row.expires_at)

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        if not has_app_context():
            # Flask-Limiter checks once from init_app, before any app context exists; the
            # engine is reached on the first counted request, whose errors fall back to
            # memory by themselves. Saying "unreachable" here only printed a false alarm
            # at every start.
            return True
        try:
            with self._engine().connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as conn:
            return int(conn.execute(sa.delete(RateLimitCounter)).rowcount or 0)

    def clear(self, key: str) -> None:
        with self._engine().begin() as conn:
            conn.execute(sa.delete(RateLimitCounter).where(RateLimitCounter.key == key))


def storage_uri() -> str:
    """Where counters live: an explicit URL, else Redis when configured, else the database."""
    return env("RATELIMIT_STORAGE_URL") or env("REDIS_URL") or "database://"


def account_key() -> str:
    """The per-account limit's key: the e-mail typed (hashed: no addresses in Redis keys)."""
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def trusted_proxies(app: Flask) -> int:
    """Read ROTEIRO_TRUSTED_PROXIES (how many reverse proxies to believe); refuse nonsense."""
    raw = app.config.get("TRUSTED_PROXIES")
    if raw is None:
        raw = env("TRUSTED_PROXIES", "0")
    try:
        hops = int(str(raw).strip())
    except ValueError:
        hops = -1
    if not 0 <= hops <= MAX_TRUSTED_PROXIES:
        raise RuntimeError(
            f"ROTEIRO_TRUSTED_PROXIES={raw!r}: give the number of reverse proxies in front of "
            f"Roteiro (0 when clients connect directly, 1 behind one nginx/Caddy, at most "
            f"{MAX_TRUSTED_PROXIES})"
        )
    return hops


def check_storage(app: Flask) -> None:
    """Refuse per-process counters in production; warn elsewhere (tests excepted)."""
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    if app.testing or not uri.startswith("memory://"):
        return
    message = (
        "rate limits in memory:// count per worker process: with N gunicorn workers a login "
        "limit lets N times as many attempts through. Unset ROTEIRO_RATELIMIT_STORAGE_URL "
        "(the database is used) or set ROTEIRO_REDIS_URL=redis://host:6379/0"
    )
    if app.config.get("REQUIRE_SHARED_LIMITS"):
        raise RuntimeError(message)
    log.warning("WARNING: %s", message)


def warn_unconfigured_proxy(app: Flask, hops: int) -> None:
    """Say once per process when proxy headers arrive but no proxy is trusted.

    Then every client seems to come from the proxy's address and shares one login
    counter: one attacker can lock everybody out.
    """
    if hops:
        return
    said = False

    @app.before_request
    def _proxy_headers_seen() -> None:
        nonlocal said
        if not said and "X-Forwarded-For" in request.headers:
            said = True
            log.error(
                "requests carry X-Forwarded-For but ROTEIRO_TRUSTED_PROXIES is 0: all clients "
                "look like %s and share one login-limit counter; set ROTEIRO_TRUSTED_PROXIES "
                "to the number of proxies in front of Roteiro",
                request.remote_addr,
            )
