"""Template filters for money, dates and times in the user's locale."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_babel import format_currency, format_date, format_datetime, format_decimal


def money(value: Decimal | float | int | None) -> str:
    """Format an amount in BRL: `R$ 1.234,56` in pt-BR."""
    if value is None:
        return "—"
    return format_currency(value, "BRL")


def day(value: date | datetime | None, fmt: str = "short") -> str:
    """Format a calendar day: `23/11/2026` in pt-BR."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy" if fmt == "short" else fmt)
    return format_date(value, "dd/MM/yyyy" if fmt == "short" else fmt)


def clock(seconds: int | None) -> str:
    """Format seconds since local midnight as `14:30`."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def moment(value: datetime | None) -> str:
    """Format a timestamp in the user's time zone: `23/11/2026 14:30`."""
    if value is None:
        return "—"
    return format_datetime(value, "dd/MM/yyyy HH:mm")


def km(metres: int | float | None) -> str:
    """Format a distance in kilometres with one decimal."""
    if metres is None:
        return "—"
    return f"{format_decimal(metres / 1000, format='#,##0.0')} km"


def duration(seconds: int | float | None) -> str:
    """Format a duration as `1h05` or `25 min`."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60}h{minutes % 60:02d}"


def number(value: float | int | None, fmt: str = "#,##0") -> str:
    """Format a number with the locale's separators."""
    if value is None:
        return "—"
    return format_decimal(value, format=fmt)


def register(app: Flask) -> None:
    """Expose the filters to Jinja."""
    for fn in (money, day, clock, moment, km, duration, number):
        app.jinja_env.filters[fn.__name__] = fn
