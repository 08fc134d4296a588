"""Solve a published benchmark instance and print one JSON object.

python -m optimizer optw FILE [--tours M] [--seconds S] [--decimals D] [--seed N]
python -m optimizer vrptw FILE [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import timedelta

from optimizer import _engine
from optimizer._ortools import scale_vrptw, solve_vrptw
from optimizer.checker import vrptw_distance
from optimizer.instances import optw_core, read_optw, read_solomon


def run_optw(
    path: str, tours: int, seconds: float, decimals: int, seed: int = 0
) -> dict[str, object]:
    """Solve an OPTW/TOPTW file; routes use the file's customer numbers."""
    started = time.perf_counter()
    inst = read_optw(path)
    core = optw_core(inst, tours, decimals)
    best, _, report = _engine.solve(core, seconds=seconds, seed=seed)
    routes = [[int(n) for n in tour[1:-1]] for tour in best.tours]
    return {
        "instance": inst.name,
        "tours": tours,
        "score": round(best.prize, 6),
        "routes": routes,
        "seconds": round(time.perf_counter() - started, 3),
        "engines": {
            "ils_score": round(report.ils_prize, 6),
            "ils_travel": report.ils_travel,
            "travel": report.travel,
            "ils_seconds": round(report.ils_seconds, 3),
            "ortools_seconds": round(report.ortools_seconds, 3),
            "ortools_solutions": report.ortools_solutions,
        },
    }


def run_vrptw(path: str, seconds: float) -> dict[str, object]:
    """Solve a Solomon VRPTW file: fewest vehicles first, then shortest distance."""
    started = time.perf_counter()
    inst = read_solomon(path)
    data = scale_vrptw(
        inst.xy, inst.ready, inst.due, inst.service, inst.demand, inst.vehicles, inst.capacity
    )
    routes = solve_vrptw(data, time_limit=timedelta(seconds=seconds))
    return {
        "instance": inst.name,
        "vehicles": len(routes),
        "distance": round(vrptw_distance(inst, routes), 4),
        "routes": routes,
        "seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, solve, print the JSON result."""
    parser = argparse.ArgumentParser(
        prog="python -m optimizer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="kind", required=True)
    optw = sub.add_parser("optw", help="orienteering with time windows (m tours)")
    optw.add_argument("file")
    optw.add_argument("--tours", type=int, default=1)
    optw.add_argument("--seconds", type=float, default=1.0)
    optw.add_argument("--decimals", type=int, default=1)
    optw.add_argument("--seed", type=int, default=0)
    vrptw = sub.add_parser("vrptw", help="Solomon VRPTW: vehicles, then distance")
    vrptw.add_argument("file")
    vrptw.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    if args.kind == "optw":
        if args.tours < 1 or args.seconds <= 0 or not 0 <= args.decimals <= 4:
            parser.error("need --tours >= 1, --seconds > 0 and 0 <= --decimals <= 4")
        result = run_optw(args.file, args.tours, args.seconds, args.decimals, args.seed)
    else:
        if args.seconds <= 0:
            parser.error("need --seconds > 0")
        result = run_vrptw(args.file, args.seconds)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
