"""Compare our route solver with PyVRP and VROOM on published instances, same time budget.

    python bench/routing.py optw --tours 1,2,3,4 --seconds 1 [--instances 'c1*,r1*,rc1*']
    python bench/routing.py optw --tours 1,2,3,4 --dir DIR     # e.g. the Cordeau pr01-pr20 set
    python bench/routing.py optw --tours 2,3,4 --iterations 150 --solvers ours [--seed 1]
    python bench/routing.py vrptw --seconds 30 --instances 'C1*' --solvers ours
    python bench/routing.py day --seconds 1 --days 20
    python bench/routing_merge.py A.txt B.txt    # merge optw runs of solvers done apart

``ours`` is exactly what production runs (``optimizer._engine.solve``: the project's ILS, then
OR-Tools from its routes); ``--solvers ils`` runs the ILS alone for comparison. With
``--iterations N`` our search is bounded by ``--rounds`` rounds of N ILS perturbations instead of
the clock: the same code and seed give the same scores on any machine, loaded or not, which is
how variants of the search are compared exactly (``--seconds`` is then only a safety net).
PyVRP gets the same budget; VROOM stops by itself (exploration level 5, no timeout), and its
time is printed.
Every solution is re-checked with ``optimizer.checker``; an infeasible one counts as a miss.
Gaps are to the best-known value: the published optimum for one tour where there is one,
otherwise the best score of the run (OPTW: score, lower gap is better; VRPTW: distance at the
best known vehicle count). Prints the core count and the load average: timings and ``--seconds``
quality are only comparable within a run.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer import _engine, _ils  # noqa: E402
from optimizer.__main__ import run_vrptw  # noqa: E402
from optimizer.checker import check_optw, check_vrptw, vrptw_distance  # noqa: E402
from optimizer.instances import (  # noqa: E402
    OptwInstance,
    SolomonInstance,
    optw_core,
    read_optw,
    read_solomon,
    truncated_units,
)
from optimizer.model import (  # noqa: E402
    Candidate,
    DayProblem,
    Location,
    LunchBreak,
    RepDay,
    TimeWindow,
    TravelMatrix,
)

DATA = ROOT / "bench" / "data"
Solver = Callable[[OptwInstance, int, float, int], list[list[int]]]


REPORTS: list[tuple[int, _engine.EngineReport]] = []  # (tours, report) of every "ours" run
BUDGET: dict[str, int | None] = {"iterations": None, "rounds": _engine.ROUNDS, "seed": 0}


def ours_optw(inst: OptwInstance, tours: int, seconds: float, decimals: int) -> list[list[int]]:
    """Run the production engine (ILS, then OR-Tools from its routes) for ``seconds``."""
    core = optw_core(inst, tours, decimals)
    iterations, rounds, seed = BUDGET["iterations"], BUDGET["rounds"], BUDGET["seed"]
    best, _, report = _engine.solve(
        core,
        seconds=seconds if iterations is None else max(seconds, 600.0),
        seed=seed or 0,
        iterations=iterations,
        rounds=rounds or _engine.ROUNDS,
    )
    REPORTS.append((tours, report))
    return [list(t[1:-1]) for t in best.tours]


def ils_optw(inst: OptwInstance, tours: int, seconds: float, decimals: int) -> list[list[int]]:
    """Run the ILS alone for ``seconds`` (what production ran before OR-Tools joined)."""
    core = optw_core(inst, tours, decimals)
    iterations = BUDGET["iterations"]
    if iterations is None:
        best, _ = _ils.solve(core, iterations=10**9, seconds=seconds, seed=BUDGET["seed"] or 0)
    else:
        total = iterations * (BUDGET["rounds"] or 1)
        best, _ = _ils.solve(core, iterations=total, seconds=600.0, seed=BUDGET["seed"] or 0)
    return [list(t[1:-1]) for t in best.tours]


def pyvrp_optw(inst: OptwInstance, tours: int, seconds: float, decimals: int) -> list[list[int]]:
    """Run PyVRP with optional clients whose prize outweighs any detour."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    scale = 10**decimals
    travel = truncated_units(inst.xy, decimals)
    m = Model()
    locs = [m.add_location(x, y) for x, y in inst.xy]
    tmax = int(inst.close[0] * scale)
    depot = m.add_depot(locs[0], tw_early=0, tw_late=tmax)
    m.add_vehicle_type(
        num_available=tours, start_depot=depot, end_depot=depot, tw_early=0, tw_late=tmax
    )
    weight = tmax + 1  # a tour drives at most tmax: one unit of score beats any detour
    for i in range(1, len(inst.xy)):
        m.add_client(
            locs[i],
            service_duration=round(inst.service[i] * scale),
            tw_early=round(inst.open[i] * scale),
            tw_late=round(inst.close[i] * scale),
            prize=int(inst.score[i] * weight),
            required=False,
        )
    for a in range(len(locs)):
        for b in range(len(locs)):
            if a != b:
                m.add_edge(locs[a], locs[b], distance=int(travel[a, b]), duration=int(travel[a, b]))
    result = m.solve(stop=MaxRuntime(seconds), seed=0, display=False)
    if not result.is_feasible():
        return []
    return [[a.idx + 1 for a in r if a.is_client()] for r in result.best.routes()]


