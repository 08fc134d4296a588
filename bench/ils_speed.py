"""Time the route search's perturbations: CPU milliseconds per ILS perturbation, iteration-bounded.

    python bench/ils_speed.py [--iterations 300] [--repeat 3] [--holdout]

At a one-second budget the multi-tour result is decided by how many perturbations the search
makes, so this is the figure its speed work moves. Each case runs ``optimizer._ils.Run`` with
seed 0 for a fixed number of perturbations (the same decisions on any machine) and reports CPU
time per perturbation, the best of ``--repeat`` runs (the machine's noise only ever adds time).
To compare two versions, run this script from each checkout in turn, in one session: timings
are only comparable within a run. Prints the core count, the load average and the prize found
(identical prizes across versions mean the versions made the same decisions).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer import _ils  # noqa: E402
from optimizer.instances import optw_core, read_optw  # noqa: E402

DATA = ROOT / "bench" / "data"
CASES = [  # (file, tours, distance decimals): long tours, many tours, one tour
    ("optw/instances/rc205", 2, 1),
    ("optw/instances/r107", 4, 1),
    ("optw/instances/rc101", 1, 1),
    ("optw/instances/c206", 3, 1),
]
HOLDOUT = [("holdout/pr04", 4, 2)]


def main() -> None:
    """Parse options, time every case, print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--holdout", action="store_true", help="also time pr04 (bench/data/holdout, not committed)"
    )
    args = parser.parse_args()
    cases = CASES + (HOLDOUT if args.holdout else [])
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# ils_speed {ROOT} cores={os.cpu_count()} load average {load}")
    print("instance,m,perturbations,ms per perturbation (best of repeats),prize")
    if hasattr(_ils, "compiled"):
        _ils.compiled()  # versions with compiled kernels: load them outside the timing
    for name, tours, decimals in cases:
        core = optw_core(read_optw(DATA / f"{name}.txt"), tours, decimals)
        best_ms, prize = float("inf"), 0.0
        for _ in range(args.repeat):
            started = time.process_time()
            run = _ils.Run(core, 0)
            run.iterate(args.iterations, float("inf"))
            took = time.process_time() - started
            best_ms = min(best_ms, 1000 * took / args.iterations)
            prize = run.best.prize
        print(f"{Path(name).name},{tours},{args.iterations},{best_ms:.2f},{prize:g}", flush=True)


if __name__ == "__main__":
    main()
