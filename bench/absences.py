"""Cover absent reps' must-do visits: quality and time at 8 and 200 reps (issue 17 item 2).

    python bench/absences.py [--reps 8 200] [--seeds 3] [--seconds 2 5] [--stops 11]
                             [--absent-share 0.05] [--max-added N]

A synthetic company on São Paulo's neighbourhoods (``sao-paulo-neighbourhoods.csv``): each rep
has a base in a neighbourhood and a planned day of ``--stops`` visits of 25 minutes around it
(nearest-neighbour order, trimmed until the project's own ``route_in_order`` fits it in the day:
08–18 h, lunch 11:30–13:30). One rep in twenty is away (``--absent-share``, at least one); each
absent rep leaves 11 must-do visits around his base: 1 appointment (a one-hour window),
2 collection, 2 rescue cases, 6 urgent others, and the telesales list takes 10 calls per
absent rep.

Compared on the same instances:

* ``ortools``: :func:`optimizer.absence_cover.solve_cover` (one multi-tour model, guided local
  search for the given seconds), the production path;
* ``descent``: the same model stopped at OR-Tools' first local optimum;
* ``greedy``: most valuable visit first, each to the cheapest feasible insertion among its
  4 nearest receiving days (re-timed with ``route_in_order``), no re-optimisation.

Figures: share of must-do visits a rep takes (``visit``), covered by a rep or a call
(``covered``), appointments kept, added km and added minutes of effort (driving + service)
per visit taken, and wall time. Prints the core count and load: compare within one run.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.absence_cover import (  # noqa: E402
    CoverPlan,
    CoverProblem,
    CoverSettings,
    OrphanVisit,
    ReceivingDay,
    neighbours,
    solve_cover,
)
from optimizer.checker import check_day  # noqa: E402
from optimizer.model import (  # noqa: E402
    Candidate,
    DayProblem,
    Location,
    LunchBreak,
    RepDay,
    TimeWindow,
)
from optimizer.sequence import LUNCH, route_in_order  # noqa: E402
from optimizer.travel import CachedProvider, GeodesicProvider  # noqa: E402

H, M = 3600, 60
NEIGHBOURHOODS = Path("/work/shared/design/sao-paulo-neighbourhoods.csv")
OPEN = (TimeWindow(8 * H, 17 * H + 30 * M),)
KINDS = ("appointment",) + ("collection",) * 2 + ("rescue",) * 2 + ("urgent",) * 6


def places() -> list[tuple[float, float, float]]:
    with NEIGHBOURHOODS.open(encoding="utf-8") as fh:
        return [
            (float(r["lat"]), float(r["lon"]), float(r["radius_km"])) for r in csv.DictReader(fh)
        ]


def near(rng: random.Random, lat: float, lon: float, km: float) -> Location:
    return Location(lat + rng.uniform(-km, km) / 111.0, lon + rng.uniform(-km, km) / 102.0)


def rep_day(base: Location) -> RepDay:
    return RepDay(base, base, 8 * H, 18 * H, 9 * H, LunchBreak(11 * H + 30 * M, 13 * H + 30 * M, H))


def planned_day(
    rid: str, base: Location, rng: random.Random, provider: GeodesicProvider, count: int
) -> ReceivingDay:
    """``count`` customers around the base, nearest-neighbour order, trimmed until it fits."""
    stops = [
        Candidate(f"{rid}-s{i}", near(rng, base.lat, base.lon, 3.0), 10.0, 25 * M, OPEN)
        for i in range(count)
    ]
    order, here, left = [], base, list(stops)
    while left:
        nxt = min(
            left, key=lambda c: (c.location.lat - here.lat) ** 2 + (c.location.lon - here.lon) ** 2
        )
        order.append(nxt)
        left.remove(nxt)
        here = nxt.location
    while order:
        day = rep_day(base)
        points = [base, base, *(c.location for c in order)]
        problem = DayProblem(day, tuple(order), provider.matrix(points))
        if any(
            (
                r := route_in_order(
                    problem, [*[c.id for c in order[:k]], LUNCH, *[c.id for c in order[k:]]]
                )
            )
            is not None
            and len(r.visited_ids) == len(order)
            for k in range(len(order) + 1)
        ):
            break
        order.pop()
    return ReceivingDay(rid, rep_day(base), tuple(order))


def instance(
    reps: int,
    seed: int,
    seconds: float,
    stops: int = 11,
    absent_share: float = 0.05,
    max_added: int | None = None,
) -> CoverProblem:
    rng = random.Random(seed)
    provider = GeodesicProvider()
    hoods = places()
    bases = []
    for r in range(reps):
        lat, lon, radius = hoods[r % len(hoods)]
        bases.append(near(rng, lat, lon, radius))
    absent = set(rng.sample(range(reps), max(1, round(reps * absent_share))))
    days = tuple(
        planned_day(f"r{r}", bases[r], rng, provider, stops) for r in range(reps) if r not in absent
    )
    visits = []
    for r in sorted(absent):
        for k, kind in enumerate(KINDS):
            where = near(rng, bases[r].lat, bases[r].lon, 3.0)
            if kind == "appointment":
                start = rng.choice([9, 10, 14, 15]) * H
                windows: tuple[TimeWindow, ...] = (TimeWindow(start, start + H),)
            else:
                windows = OPEN
            visits.append(
                OrphanVisit(
                    Candidate(
                        f"a{r}-v{k}",
                        where,
                        round(rng.uniform(20, 90), 1),
                        30 * M if kind == "appointment" else 20 * M,
                        windows,
                        appointment=kind == "appointment",
                    ),
                    kind,  # type: ignore[arg-type]
                    by_phone=kind != "appointment",
                )
            )
    settings = CoverSettings(
        phone_capacity=10 * len(absent),
        max_added=max_added,
        time_limit=timedelta(seconds=seconds),
        seed=seed,
    )
    return CoverProblem(days, tuple(visits), settings)


# --------------------------------------------------------------------------- greedy baseline


@dataclass
class GreedyResult:
    placed: dict[str, str]
    added_m: int
    added_s: int
    seconds: float


def _timed(day: ReceivingDay, cands: list[Candidate], order: list[str], provider: CachedProvider):  # type: ignore[no-untyped-def]
    """Time a day in this order (lunch wherever it fits first); None unless every stop fits."""
    pts = [day.rep.start, day.rep.end, *(c.location for c in (*day.stops, *cands))]
    prob = DayProblem(day.rep, (*day.stops, *cands), provider.matrix(pts))
    for k in range(len(order) + 1):
        route = route_in_order(prob, [*order[:k], LUNCH, *order[k:]])
        if route is not None and len(route.visited_ids) == len(order):
            return route
    return None


def _best_insertion(
    problem: CoverProblem,
    visit: OrphanVisit,
    days: list[int],
    orders: dict[str, list[str]],
    extra: dict[str, list[Candidate]],
    provider: CachedProvider,
) -> tuple[int, str, list[str]] | None:
    """The cheapest feasible (added metres, day, order) for one visit, or None."""
    best = None
    for index in days:
        day = problem.days[index]
        current = _timed(day, extra[day.id], orders[day.id], provider)
        if current is None:
            continue
        for pos in range(len(orders[day.id]) + 1):
            order = [*orders[day.id][:pos], visit.id, *orders[day.id][pos:]]
            route = _timed(day, [*extra[day.id], visit.candidate], order, provider)
            if route is not None and (best is None or route.total_m - current.total_m < best[0]):
                best = (route.total_m - current.total_m, day.id, order)
    return best


def greedy(problem: CoverProblem, provider: CachedProvider) -> GreedyResult:
    """Cheapest feasible insertion, most valuable visit first, on the 4 nearest days."""
    started = time.perf_counter()
    allowed = neighbours(problem, range(len(problem.days)))
    orders = {d.id: [s.id for s in d.stops] for d in problem.days}
    extra: dict[str, list[Candidate]] = {d.id: [] for d in problem.days}
    worth = dict(problem.settings.worth_m)
    placed: dict[str, str] = {}
    cap = problem.settings.max_added
    for v in sorted(problem.visits, key=lambda v: (-worth[v.kind], -v.candidate.prize, v.id)):
        days = [d for d in allowed[v.id] if cap is None or len(extra[problem.days[d].id]) < cap]
        best = _best_insertion(problem, v, days, orders, extra, provider)
        if best is not None:
            _, day_id, orders[day_id] = best
            extra[day_id].append(v.candidate)
            placed[v.id] = day_id
    added_m = added_s = 0
    for d in problem.days:
        if extra[d.id]:
            before = _timed(d, [], [s.id for s in d.stops], provider)
            after = _timed(d, extra[d.id], orders[d.id], provider)
            assert before is not None
            assert after is not None
            added_m += after.total_m - before.total_m
            service = sum(c.service_s for c in extra[d.id])
            added_s += after.driving_s - before.driving_s + service
    return GreedyResult(placed, added_m, added_s, time.perf_counter() - started)


# --------------------------------------------------------------------------- report


def summary(problem: CoverProblem, plan: CoverPlan) -> dict[str, float]:
    for route in plan.routes:
        assert check_day(route.problem, route.route) == [], route.day_id
    placed = plan.placed()
    total = len(problem.visits)
    appts = [v.id for v in problem.visits if v.kind == "appointment"]
    added_m = sum(r.added_m for r in plan.routes)
    added_s = sum(r.added_s for r in plan.routes)
    return {
        "visit": len(placed) / total,
        "covered": (len(placed) + len(plan.by_phone)) / total,
        "appointments": sum(a in placed for a in appts) / len(appts),
        "km_per_visit": added_m / 1000 / max(len(placed), 1),
        "min_per_visit": added_s / 60 / max(len(placed), 1),
        "seconds": plan.seconds,
        "cpu": 0.0,
    }


def greedy_summary(problem: CoverProblem, result: GreedyResult) -> dict[str, float]:
    total = len(problem.visits)
    appts = [v.id for v in problem.visits if v.kind == "appointment"]
    left = [v for v in problem.visits if v.id not in result.placed and v.by_phone]
    calls = min(len(left), problem.settings.phone_capacity)
    return {
        "visit": len(result.placed) / total,
        "covered": (len(result.placed) + calls) / total,
        "appointments": sum(a in result.placed for a in appts) / len(appts),
        "km_per_visit": result.added_m / 1000 / max(len(result.placed), 1),
        "min_per_visit": result.added_s / 60 / max(len(result.placed), 1),
        "seconds": result.seconds,
        "cpu": 0.0,
    }


def run_cover(problem: CoverProblem, provider: CachedProvider) -> dict[str, float]:
    """Solve with the production path; add CPU seconds (the wall clock suffers when shared)."""
    before = time.process_time()
    out = summary(problem, solve_cover(problem, provider))
    out["cpu"] = time.process_time() - before
    return out


def run_greedy(problem: CoverProblem, provider: CachedProvider) -> dict[str, float]:
    """Solve with the greedy baseline; add CPU seconds."""
    before = time.process_time()
    out = greedy_summary(problem, greedy(problem, provider))
    out["cpu"] = time.process_time() - before
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, nargs="+", default=[8, 200])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, nargs="+", default=[2.0, 5.0])
    parser.add_argument("--stops", type=int, default=11, help="visits planned per receiving day")
    parser.add_argument("--absent-share", type=float, default=0.05, help="share of reps away")
    parser.add_argument(
        "--max-added", type=int, default=None, help="extra visits per rep at most (the app: 4)"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"cores={os.cpu_count()} load1={load:.1f}")
    header = "reps  method        visit  covered  appts  km/visit  min/visit  wall s   cpu s"
    print(header)
    for reps in args.reps:
        rows: dict[str, list[dict[str, float]]] = {}
        for seed in range(args.seeds):
            base = instance(
                reps, seed, args.seconds[0], args.stops, args.absent_share, args.max_added
            )
            provider = CachedProvider(GeodesicProvider())
            for seconds in args.seconds:
                problem = replace(
                    base, settings=replace(base.settings, time_limit=timedelta(seconds=seconds))
                )
                rows.setdefault(f"ortools {seconds:g}s", []).append(run_cover(problem, provider))
            descent = replace(base, settings=replace(base.settings, guided=False))
            rows.setdefault("descent", []).append(run_cover(descent, provider))
            rows.setdefault("greedy", []).append(run_greedy(base, provider))
        for name, results in rows.items():
            mean = {k: statistics.fmean(r[k] for r in results) for k in results[0]}
            print(
                f"{reps:>4}  {name:<12} {mean['visit']:>6.1%}  {mean['covered']:>6.1%}  "
                f"{mean['appointments']:>5.0%}  {mean['km_per_visit']:>8.2f}  "
                f"{mean['min_per_visit']:>9.1f}  {mean['seconds']:>6.2f}  {mean['cpu']:>6.2f}"
            )
        print(
            f"      ({args.seeds} seeds; {len(base.visits)} must-do visits, "
            f"{len(base.days)} receiving days)"
        )


if __name__ == "__main__":
    main()