def vroom_optw(inst: OptwInstance, tours: int, seconds: float, decimals: int) -> list[list[int]]:
    """Run VROOM with job priorities = scores (its objective: priority first, then cost)."""
    import numpy as np
    import vroom

    scale = 10**decimals
    travel = truncated_units(inst.xy, decimals)
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=np.asarray(travel, dtype=np.uint32))
    tmax = int(inst.close[0] * scale)
    for v in range(tours):
        problem.add_vehicle(
            vroom.Vehicle(v + 1, start=0, end=0, time_window=vroom.TimeWindow(0, tmax))
        )
    for i in range(1, len(inst.xy)):
        problem.add_job(
            vroom.Job(
                i,
                location=i,
                default_service=round(inst.service[i] * scale),
                time_windows=[
                    vroom.TimeWindow(round(inst.open[i] * scale), round(inst.close[i] * scale))
                ],
                priority=min(100, int(inst.score[i])),
            )
        )
    del seconds  # VROOM stops by itself: the issue compares against its own run time
    solution = problem.solve(exploration_level=5, nb_threads=os.cpu_count() or 1)
    routes: dict[int, list[int]] = {}
    for row in solution.routes.itertuples():
        if row.type == "job":
            routes.setdefault(int(row.vehicle_id), []).append(int(row.id))
    return list(routes.values())


