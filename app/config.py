"""Configuration classes; each reads the environment once, when the class is built."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

ENV_PREFIX = "ROTEIRO_"


def env(name: str, default: str | None = None) -> str | None:
    """Read one ROTEIRO_* variable (empty counts as unset)."""
    value = os.environ.get(ENV_PREFIX + name)
    return value if value else default


def instance_secret_key(instance_path: str) -> str:
    """Load the instance's secret key, creating it once with 0600 permissions."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def megabytes(name: str, default: int) -> int:
    """A size in MB from the environment, as bytes (a typo fails at start-up, not at upload)."""
    raw = env(name, str(default)) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise RuntimeError(
            f"{ENV_PREFIX}{name} must be a whole number of MB, not {raw!r}"
        ) from None
    if value < 1:
        raise RuntimeError(f"{ENV_PREFIX}{name} must be at least 1 MB")
    return value * 1024 * 1024


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    # How long a SQLite writer waits for the write lock (milliseconds) before a 503.
    SQLITE_BUSY_TIMEOUT_MS = int(env("SQLITE_BUSY_TIMEOUT_MS", "10000") or 10000)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    # Largest request body (uploads, API batches): anything bigger is refused with a 413
    # before it is read. An import file of 32 MB is about 150,000 customer rows.
    MAX_CONTENT_LENGTH = megabytes("MAX_UPLOAD_MB", 32)
    # "Keep me logged in" lasts this long from the login (then log in again); each such
    # login is a revocable row (app/services/logins.py), listed on the account page.
    REMEMBER_COOKIE_DURATION = timedelta(days=int(env("REMEMBER_DAYS", "30") or 30))
    WTF_CSRF_TIME_LIMIT = None  # a rep's form may stay open for a whole day offline
    BABEL_DEFAULT_LOCALE = "pt_BR"
    BABEL_DEFAULT_TIMEZONE = "America/Sao_Paulo"
    LANGUAGES = ("pt_BR", "en")
    # The language of `flask ...` commands (and jobs) outside any request; unset: the default.
    CLI_LOCALE = env("CLI_LOCALE")
    # Login limits count where every worker sees the same numbers: Redis when configured,
    # else this app's database (app/security/limits.py); never per-process memory.
    RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URL") or env("REDIS_URL") or "database://"
    RATELIMIT_KEY_PREFIX = env("RATELIMIT_KEY_PREFIX", "roteiro") or "roteiro"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: limit in memory meanwhile rather than answer 500 on the login form.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_RATE_LIMIT = env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")  # per address
    LOGIN_ACCOUNT_RATE_LIMIT = env("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour")
    REQUIRE_SHARED_LIMITS = False
    TILE_URL = env("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    # Compressed: data, scripts and styles. Not HTML: pages carry the CSRF token, and
    # compressing a secret beside reflected input invites BREACH.
    COMPRESS_MIMETYPES: ClassVar[list[str]] = [
        "application/json",
        "text/javascript",
        "application/javascript",
        "text/css",
        "application/manifest+json",
        "image/svg+xml",
        "text/plain",
    ]
    COMPRESS_ALGORITHM: ClassVar[list[str]] = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING: ClassVar[list[str]] = ["br", "deflate"]
    OSRM_URL = env("OSRM_URL")
    GEOCODER = env("GEOCODER", "nominatim")
    GEOCODER_URL = env("GEOCODER_URL")
    CELERY_BROKER_URL = env("CELERY_BROKER_URL")
    # Seconds between two looks of the scheduler process at the queue of web re-runs.
    PLANNING_QUEUE_POLL_S = float(env("PLANNING_QUEUE_POLL_S", "10") or 10)
    # Seconds the rebalancing proposal (capacity page and API) may search; the best split
    # found by then is proposed (never worse than the current one).
    CAPACITY_SOLVE_SECONDS = float(env("CAPACITY_SOLVE_SECONDS", "5") or 5)
    # A directory: per-request server timings are written there (bench/load.py --profile).
    REQUEST_PROFILE_DIR = env("REQUEST_PROFILE")
    PREFERRED_URL_SCHEME = "http"
    HSTS = False
    TESTING = False


class ProductionConfig(Config):
    """Behind TLS: secure cookies and HSTS."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True
    REQUIRE_SHARED_LIMITS = True  # memory:// limits refuse to start (see app/security/limits.py)


class DemoConfig(Config):
    """The local demo over plain http on 127.0.0.1 (cookies cannot be Secure there)."""


class DevelopmentConfig(Config):
    """A developer's machine."""

    DEBUG = True


class TestConfig(Config):
    """The test suite: a database URL is always given by the fixtures."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "1000 per minute"
    LOGIN_ACCOUNT_RATE_LIMIT = "1000 per minute"
    CLI_LOCALE = None  # commands speak the default language whatever the shell says
    CAPACITY_SOLVE_SECONDS = 1.0  # small teams solve at once; a larger one stops early


CONFIGS: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "demo": DemoConfig,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by ROTEIRO_CONFIG (default production)."""
    name = env("CONFIG", "production") or "production"
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"unknown ROTEIRO_CONFIG {name!r}; use one of {sorted(CONFIGS)}"
        ) from None
