"""Time travel matrices, the weekly agenda and re-planning on realistic São Paulo data.

    python bench/travel_replan.py [--seeds 20] [--weeks 5]

* a 62-node geodesic matrix: our vectorised provider (cold), the same behind the LRU cache
  (hit), geopy's exact geodesic pair by pair (the reference it is validated against) and
  OSRM's JSON over HTTP from the test server on 127.0.0.1;
* ``plan_week`` for a 300-customer portfolio around the rep's zone (Mon–Fri, default
  settings: 0.5 s of solver per day);
* ``replan_rest_of_day`` for a day of 60 candidates, at 11:00 with 3 visits done and 2 pins.

Prints p50/p95 and the machine's core count: compare figures within one run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geopy.distance import geodesic  # noqa: E402

from optimizer.agenda import AgendaCustomer, WorkDay, plan_week, weekly_opening  # noqa: E402
from optimizer.model import (  # noqa: E402
    Candidate,
    DayProblem,
    Location,
    LunchBreak,
    RepDay,
    TimeWindow,
)
from optimizer.replan import replan_rest_of_day  # noqa: E402
from optimizer.routing import solve_day  # noqa: E402
from optimizer.travel import (  # noqa: E402
    CachedProvider,
    GeodesicProvider,
    OsrmProvider,
    day_locations,
)
from tests.support.osrm_server import running_osrm_server  # noqa: E402

H = 3600
NEIGHBOURHOODS = Path("/work/shared/design/sao-paulo-neighbourhoods.csv")
ZONES = ("Oeste", "Centro")
MONDAY = dt.date(2026, 11, 23)


def places() -> list[tuple[float, float, float]]:
    """Return (lat, lon, radius_km) of the neighbourhoods in the rep's zones."""
    with NEIGHBOURHOODS.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["zone"] in ZONES]
    return [(float(r["lat"]), float(r["lon"]), float(r["radius_km"])) for r in rows]


def points(n: int, rng: np.random.Generator) -> list[Location]:
    """Scatter n points uniformly inside the zone's neighbourhood discs."""
    hoods = places()
    out = []
    for _ in range(n):
        lat, lon, radius = hoods[int(rng.integers(len(hoods)))]
        r = radius * np.sqrt(rng.uniform()) / 111.0
        a = rng.uniform(0, 2 * np.pi)
        out.append(Location(lat + r * np.sin(a), lon + r * np.cos(a) / np.cos(np.radians(lat))))
    return out


def rep_day() -> RepDay:
    """Return the rep's template: 8–18 h from Pinheiros, 9 h of work, lunch 12–13:30."""
    base = Location(-23.5670, -46.6933)
    return RepDay(base, base, 8 * H, 18 * H, 9 * H, LunchBreak(12 * H, 13 * H + 1800, H))


def portfolio(n: int, seed: int) -> list[AgendaCustomer]:
    """Return a steady-state portfolio: 5 % weekly, 15 % biweekly, 80 % monthly."""
    rng = np.random.default_rng(seed)
    full = weekly_opening({d: [(8 * H, 18 * H)] for d in range(5)} | {5: [(8 * H, 12 * H)]})
    split = weekly_opening({d: [(8 * H, 12 * H), (13 * H + 1800, 18 * H)] for d in range(5)})
    no_monday = weekly_opening({d: [(9 * H, 17 * H)] for d in range(1, 6)})
    out = []
    for i, loc in enumerate(points(n, rng)):
        freq = int(rng.choice([7, 14, 28], p=[0.05, 0.15, 0.8]))
        opening = (full, split, no_monday)[int(rng.choice(3, p=[0.6, 0.3, 0.1]))]
        delivery = frozenset({int(rng.integers(5))}) if rng.uniform() < 0.3 else frozenset()
        since = None if rng.uniform() < 0.03 else int(rng.integers(0, freq))
        out.append(
            AgendaCustomer(
                f"c{i:03d}",
                loc,
                float(rng.uniform(0.05, 1.0)),
                freq,
                since,
                opening,
                int(rng.choice([900, 1200, 1800, 2400])),
                delivery,
            )
        )
    return out


