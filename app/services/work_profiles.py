"""A rep's work profile in the words of imports, the API and the user page: keys, defaults, rules.

The keys (``work_days``, ``day_start`` ...) are the ones the users import, its export and
the REST API use; this module maps them to the ``WorkProfile`` columns, fills what a new
profile leaves out, and checks a profile as a whole, so every entry point applies the same
rules. The lunch window is where the whole break fits: the break starts at
``lunch_start`` at the earliest and ends by ``lunch_end``, lasting ``lunch_minutes``
(stored as the latest start, which is what the route optimiser takes). The base is where
the day starts and ends; it may be an address without coordinates until it is geocoded
(routing needs the coordinates).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from app.models import Role, WorkProfile

KEYS = (
    "work_days",
    "day_start",
    "day_end",
    "lunch_start",
    "lunch_end",
    "lunch_minutes",
    "max_work_minutes",
    "base_latitude",
    "base_longitude",
    "base_address",
)
# Who has a work profile: people who work a portfolio day by day.
ROLES = (Role.REP, Role.TELESALES)
MAX_LUNCH_MINUTES = 240
MAX_DAY_MINUTES = 24 * 60

_SAME_NAME = ("day_start", "day_end", "lunch_minutes")
_COLUMNS = {
    "work_days": "working_weekdays",
    "max_work_minutes": "max_working_minutes",
    "base_latitude": "start_lat",
    "base_longitude": "start_lon",
    "base_address": "start_address",
}


def _column_default(name: str) -> Any:
    default = WorkProfile.__table__.c[name].default
    return None if default is None else default.arg


def defaults() -> dict[str, Any]:
    """What a new profile gets for each key it is not given (the model's defaults, no base)."""
    values = {
        key: _column_default(_COLUMNS.get(key, key))
        for key in (*_SAME_NAME, "work_days", "max_work_minutes")
    }
    start, latest = _column_default("lunch_earliest"), _column_default("lunch_latest")
    values.update(
        lunch_start=start,
        lunch_end=_plus(latest, values["lunch_minutes"]),
        base_latitude=None,
        base_longitude=None,
        base_address=None,
    )
    return values


def _plus(moment: time | None, minutes: int) -> time | None:
    if moment is None:
        return None
    later = datetime.combine(datetime.min, moment) + timedelta(minutes=minutes)
    return later.time() if later.date() == datetime.min.date() else time(23, 59)


def _minus(moment: time | None, minutes: int) -> time | None:
    if moment is None:
        return None
    earlier = datetime.combine(datetime.min.date() + timedelta(days=1), moment) - timedelta(
        minutes=minutes
    )
    return earlier.time()


def values_of(profile: WorkProfile) -> dict[str, Any]:
    """A stored profile as key -> value."""
    values = {key: getattr(profile, _COLUMNS.get(key, key)) for key in (*_SAME_NAME, *_COLUMNS)}
    values["lunch_start"] = profile.lunch_earliest
    values["lunch_end"] = _plus(profile.lunch_latest, profile.lunch_minutes or 0)
    return values


def model_values(values: dict[str, Any]) -> dict[str, Any]:
    """The ``WorkProfile`` column values of a complete, checked profile (the base is
    start and end)."""
    out = {_COLUMNS.get(key, key): values[key] for key in (*_SAME_NAME, *_COLUMNS)}
    out.update(
        end_lat=values["base_latitude"],
        end_lon=values["base_longitude"],
        end_address=values["base_address"],
        lunch_earliest=values["lunch_start"],
        lunch_latest=_minus(values["lunch_end"], values["lunch_minutes"] or 0),
    )
    return out


def problems(values: dict[str, Any]) -> list[tuple[str, Any]]:
    """What is wrong with a complete profile, as (key, message) pairs (empty when it is usable)."""
    found: list[tuple[str, Any]] = []
    if not values["work_days"]:
        found.append(("work_days", _l("at least one working weekday")))
    start, end = values["day_start"], values["day_end"]
    if start >= end:
        found.append(("day_end", _l("the day must end after it starts")))
    else:
        found += _lunch_problems(values)
    if not 1 <= values["max_work_minutes"] <= MAX_DAY_MINUTES:
        found.append(("max_work_minutes", _l("between 1 and 1440 minutes")))
    if (values["base_latitude"] is None) != (values["base_longitude"] is None):
        found.append(("base_longitude", _l("give both base latitude and longitude, or neither")))
    return found


def _lunch_problems(values: dict[str, Any]) -> list[tuple[str, Any]]:
    lunch_start, lunch_end, minutes = (
        values["lunch_start"],
        values["lunch_end"],
        values["lunch_minutes"],
    )
    if not 0 <= minutes <= MAX_LUNCH_MINUTES:
        return [("lunch_minutes", _l("between 0 and 240 minutes"))]
    if (lunch_start is None) != (lunch_end is None):
        return [("lunch_end", _l("give both ends of the lunch window, or neither"))]
    if lunch_start is None:
        return []
    if not values["day_start"] <= lunch_start < lunch_end <= values["day_end"]:
        return [("lunch_end", _l("the lunch window must lie within the working day"))]
    window = datetime.combine(datetime.min, lunch_end) - datetime.combine(datetime.min, lunch_start)
    if window < timedelta(minutes=minutes):
        return [("lunch_minutes", _l("the lunch break is longer than its window"))]
    return []
