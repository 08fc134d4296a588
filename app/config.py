"""Configuration classes; each reads the environment once, when the class is built."""

from __future__ import annotations

import os
import secrets
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


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    WTF_CSRF_TIME_LIMIT = None  # a rep's form may stay open for a whole day offline
    BABEL_DEFAULT_LOCALE = "pt_BR"
    BABEL_DEFAULT_TIMEZONE = "America/Sao_Paulo"
    LANGUAGES = ("pt_BR", "en")
    RATELIMIT_STORAGE_URI = env("RATELIMIT_STORAGE_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    TILE_URL = env("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    OSRM_URL = env("OSRM_URL")
    GEOCODER = env("GEOCODER", "nominatim")
    GEOCODER_URL = env("GEOCODER_URL")
    CELERY_BROKER_URL = env("CELERY_BROKER_URL")
    PREFERRED_URL_SCHEME = "http"
    HSTS = False
    TESTING = False


class ProductionConfig(Config):
    """Behind TLS: secure cookies and HSTS."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True


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
        raise RuntimeError(f"unknown ROTEIRO_CONFIG {name!r}; use one of {sorted(CONFIGS)}") from None
