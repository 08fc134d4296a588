"""Time in the solver's units: a rep's working day and customers' opening windows.

Everything is seconds since midnight; an opening-hours document maps weekday names
(``mon``..``sun``) to ``HH:MM`` spans.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import time
from typing import Any

from app.models import WorkProfile
from app.services.routing.config import PlanningError
from optimizer.model import Location, LunchBreak, RepDay, TimeWindow

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def seconds_of(value: time) -> int:
    """Return seconds since midnight of a time of day."""
    return value.hour * 3600 + value.minute * 60 + value.second


def rep_day(profile: WorkProfile | None) -> RepDay:
    """Map a rep's work profile to the solver's day (same shape every working day)."""
    if profile is None:
        raise PlanningError("missing_work_profile")
    if None in (profile.start_lat, profile.start_lon, profile.end_lat, profile.end_lon):
        raise PlanningError("missing_base_position")
    start_s, end_s = seconds_of(profile.day_start), seconds_of(profile.day_end)
    if end_s <= start_s:
        raise PlanningError("day_ends_before_it_starts")
    lunch = None
    if profile.lunch_earliest and profile.lunch_latest and profile.lunch_minutes > 0:
        early, late = seconds_of(profile.lunch_earliest), seconds_of(profile.lunch_latest)
        if start_s <= late and early <= end_s and early <= late:
            lunch = LunchBreak(early, late, profile.lunch_minutes * 60)
    return RepDay(
        start=Location(profile.start_lat, profile.start_lon),  # type: ignore[arg-type]
        end=Location(profile.end_lat, profile.end_lon),  # type: ignore[arg-type]
        start_s=start_s,
        end_s=end_s,
        max_working_s=max(60, min(profile.max_working_minutes * 60, end_s - start_s)),
        lunch=lunch,
    )


def _clock(text: str) -> int:
    """Parse ``HH:MM`` (or ``HH:MM:SS``) to seconds since midnight."""
    parts = [int(p) for p in str(text).split(":")]
    hours, minutes, seconds = ([*parts, 0, 0])[:3]
    return hours * 3600 + minutes * 60 + seconds


HoursKey = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def _hours_key(opening_hours: Mapping[str, Any] | None) -> HoursKey:
    """Return a hashable copy of an opening-hours document (most customers share a few)."""
    return tuple(
        (day, tuple((str(a), str(b)) for a, b in spans or ()))
        for day, spans in sorted((opening_hours or {}).items())
    )


@functools.lru_cache(maxsize=4096)
def _week_table(key: HoursKey) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Return the sorted, merged opening intervals of each weekday (Monday first).

    An empty document means "no restriction" (the customer takes visits whenever the
    rep works); in a non-empty one, a weekday without intervals is closed.
    """
    if not key:
        return tuple(((0, 24 * 3600),) for _ in WEEKDAYS)
    doc = dict(key)
    week = []
    for name in WEEKDAYS:
        merged: list[tuple[int, int]] = []
        for a, b in sorted((_clock(a), _clock(b)) for a, b in doc.get(name, ())):
            if b <= a:
                continue
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        week.append(tuple(merged))
    return tuple(week)


def week_intervals(
    opening_hours: Mapping[str, Any] | None,
) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Return the opening intervals of all seven weekdays at once (Monday first)."""
    return _week_table(_hours_key(opening_hours))


def opening_intervals(
    opening_hours: Mapping[str, Any] | None, weekday: int
) -> list[tuple[int, int]]:
    """Return the day's opening intervals, sorted and merged (empty: closed that day)."""
    return list(_week_table(_hours_key(opening_hours))[weekday])


def service_windows(
    opening_hours: Mapping[str, Any] | None, weekday: int, service_s: int
) -> tuple[TimeWindow, ...]:
    """Return up to two windows for the START of a visit that ends before closing."""
    out = [
        TimeWindow(a, b - service_s)
        for a, b in opening_intervals(opening_hours, weekday)
        if b - service_s >= a
    ]
    if len(out) > 2:  # the solver takes two: keep the first and stretch over the rest
        out = [out[0], TimeWindow(out[1].start_s, out[-1].end_s)]
    return tuple(out)
