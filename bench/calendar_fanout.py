"""How long the nightly run takes to compute many reps' visit calendars, fanned out.

    python bench/calendar_fanout.py [--reps 8] [--customers 300] [--time-limit 15]
        [--deterministic] [--executor local] [--workers 2] [--cpsat-workers 2]
        [--target-gap 0.01]

Builds ``--reps`` portfolios like ``bench/visit_calendar.py`` (300 customers: 10 % weekly,
20 % fortnightly, 70 % monthly, opening days, delivery weekdays by neighbourhood), sends one
:class:`app.jobs.work.CalendarWork` per rep to the nightly run's executor (the local process
pool, or ``inline``), and reports the wall time, each calendar's solve time and CPU, its gap,
and what 200 reps would take on this machine's cores: CPU seconds per calendar × 200 / cores
(a recompute of every calendar at once, e.g. the first night in ``calendar`` mode; a normal
night recomputes only the calendars whose portfolio changed).

``--target-gap`` ends each calendar's final CP-SAT round once its gap is proven below it
(``CalendarSettings.target_gap``; 0 spends the whole budget), the lever on a first night.

Prints the core count and load average; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from app.jobs.executors import make_executor  # noqa: E402
from app.jobs.work import CalendarResult, CalendarWork  # noqa: E402
from optimizer.visit_calendar import CalendarRep, CalendarSettings  # noqa: E402

H = 3600
REPS_AT_SCALE = 200
DEFAULT_TARGET_GAP = CalendarSettings().target_gap


def _portfolios_module():  # type: ignore[no-untyped-def]
    """Load bench/visit_calendar.py (its portfolios and rep) without running it."""
    spec = importlib.util.spec_from_file_location(
        "visit_calendar_bench", ROOT / "bench" / "visit_calendar.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def works(
    reps: int,
    customers: int,
    limit: float,
    deterministic: bool,
    cpsat: int,
    target_gap: float = DEFAULT_TARGET_GAP,
) -> list[CalendarWork]:
    """Return one calendar work per rep, each with its own portfolio (seed = rep)."""
    bench = _portfolios_module()
    day = bench.rep_day()
    capacity = min(day.max_working_s, day.end_s - day.start_s - H)
    out = []
    for r in range(reps):
        settings = CalendarSettings(
            lead_time_days=bench.LEAD_DAYS,
            time_limit=dt.timedelta(seconds=limit),
            workers=cpsat,
            seed=r,
            deterministic=deterministic,
            target_gap=target_gap,
        )
        rep = CalendarRep(day.start, bench.MONDAY, (capacity,) * 5 + (0, 0))
        portfolio = tuple(c.calendar for c in bench.portfolio(customers, seed=r))
        out.append(CalendarWork(r + 1, portfolio, rep, settings))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--time-limit", type=float, default=15.0)
    parser.add_argument("--deterministic", action="store_true")
    parser.add_argument("--executor", default="local", choices=("local", "inline"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cpsat-workers", type=int, default=2)
    parser.add_argument("--target-gap", type=float, default=DEFAULT_TARGET_GAP)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"cores: {cores}, load average before: {os.getloadavg()[0]:.1f}")
    todo = works(
        args.reps,
        args.customers,
        args.time_limit,
        args.deterministic,
        args.cpsat_workers,
        args.target_gap,
    )
    executor = make_executor(args.executor, workers=args.workers)
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    self0 = time.process_time()
    started = time.perf_counter()
    for work in todo:
        executor.submit(work)
    results: list[CalendarResult] = []
    while len(results) < len(todo):
        for result in executor.collect(block=True):
            assert isinstance(result, CalendarResult)
            results.append(result)
    wall = time.perf_counter() - started
    executor.close()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) + (
        time.process_time() - self0
    )
    print("| rep | status | gap | seconds |")
    print("|---|---|---|---|")
    for res in sorted(results, key=lambda x: x.user_id):
        sol = res.solution
        status = sol.status if sol is not None else f"error: {res.error}"
        gap = f"{sol.gap:.3f}" if sol is not None else ""
        print(f"| {res.user_id} | {status} | {gap} | {res.seconds:.1f} |")
    per_rep_cpu = cpu / len(results)
    at_scale_min = REPS_AT_SCALE * per_rep_cpu / cores / 60
    gaps = [r.solution.gap for r in results if r.solution is not None]
    print(
        f"{len(results)} calendars in {wall:.1f} s wall ({args.executor}, {args.workers} workers), "
        f"{per_rep_cpu:.1f} CPU s each; {REPS_AT_SCALE} reps ≈ {at_scale_min:.1f} min on "
        f"{cores} idle cores. Load average after: {os.getloadavg()[0]:.1f}"
    )
    print(
        json.dumps(
            {
                "reps": len(results),
                "customers": args.customers,
                "target_gap": args.target_gap,
                "wall_s": round(wall, 1),
                "cpu_s_per_rep": round(per_rep_cpu, 1),
                "mean_gap": round(statistics.fmean(gaps), 4) if gaps else None,
                "max_gap": round(max(gaps), 4) if gaps else None,
                "reps_200_min_on_cores": round(at_scale_min, 1),
                "cores": cores,
            }
        )
    )


if __name__ == "__main__":
    main()