def day_problem(n: int, seed: int, provider: GeodesicProvider) -> DayProblem:
    """Return a day of n scored candidates (10 % with two windows)."""
    rng = np.random.default_rng(seed)
    rep = rep_day()
    cands = []
    for i, loc in enumerate(points(n, rng)):
        windows = (TimeWindow(8 * H, 17 * H),)
        if rng.uniform() < 0.1:
            windows = (TimeWindow(8 * H, 11 * H), TimeWindow(14 * H, 17 * H))
        cands.append(
            Candidate(
                f"d{i:02d}",
                loc,
                float(rng.uniform(0.1, 1.0)),
                int(rng.choice([900, 1200, 1800])),
                windows,
            )
        )
    matrix = provider.matrix(day_locations(rep, cands), depart_s=rep.start_s)
    return DayProblem(rep, tuple(cands), matrix)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Return wall-clock seconds of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def report(label: str, seconds: list[float]) -> None:
    """Print p50 / p95 / max in milliseconds."""
    s = sorted(seconds)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    print(
        f"{label:<46} n={len(s):>3}  p50 {statistics.median(s) * 1e3:9.2f} ms"
        f"  p95 {p95 * 1e3:9.2f} ms  max {s[-1] * 1e3:9.2f} ms"
    )


def bench_matrix(repeat: int) -> None:
    """Time 62-node matrices: vectorised, cached, geopy pair by pair, OSRM over HTTP."""
    locs = points(62, np.random.default_rng(1))
    provider = GeodesicProvider()
    report(
        "geodesic matrix 62x62, cold",
        timed(lambda: provider.matrix(locs, depart_s=9 * H), repeat),
    )
    cache = CachedProvider(provider)
    cache.matrix(locs, depart_s=9 * H)
    report(
        "geodesic matrix 62x62, cache hit",
        timed(lambda: cache.matrix(locs, depart_s=9 * H), repeat),
    )

    def pairwise() -> None:
        for i, a in enumerate(locs):
            for b in locs[i + 1 :]:
                geodesic((a.lat, a.lon), (b.lat, b.lon))

    report("geopy geodesic pair by pair (reference)", timed(pairwise, 3))
    with running_osrm_server() as server:
        osrm = OsrmProvider(server.base_url)
        report(
            "OSRM /table 62x62 via 127.0.0.1 (fake server)",
            timed(lambda: osrm.matrix(locs), repeat),
        )


def bench_week(weeks: int) -> None:
    """Time plan_week on a 300-customer portfolio, one portfolio per seed."""
    days = [WorkDay(MONDAY + dt.timedelta(days=i), rep_day()) for i in range(5)]
    seconds, visits, left = [], [], []
    for seed in range(weeks):
        customers = portfolio(300, seed)
        provider = CachedProvider(GeodesicProvider())
        t = time.perf_counter()
        agenda = plan_week(days, customers, provider=provider, seed=seed)
        seconds.append(time.perf_counter() - t)
        visits.append(sum(len(d.route.visited_ids) for d in agenda.days))
        left.append(len(agenda.unassigned))
        reasons = Counter(u.reason for u in agenda.unassigned)
        work = [round(d.route.working_s / H, 1) for d in agenda.days]
        print(
            f"  seed {seed}: visits {visits[-1]}, due left out {dict(reasons)}, "
            f"not due {len(agenda.not_due)}, working hours per day {work}"
        )
    report("plan_week, 300 customers, Mon-Fri", seconds)


def bench_replan(seeds: int) -> None:
    """Time replan_rest_of_day on 60-candidate days (matrix included)."""
    provider = GeodesicProvider()
    seconds = []
    for seed in range(seeds):
        problem = day_problem(60, seed, provider)
        first = solve_day(problem, time_limit=dt.timedelta(seconds=1), seed=seed)
        done = first.visited_ids[:3]
        pins = first.visited_ids[-1:] + tuple(d.candidate_id for d in first.dropped[:1])
        here = next(c.location for c in problem.candidates if c.id == done[-1])
        t = time.perf_counter()
        replan_rest_of_day(
            problem,
            first,
            now_s=11 * H,
            current=here,
            provider=provider,
            visited_ids=done,
            pinned_ids=pins,
            seed=seed,
        )
        seconds.append(time.perf_counter() - t)
    report("replan_rest_of_day, 60 candidates (0.5 s limit)", seconds)


def main() -> None:
    """Run the three benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="re-plan days to time")
    parser.add_argument("--weeks", type=int, default=5, help="portfolios to plan")
    parser.add_argument("--repeat", type=int, default=50, help="matrix repetitions")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})")
    bench_matrix(args.repeat)
    bench_week(args.weeks)
    bench_replan(args.seeds)


if __name__ == "__main__":
    main()
