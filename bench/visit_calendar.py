"""Compare the CP-SAT visit calendar with today's score-driven agenda over four weeks.

    python bench/visit_calendar.py [--portfolios 3] [--customers 300] [--time-limit 30]
        [--zones Oeste,Centro] [--first-seed 0]

Each portfolio is one rep in São Paulo's west and centre with 300 customers (10 % weekly,
20 % fortnightly, 70 % monthly), opening days (Mon-Fri, Mon-Sat morning, Tue-Sat, split
hours), 10-25 min visits and delivery weekdays by neighbourhood (lead time one day). The rep
works Mon-Fri 8-18 h, 9 h at most, lunch 1 h. ``--zones`` draws the portfolios from other
zones of the city (e.g. ``Leste,Norte``: wider, sparser territories), the rep's base then at
their neighbourhoods' mean; ``--first-seed`` picks other portfolios of the same shape.

* **calendar**: :func:`optimizer.visit_calendar.solve_calendar` (2 CP-SAT workers), then
  each of the 20 days routed with :func:`optimizer.routing.solve_day`;
* **agenda**: :func:`optimizer.agenda.plan_week` four times, each week starting from the
  visits the previous weeks made (history before the first week drawn at steady state).

Figures per method, averaged over the portfolios:

* ``on_time``: share of due visits made (a customer visited every f days is due once in each
  f-day window of the four weeks: weekly 4, fortnightly 2, monthly 1), routed visits only;
* ``imbalance_min``: max minus min daily workload (service plus driving of the routed day,
  the issue's "service time plus travel"), minutes; the per-portfolio lines also show
  ``working_spread_min``, the same spread of the routed working time, which adds the idle
  waits the day router leaves before customers that open later (split hours);
* ``km``: total driving km of the 20 routed days;
* ``delivery_fit``: share of routed visits whose order reaches the next delivery day without
  waiting past the lead time;
* ``gap`` (calendar only): CP-SAT's relative gap; ``seconds``: the calendar's solve, or the
  agenda's four ``plan_week`` calls (day assignment and routing are one step there).

The last line is one JSON object. Prints the core count and load average: compare the two
methods within one run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# This file shadows the standard library's ``calendar`` (which email, http.cookiejar and
# others import) while its folder heads sys.path: swap the folder for the project root
# before any third-party import.
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

import numpy as np  # noqa: E402

from optimizer.agenda import (  # noqa: E402
    AgendaCustomer,
    WorkDay,
    delivery_wait_days,
    plan_week,
    weekly_opening,
)
from optimizer.model import Candidate, DayProblem, DayRoute, Location, LunchBreak, RepDay  # noqa: E402
from optimizer.routing import solve_day  # noqa: E402
from optimizer.travel import CachedProvider, GeodesicProvider, day_locations  # noqa: E402
from optimizer.visit_calendar import (  # noqa: E402
    CalendarCustomer,
    CalendarRep,
    CalendarSettings,
    solve_calendar,
)

H = 3600
NEIGHBOURHOODS = Path("/work/shared/design/sao-paulo-neighbourhoods.csv")
ZONES = ("Oeste", "Centro")
MONDAY = dt.date(2026, 11, 30)
WEEKS = 4
LEAD_DAYS = 1
CADENCES = (("weekly", 7, 0.1), ("fortnightly", 14, 0.2), ("monthly", 28, 0.7))
# Trucks serve each neighbourhood on fixed weekdays: one to three a week.
DELIVERY_PLANS = ((1, 4), (2,), (3,), (0, 3), (4,), (1,), (2, 4), (0, 2, 4), (3,), (1, 3))
DAY_LIMIT = dt.timedelta(seconds=0.5)


@dataclass(frozen=True, slots=True)
class Customer:
    """One bench customer, seen by both methods."""

    agenda: AgendaCustomer
    calendar: CalendarCustomer
    frequency: int


def neighbourhoods(zones: Sequence[str] = ZONES) -> list[tuple[float, float, float]]:
    """Return (lat, lon, radius_km) of the neighbourhoods in the rep's zones."""
    with NEIGHBOURHOODS.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["zone"] in zones]
    if not rows:
        raise SystemExit(f"no neighbourhood in zones {', '.join(zones)}")
    return [(float(r["lat"]), float(r["lon"]), float(r["radius_km"])) for r in rows]


def rep_day(zones: Sequence[str] = ZONES) -> RepDay:
    """Return the rep's template: 8-18 h, 9 h of work, lunch 12-13:30, from Pinheiros (the
    default zones) or the mean of the zones' neighbourhoods."""
    if tuple(zones) == ZONES:
        base = Location(-23.5670, -46.6933)
    else:
        hoods = neighbourhoods(zones)
        base = Location(
            statistics.fmean(h[0] for h in hoods), statistics.fmean(h[1] for h in hoods)
        )
    return RepDay(base, base, 8 * H, 18 * H, 9 * H, LunchBreak(12 * H, 13 * H + 1800, H))


