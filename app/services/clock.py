"""The company's local calendar: 'today' is a day in America/Sao_Paulo, not in UTC."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

DEFAULT_TZ = ZoneInfo("America/Sao_Paulo")


def local_now(tz: ZoneInfo = DEFAULT_TZ) -> datetime:
    """Current time in the company's time zone."""
    return datetime.now(tz)


def local_today(tz: ZoneInfo = DEFAULT_TZ) -> date:
    """Today's date in the company's time zone."""
    return local_now(tz).date()


def seconds_of_day(moment: datetime, tz: ZoneInfo = DEFAULT_TZ) -> int:
    """Seconds since local midnight of an aware timestamp (the optimiser's clock)."""
    local = moment.astimezone(tz)
    return local.hour * 3600 + local.minute * 60 + local.second


def at_local(day: date, seconds: int, tz: ZoneInfo = DEFAULT_TZ) -> datetime:
    """Aware timestamp of `seconds` after local midnight of `day`."""
    base = datetime.combine(day, time(0), tzinfo=tz)
    return base.fromtimestamp(base.timestamp() + seconds, tz)
