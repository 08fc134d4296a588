"""Solve a published benchmark instance and print one JSON object.

python -m optimizer optw FILE [--tours M] [--seconds S] [--decimals D] [--seed N]
                          [--iterations N [--rounds R]]
python -m optimizer vrptw FILE [--seconds S] [--solutions N]

optw: without --iterations the search runs for --seconds (default 1; production's bound: the
result depends on the machine's speed and load). With --iterations each of --rounds rounds
runs N perturbations of the ILS and one OR-Tools descent: the same file and seed give the
same routes on any machine, and --seconds is only a safety net (default 600).
vrptw: --solutions stops OR-Tools' search after N solutions (reproducible), --seconds is
then the safety net.
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

SAFETY_NET_S = 600.0  # --seconds when --iterations bounds the search instead


def run_optw(
    path: str,
    tours: int,
    seconds: float,
    decimals: int,
    seed: int = 0,
    iterations: int | None = None,
    rounds: int = _engine.ROUNDS,
) -> dict[str, object]:
    """Solve an OPTW/TOPTW file; routes use the file's customer numbers.

    With ``iterations`` the search is bounded by ``rounds`` rounds of that many ILS
    perturbations (reproducible); ``seconds`` is then only a safety net.
    """
    started = time.perf_counter()
    inst = read_optw(path)
    core = optw_core(inst, tours, decimals)
    best, _, report = _engine.solve(
        core, seconds=seconds, seed=seed, iterations=iterations, rounds=rounds
    )
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
            "ils_iterations": report.iterations,
            "rounds": report.rounds,
        },
    }


def run_vrptw(path: str, seconds: float, solutions: int | None = None) -> dict[str, object]:
    """Solve a Solomon VRPTW file: fewest vehicles first, then shortest distance.

    ``solutions`` bounds OR-Tools' search by a solution count, which makes it reproducible.
    """
    started = time.perf_counter()
    inst = read_solomon(path)
    data = scale_vrptw(
        inst.xy, inst.ready, inst.due, inst.service, inst.demand, inst.vehicles, inst.capacity
    )
    routes = solve_vrptw(data, time_limit=timedelta(seconds=seconds), solution_limit=solutions)
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
    optw.add_argument("--seconds", type=float, default=None)
    optw.add_argument("--decimals", type=int, default=1)
    optw.add_argument("--seed", type=int, default=0)
    optw.add_argument("--iterations", type=int, default=None)
    optw.add_argument("--rounds", type=int, default=_engine.ROUNDS)
    vrptw = sub.add_parser("vrptw", help="Solomon VRPTW: vehicles, then distance")
    vrptw.add_argument("file")
    vrptw.add_argument("--seconds", type=float, default=10.0)
    vrptw.add_argument("--solutions", type=int, default=None)
    args = parser.parse_args(argv)
    if args.kind == "optw":
        if args.seconds is None:
            args.seconds = 1.0 if args.iterations is None else SAFETY_NET_S
        if args.tours < 1 or args.seconds <= 0 or not 0 <= args.decimals <= 4:
            parser.error("need --tours >= 1, --seconds > 0 and 0 <= --decimals <= 4")
        if (args.iterations is not None and args.iterations < 1) or args.rounds < 1:
            parser.error("need --iterations >= 1 and --rounds >= 1")
        result = run_optw(
            args.file,
            args.tours,
            args.seconds,
            args.decimals,
            args.seed,
            args.iterations,
            args.rounds,
        )
    else:
        if args.seconds <= 0 or (args.solutions is not None and args.solutions < 1):
            parser.error("need --seconds > 0 and --solutions >= 1")
        result = run_vrptw(args.file, args.seconds, args.solutions)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