def openings() -> list[tuple[tuple[tuple[object, ...], ...], float]]:
    """Return the opening-hour templates and their shares."""
    full = weekly_opening({d: [(8 * H, 18 * H)] for d in range(5)})
    saturday = weekly_opening({d: [(8 * H, 18 * H)] for d in range(5)} | {5: [(8 * H, 12 * H)]})
    no_monday = weekly_opening({d: [(9 * H, 17 * H)] for d in range(1, 6)})
    split = weekly_opening({d: [(8 * H, 12 * H), (14 * H, 18 * H)] for d in range(5)})
    return [(full, 0.55), (saturday, 0.2), (no_monday, 0.15), (split, 0.1)]


def portfolio(n: int, seed: int, zones: Sequence[str] = ZONES) -> list[Customer]:
    """Return n customers scattered over the zones' neighbourhoods."""
    rng = np.random.default_rng(seed)
    hoods = neighbourhoods(zones)
    plans = [DELIVERY_PLANS[int(k)] for k in rng.permutation(len(DELIVERY_PLANS))]
    templates = openings()
    out = []
    for i in range(n):
        h = int(rng.integers(len(hoods)))
        lat, lon, radius = hoods[h]
        r = radius * np.sqrt(rng.uniform()) / 111.0
        a = rng.uniform(0, 2 * np.pi)
        loc = Location(
            float(lat + r * np.sin(a)), float(lon + r * np.cos(a) / np.cos(np.radians(lat)))
        )
        k = int(rng.choice(len(CADENCES), p=[c[2] for c in CADENCES]))
        cadence, freq = CADENCES[k][0], CADENCES[k][1]
        opening = templates[int(rng.choice(len(templates), p=[t[1] for t in templates]))][0]
        service = int(rng.choice([600, 900, 1200, 1500], p=[0.3, 0.35, 0.25, 0.1]))
        delivery = frozenset(plans[h % len(plans)])
        agenda = AgendaCustomer(
            f"c{i:03d}",
            loc,
            float(rng.uniform(0.05, 1.0)),
            freq,
            int(rng.integers(0, freq)),
            opening,  # type: ignore[arg-type]
            service,
            delivery,
        )
        open_days = frozenset(d for d in range(7) if agenda.service_windows(d))
        calendar = CalendarCustomer(agenda.id, loc, cadence, open_days, service, delivery)  # type: ignore[arg-type]
        out.append(Customer(agenda, calendar, freq))
    return out


def work_days(zones: Sequence[str] = ZONES) -> list[WorkDay]:
    """Return the four weeks' working dates (Mon-Fri)."""
    rep = rep_day(zones)
    return [
        WorkDay(MONDAY + dt.timedelta(days=7 * w + d), rep) for w in range(WEEKS) for d in range(5)
    ]


@dataclass(frozen=True, slots=True)
class Outcome:
    """The four weeks of one method on one portfolio."""

    routes: dict[dt.date, DayRoute]
    seconds: float
    gap: float | None = None
    cpu_seconds: float | None = None


def run_calendar(
    customers: Sequence[Customer],
    time_limit: float,
    seed: int,
    deterministic: bool,
    zones: Sequence[str] = ZONES,
) -> Outcome:
    """Solve the calendar, then route each of its days."""
    rep = rep_day(zones)
    capacity = min(rep.max_working_s, rep.end_s - rep.start_s - H)
    cal_rep = CalendarRep(rep.start, MONDAY, (capacity,) * 5 + (0, 0))
    settings = CalendarSettings(
        lead_time_days=LEAD_DAYS,
        time_limit=dt.timedelta(seconds=time_limit),
        workers=2,
        seed=seed,
        deterministic=deterministic,
    )
    cpu = time.process_time()
    solution = solve_calendar([c.calendar for c in customers], cal_rep, settings)
    cpu = time.process_time() - cpu
    if solution.status not in ("optimal", "feasible"):
        raise SystemExit(f"calendar {solution.status}: {solution.conflicts}")
    by_id = {c.agenda.id: c.agenda for c in customers}
    provider = CachedProvider(GeodesicProvider())
    routes = {}
    for day in solution.days:
        cands = tuple(
            Candidate(
                cid,
                by_id[cid].location,
                max(by_id[cid].priority, 0.01),
                by_id[cid].service_s,
                by_id[cid].service_windows(day.weekday),
            )
            for cid in day.customer_ids
        )
        matrix = provider.matrix(day_locations(rep, cands), depart_s=None)
        problem = DayProblem(rep, cands, matrix)
        routes[day.date] = solve_day(problem, time_limit=DAY_LIMIT, seed=seed)
    return Outcome(routes, solution.seconds, solution.gap, cpu)


