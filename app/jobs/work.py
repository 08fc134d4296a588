"""The unit of planning work a solver process receives: pure dataclasses, no database.

The parent builds a :class:`RepWork` from the database (problem with its travel matrix, the
week's customers), a local process or a Celery worker turns it into a :class:`RepResult`,
and the parent writes the result. Nothing here imports Flask or SQLAlchemy, so a worker on
another machine needs only the code and the optimiser.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import date, timedelta

from optimizer.agenda import (
    AgendaCustomer,
    AgendaSettings,
    WeekAgenda,
    WorkDay,
    plan_week,
)
from optimizer.model import DayProblem, DayRoute
from optimizer.routing import solve_day
from optimizer.travel import (
    CachedProvider,
    GeodesicProvider,
    OsrmProvider,
    TravelProvider,
)

_providers: dict[str | None, TravelProvider] = {}
_providers_lock = threading.Lock()


def travel_provider(osrm_url: str | None) -> TravelProvider:
    """Return the process-wide cached provider: OSRM when a URL is set, else geodesic."""
    with _providers_lock:
        found = _providers.get(osrm_url)
        if found is None:
            inner: TravelProvider = OsrmProvider(osrm_url) if osrm_url else GeodesicProvider()
            found = _providers[osrm_url] = CachedProvider(inner, max_entries=512)
        return found


@dataclass(frozen=True)
class WeekWork:
    """Inputs of the rep's week agenda (the planned day is passed in as frozen)."""

    days: tuple[WorkDay, ...]
    customers: tuple[AgendaCustomer, ...]
    frozen: tuple[tuple[date, DayRoute], ...] = ()
    seconds_per_day: float = 0.25


@dataclass(frozen=True)
class RepWork:
    """One rep's night: the day problem (matrix included) and, optionally, the week."""

    user_id: int
    day: date
    problem: DayProblem
    day_seconds: float = 0.5
    week: WeekWork | None = None
    osrm_url: str | None = None
    seed: int = 0
    context: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RepResult:
    """What came back: the day route, the week agenda, time spent, or the error."""

    user_id: int
    route: DayRoute | None
    week: WeekAgenda | None
    seconds: float
    error: str | None = None


def solve_week(work: RepWork, route: DayRoute) -> WeekAgenda | None:
    """Plan the days after ``work.day`` around the day route just solved."""
    week = work.week
    if week is None or len(week.days) < 2:
        return None
    frozen = dict(week.frozen)
    frozen[work.day] = route
    return plan_week(
        week.days,
        week.customers,
        provider=travel_provider(work.osrm_url),
        as_of=work.day,
        frozen=frozen,
        settings=AgendaSettings(time_limit_per_day=timedelta(seconds=week.seconds_per_day)),
        seed=work.seed,
    )


def solve(work: RepWork) -> RepResult:
    """Solve one rep's day (and week); never raises, the error travels in the result."""
    started = time.perf_counter()
    try:
        route = solve_day(work.problem, time_limit=timedelta(seconds=work.day_seconds), seed=work.seed)
        week = solve_week(work, route)
    except Exception as exc:  # one rep's failure must not stop the others
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return RepResult(work.user_id, None, None, time.perf_counter() - started, detail[:2000])
    return RepResult(work.user_id, route, week, time.perf_counter() - started)