def pyvrp_vrptw(inst: SolomonInstance, seconds: float) -> list[list[int]]:
    """Run PyVRP on a Solomon instance (distances scaled by 10, fleet as in the file)."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    scale = 10
    m = Model()
    locs = [m.add_location(x, y) for x, y in inst.xy]
    depot = m.add_depot(locs[0], tw_early=0, tw_late=int(inst.due[0] * scale))
    m.add_vehicle_type(
        num_available=inst.vehicles,
        capacity=inst.capacity,
        start_depot=depot,
        end_depot=depot,
        tw_late=int(inst.due[0] * scale),
        fixed_cost=10**6,
    )
    for i in range(1, len(inst.xy)):
        m.add_client(
            locs[i],
            delivery=inst.demand[i],
            service_duration=int(inst.service[i] * scale),
            tw_early=int(inst.ready[i] * scale),
            tw_late=int(inst.due[i] * scale),
        )
    for a in range(len(locs)):
        for b in range(len(locs)):
            if a != b:
                d = math.dist(inst.xy[a], inst.xy[b]) * scale
                # durations rounded up so its routes stay feasible in double precision
                m.add_edge(locs[a], locs[b], distance=round(d), duration=math.ceil(d - 1e-9))
    result = m.solve(stop=MaxRuntime(seconds), seed=0, display=False)
    return [[a.idx + 1 for a in r if a.is_client()] for r in result.best.routes()]


def synthetic_day(seed: int, n: int = 60) -> DayProblem:
    """Make a realistic rep day: 60 scored customers around São Paulo, windows and lunch."""
    rnd = random.Random(seed)
    home = Location(-23.55, -46.63)
    spots = [
        Location(home.lat + rnd.uniform(-0.08, 0.08), home.lon + rnd.uniform(-0.08, 0.08))
        for _ in range(n)
    ]
    lunch_place = Location(home.lat + 0.01, home.lon) if seed % 2 else None
    pts = [home, home, *spots, *([lunch_place] if lunch_place else [])]
    kx, ky = 111_000.0, 111_000.0 * math.cos(math.radians(home.lat))
    dist = [
        [int(1.35 * math.hypot((a.lat - b.lat) * kx, (a.lon - b.lon) * ky)) for b in pts]
        for a in pts
    ]
    dur = [[int(d / (22 / 3.6)) for d in row] for row in dist]
    cands = []
    for i, spot in enumerate(spots):
        r = rnd.random()
        windows: tuple[TimeWindow, ...] = (TimeWindow(8 * 3600, 18 * 3600),)
        if r < 0.1:
            windows = ()
        elif r < 0.3:
            windows = (TimeWindow(8 * 3600, 12 * 3600), TimeWindow(14 * 3600, 18 * 3600))
        elif r < 0.5:
            windows = (TimeWindow(rnd.choice((8, 9, 10)) * 3600, rnd.choice((15, 16, 17)) * 3600),)
        cands.append(
            Candidate(
                f"c{i}",
                spot,
                round(rnd.uniform(1, 100), 1),
                rnd.choice((900, 1200, 1800)),
                windows,
                appointment=i == 5 and len(windows) == 1,
            )
        )
    lunch = LunchBreak(11 * 3600 + 1800, 13 * 3600 + 1800, 3600, lunch_place)
    rep = RepDay(home, home, 8 * 3600, 18 * 3600, 8 * 3600 + 1800, lunch)
    return DayProblem(rep, tuple(cands), TravelMatrix(dur, dist))


OPTW_SOLVERS: dict[str, Solver] = {
    "ours": ours_optw,
    "ils": ils_optw,
    "pyvrp": pyvrp_optw,
    "vroom": vroom_optw,
}


def pick(folder: Path, patterns: str) -> list[Path]:
    """Return instance files whose stem matches one of the comma-separated patterns."""
    pats = [p.strip().lower() for p in patterns.split(",") if p.strip()]
    return sorted(
        f for f in folder.glob("*.txt") if any(fnmatch.fnmatch(f.stem.lower(), p) for p in pats)
    )


def load() -> str:
    """Return the 1-, 5- and 15-minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def optw_table(args: argparse.Namespace) -> None:
    """Solve OPTW/TOPTW files with each solver for every tour count; print gaps and a summary."""
    best = {}
    with (DATA / "optw" / "best_known_m1.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["status"] != "lower_bound_only":
                best[row["instance"]] = float(row["best_known_value"])
    folder = Path(args.dir) if args.dir else DATA / "optw" / "instances"
    files = pick(folder, args.instances)
    solvers = args.solvers.split(",")
    tour_counts = [int(m) for m in str(args.tours).split(",")]
    budget = (
        f"iterations={args.iterations} rounds={args.rounds} seed={args.seed}"
        if args.iterations
        else f"seconds={args.seconds} seed={args.seed}"
    )
    print(
        f"# optw {folder} tours={args.tours} {budget} cores={os.cpu_count()} load average {load()}"
    )
    print("instance,m,reference," + ",".join(f"{s}_score,{s}_gap%,{s}_s" for s in solvers))
    gaps: dict[tuple[str, int], list[float]] = {}
    times: dict[tuple[str, int], list[float]] = {}
    for f in files:
        inst = read_optw(f)
        decimals = (
            args.decimals if args.decimals is not None else (2 if inst.name.startswith("pr") else 1)
        )
        for m in tour_counts:
            scores: dict[str, float] = {}
            took: dict[str, float] = {}
            for s in solvers:
                t0 = time.perf_counter()
                routes = OPTW_SOLVERS[s](inst, m, args.seconds, decimals)
                took[s] = time.perf_counter() - t0
                bad = check_optw(inst, routes, decimals=decimals, tours=m)
                scores[s] = float("nan") if bad else sum(inst.score[c] for r in routes for c in r)
            known = best.get(inst.name) if m == 1 else None
            ref = (
                known
                if known is not None
                else max([v for v in scores.values() if not math.isnan(v)], default=0.0)
            )
            cells = [inst.name, str(m), f"{ref:g}"]
            for s in solvers:
                score = scores[s]
                gap = 100.0 if math.isnan(score) else 100 * (ref - score) / ref if ref else 0.0
                gaps.setdefault((s, m), []).append(gap)
                times.setdefault((s, m), []).append(took[s])
                cells += [
                    "infeasible" if math.isnan(score) else f"{score:g}",
                    f"{gap:.2f}",
                    f"{took[s]:.2f}",
                ]
            print(",".join(cells), flush=True)
    print(f"# load average at the end {load()}")
    print("# m,solver,mean gap %,worst gap %,instances,mean seconds")
    for (s, m), g in sorted(gaps.items(), key=lambda x: (x[0][1], solvers.index(x[0][0]))):
        print(
            f"# {m},{s},{statistics.mean(g):.2f},{max(g):.2f},{len(g)},"
            f"{statistics.mean(times[(s, m)]):.2f}"
        )
    engines_summary()


def engines_summary() -> None:
    """Print, per tour count, how often OR-Tools improved the routes the ILS handed it."""
    if not REPORTS:
        return
    print(
        "# m,runs,OR-Tools improved,in rounds,prize gained,travel saved (units),"
        "OR-Tools s/run,ILS s/run,disagreements,relaxed lunches skipped,ILS iterations/run"
    )
    for m in sorted({t for t, _ in REPORTS}):
        rs = [r for t, r in REPORTS if t == m]
        print(
            f"# {m},{len(rs)},{sum(r.gains > 0 for r in rs)},{sum(r.gains for r in rs)}/"
            f"{sum(r.rounds for r in rs)},{sum(r.prize_gained for r in rs):g},"
            f"{sum(r.travel_saved for r in rs)},"
            f"{statistics.mean(r.ortools_seconds for r in rs):.3f},"
            f"{statistics.mean(r.ils_seconds for r in rs):.3f},"
            f"{sum(not r.agreed for r in rs)},{sum(r.rejected for r in rs)},"
            f"{statistics.mean(r.iterations for r in rs):.0f}"
        )


def vrptw_table(args: argparse.Namespace) -> None:
    """Solve Solomon files; print vehicles and distance gap to the best known."""
    best = {}
    with (DATA / "solomon" / "best_known.csv").open() as fh:
        for row in csv.DictReader(fh):
            best[row["instance"]] = (int(row["vehicles"]), float(row["distance"]))
    solvers = args.solvers.split(",")
    print(f"# vrptw seconds={args.seconds} cores={os.cpu_count()}")
    print(
        "instance,best_veh,best_dist,"
        + ",".join(f"{s}_veh,{s}_dist,{s}_gap%,{s}_s" for s in solvers)
    )
    for f in pick(DATA / "solomon", args.instances):
        inst = read_solomon(f)
        bv, bd = best[inst.name]
        cells = [inst.name, str(bv), f"{bd:.2f}"]
        for s in solvers:
            t0 = time.perf_counter()
            if s == "ours":
                routes = run_vrptw(str(f), args.seconds)["routes"]
            elif s == "pyvrp":
                routes = pyvrp_vrptw(inst, args.seconds)
            else:
                continue
            took = time.perf_counter() - t0
            assert isinstance(routes, list)
            dist = vrptw_distance(inst, routes)
            ok = not check_vrptw(inst, routes)
            cells += [
                str(len(routes)),
                f"{dist:.2f}",
                f"{100 * (dist - bd) / bd:.2f}" if ok else "infeasible",
                f"{took:.1f}",
            ]
        print(",".join(cells), flush=True)


def day_table(args: argparse.Namespace) -> None:
    """Time solve_day on synthetic realistic rep days; print p50/p95 and what OR-Tools added."""
    from optimizer.checker import check_day
    from optimizer.routing import solve_day_report

    print(
        f"# rep day: {args.days} days x 60 candidates, time_limit={args.seconds}s, "
        f"cores={os.cpu_count()}, load average {load()}"
    )
    times, cpu, ort = [], [], []
    gains, prize, saved_s, bad_days, disagreements, skipped = 0, 0.0, 0, 0, 0, 0
    for d in range(args.days):
        problem = synthetic_day(d)
        t0, c0 = time.perf_counter(), time.process_time()
        route, report = solve_day_report(
            problem, time_limit=timedelta(seconds=args.seconds), seed=0
        )
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        ort.append(report.ortools_seconds)
        bad = check_day(problem, route)
        bad_days += bool(bad)
        gains += report.gains > 0
        prize += report.prize_gained
        saved_s += report.travel_saved
        disagreements += not report.agreed
        skipped += report.rejected
        print(
            f"day {d}: {len(route.stops)} stops prize {route.prize:.1f} "
            f"(ILS {report.ils_prize:.1f}, driving {report.ils_travel / 60:.1f} -> "
            f"{report.travel / 60:.1f} min) wall {times[-1]:.3f}s cpu {cpu[-1]:.3f}s "
            f"OR-Tools {report.ortools_seconds:.3f}s {'OK' if not bad else bad[:2]}",
            flush=True,
        )
    for name, values in (
        ("wall", sorted(times)),
        ("cpu", sorted(cpu)),
        ("OR-Tools wall", sorted(ort)),
    ):
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(
            f"# {name}: p50 {statistics.median(values):.3f}s p95 {p95:.3f}s max {values[-1]:.3f}s"
        )
    print(
        f"# OR-Tools improved {gains} of {args.days} days: +{prize:g} prize, "
        f"{saved_s / 60:.1f} driving minutes saved in all; checker failures {bad_days}, "
        f"model disagreements {disagreements}, relaxed-lunch solutions skipped {skipped}"
    )
    print(f"# load average at the end {load()}")


def main() -> None:
    """Parse options and print the chosen table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("set", choices=["optw", "vrptw", "day"])
    parser.add_argument("--instances", default="*")
    parser.add_argument("--tours", default="1", help="tour counts, e.g. 1,2,3,4")
    parser.add_argument("--dir", default="", help="folder of OPTW files (default: bench/data)")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument(
        "--decimals",
        type=int,
        default=None,
        help="distance decimals (default: 2 for Cordeau pr files, else 1)",
    )
    parser.add_argument("--solvers", default="ours,pyvrp,vroom")
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="optw: bound our search by ILS perturbations per round instead of the clock "
        "(reproducible on any machine)",
    )
    parser.add_argument("--rounds", type=int, default=_engine.ROUNDS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="time our search by wall clock (production) or by this process's "
        "CPU time (a loaded machine then still gives it its budget)",
    )
    args = parser.parse_args()
    if args.clock == "cpu":
        _ils.CLOCK = time.process_time
    BUDGET.update(iterations=args.iterations, rounds=args.rounds, seed=args.seed)
    {"optw": optw_table, "vrptw": vrptw_table, "day": day_table}[args.set](args)


if __name__ == "__main__":
    main()