def run_agenda(customers: Sequence[Customer], seed: int, zones: Sequence[str] = ZONES) -> Outcome:
    """Plan four weeks with the score-driven agenda, each week from the visits made."""
    days = work_days(zones)
    provider = CachedProvider(GeodesicProvider())
    last = {
        c.agenda.id: MONDAY - dt.timedelta(days=c.agenda.days_since_visit or 0) for c in customers
    }
    routes: dict[dt.date, DayRoute] = {}
    seconds = 0.0
    for w in range(WEEKS):
        week = days[5 * w : 5 * w + 5]
        monday = week[0].date
        current = [_replace_since(c.agenda, (monday - last[c.agenda.id]).days) for c in customers]
        t = time.perf_counter()
        plan = plan_week(week, current, provider=provider, as_of=monday, seed=seed + w)
        seconds += time.perf_counter() - t
        for d in plan.days:
            routes[d.date] = d.route
            for cid in d.route.visited_ids:
                last[cid] = d.date
    return Outcome(routes, seconds)


def _replace_since(c: AgendaCustomer, days: int) -> AgendaCustomer:
    """Return ``c`` with its days since the last visit counted on a new date."""
    return AgendaCustomer(
        c.id,
        c.location,
        c.priority,
        c.frequency_days,
        days,
        c.opening,
        c.service_s,
        c.delivery_weekdays,
    )


def workload_s(route: DayRoute) -> int:
    """Return a routed day's workload: service plus driving (the issue's definition)."""
    service = sum(s.departure_s - s.start_s for s in route.stops if s.kind == "visit")
    return service + route.driving_s


def figures(customers: Sequence[Customer], out: Outcome) -> dict[str, float]:
    """Return on_time, imbalance_min, km and delivery_fit of one method's four weeks."""
    visits: dict[str, list[dt.date]] = {}
    for date, route in out.routes.items():
        for cid in route.visited_ids:
            visits.setdefault(cid, []).append(date)
    due = made = 0
    fit = total = 0
    for c in customers:
        dates = visits.get(c.agenda.id, [])
        for k in range(WEEKS * 7 // c.frequency):
            lo = MONDAY + dt.timedelta(days=k * c.frequency)
            hi = lo + dt.timedelta(days=c.frequency)
            due += 1
            made += any(lo <= d < hi for d in dates)
        for d in dates:
            total += 1
            wait = delivery_wait_days(d, c.agenda.delivery_weekdays, LEAD_DAYS)
            fit += wait == 0
    work = [workload_s(r) for r in out.routes.values()]
    working = [r.working_s for r in out.routes.values()]
    return {
        "on_time": made / due,
        "imbalance_min": (max(work) - min(work)) / 60.0,
        "working_spread_min": (max(working) - min(working)) / 60.0,
        "km": sum(r.total_m for r in out.routes.values()) / 1000.0,
        "delivery_fit": fit / max(total, 1),
    }


def main() -> None:
    """Run both methods on each portfolio and print the figures, then the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", type=int, default=3)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=30.0, help="calendar seconds")
    parser.add_argument(
        "--deterministic",
        action="store_true",
        help="budget CP-SAT in deterministic time (load-independent) instead of wall seconds",
    )
    parser.add_argument("--zones", default=",".join(ZONES), help="comma-separated zones")
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args()
    zones = tuple(z.strip() for z in args.zones.split(",") if z.strip())
    print(f"zones: {', '.join(zones)}; portfolios from seed {args.first_seed}")
    print(f"cores: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})")
    print(f"load average before: {os.getloadavg()}")
    rows: dict[str, list[dict[str, float]]] = {"calendar": [], "agenda": []}
    for seed in range(args.first_seed, args.first_seed + args.portfolios):
        customers = portfolio(args.customers, seed, zones)
        cal = run_calendar(customers, args.time_limit, seed, args.deterministic, zones)
        agenda = run_agenda(customers, seed, zones)
        for name, out in (("calendar", cal), ("agenda", agenda)):
            row = figures(customers, out) | {"seconds": out.seconds}
            if out.gap is not None and out.cpu_seconds is not None:
                row["gap"] = out.gap
                row["cpu_seconds"] = out.cpu_seconds
            rows[name].append(row)
            shown = ", ".join(f"{k} {v:.3f}" for k, v in row.items())
            print(f"  portfolio {seed} {name:<8} {shown}", flush=True)
    print(f"load average after: {os.getloadavg()}")
    keys = {
        "calendar": ("on_time", "imbalance_min", "km", "delivery_fit", "gap", "seconds"),
        "agenda": ("on_time", "imbalance_min", "km", "delivery_fit", "seconds"),
    }
    result: dict[str, object] = {"portfolios": args.portfolios}
    for name, names in keys.items():
        result[name] = {k: round(statistics.mean(r[k] for r in rows[name]), 4) for k in names}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
