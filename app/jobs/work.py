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
from optimizer.visit_calendar import (
    CalendarCustomer,
    CalendarRep,
    CalendarSettings,
    CalendarSolution,
    solve_calendar,
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
        route = solve_day(
            work.problem, time_limit=timedelta(seconds=work.day_seconds), seed=work.seed
        )
        week = solve_week(work, route)
    except Exception as exc:  # one rep's failure must not stop the others
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return RepResult(work.user_id, None, None, time.perf_counter() - started, detail[:2000])
    return RepResult(work.user_id, route, week, time.perf_counter() - started)


@dataclass(frozen=True)
class CalendarWork:
    """One rep's visit calendar to (re)compute: his portfolio, cycle and the company's rules."""

    user_id: int
    customers: tuple[CalendarCustomer, ...]
    rep: CalendarRep
    settings: CalendarSettings


@dataclass(frozen=True)
class CalendarResult:
    """The calendar found (or why none), the customers left out with their reason, time spent."""

    user_id: int
    solution: CalendarSolution | None
    seconds: float
    left_out: tuple[tuple[str, str], ...] = ()
    error: str | None = None


def solve_calendar_work(work: CalendarWork) -> CalendarResult:
    """Solve one rep's calendar; never raises, the error travels in the result.

    A customer that fits no slot (closed on every working day, no delivery fit under the
    hard rule, a pin no longer allowed) is left out and reported, and the rest is solved: one
    customer's conflict never blocks the rep's whole calendar.
    """
    started = time.perf_counter()
    try:
        solution = solve_calendar(work.customers, work.rep, work.settings)
        left_out: list[tuple[str, str]] = []
        if solution.status == "infeasible" and all(c.customer_id for c in solution.conflicts):
            left_out = [(str(c.customer_id), c.reason) for c in solution.conflicts]
            blocked = {cid for cid, _reason in left_out}
            rest = tuple(c for c in work.customers if c.id not in blocked)
            solution = solve_calendar(rest, work.rep, work.settings)
    except Exception as exc:  # one rep's failure must not stop the others
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return CalendarResult(work.user_id, None, time.perf_counter() - started, (), detail[:2000])
    return CalendarResult(work.user_id, solution, time.perf_counter() - started, tuple(left_out))


Work = RepWork | CalendarWork
Result = RepResult | CalendarResult


def run(work: Work) -> Result:
    """Solve any unit of work: a rep's day (and week) or a rep's calendar."""
    if isinstance(work, CalendarWork):
        return solve_calendar_work(work)
    return solve(work)
