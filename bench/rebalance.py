"""Rebalance workload between neighbouring portfolios: quality and time at 8 and 200 reps
(issue 17 item 4).

    python bench/rebalance.py [--reps 8 200] [--seeds 3] [--seconds 2 5] [--moves-per-rep 2]

A synthetic company on São Paulo's neighbourhoods (``sao-paulo-neighbourhoods.csv``): each rep
has a territory centred on a neighbourhood (two reps share one when there are more reps than
neighbourhoods), 30 to 160 customers scattered around it (so loads range from light to
drowning), frequencies weekly / fortnightly / monthly, service 15-45 minutes, travel per visit
6-14 minutes, 20 working days of 9 hours (one rep in five part-time at 60 %); one customer in
ten has a booked visit (pinned). Moves allowed: ``--moves-per-rep`` × reps, at most 200 (the
page's limit).

Compared on the same instances:

* ``cpsat``: :func:`optimizer.rebalance.rebalance` for the given seconds (2 workers), the
  production path: the greedy proposal as the hint of the CP-SAT assignment, the better kept;
* ``greedy``: the greedy first proposal alone (``search=False``): while moves are left, the
  most loaded rep that can gives a neighbour the border customer that most reduces the summed
  deviation, as long as the higher of the two loads goes down (same candidates, neighbours).

Figures per size: load spread (highest minus lowest, % of capacity) before/after, highest load
before/after, summed deviation from the team's load before/after, moves, km the moved
customers end farther from their new territory's centre (negative: nearer), wall and CPU
seconds (the whole call: candidates, greedy start, model, search).
Prints the core count and load: compare within one run.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.model import Location  # noqa: E402
from optimizer.rebalance import (  # noqa: E402
    BalanceCustomer,
    BalanceRep,
    BalanceResult,
    BalanceSettings,
    centre_of,
    deviation,
    rebalance,
)

NEIGHBOURHOODS = Path("/work/shared/design/sao-paulo-neighbourhoods.csv")


def places() -> list[tuple[float, float, float]]:
    with NEIGHBOURHOODS.open(encoding="utf-8") as fh:
        return [
            (float(r["lat"]), float(r["lon"]), float(r["radius_km"])) for r in csv.DictReader(fh)
        ]


def near(rng: random.Random, lat: float, lon: float, km: float) -> Location:
    return Location(lat + rng.gauss(0, km) / 111.0, lon + rng.gauss(0, km) / 102.0)


def instance(reps: int, seed: int) -> tuple[list[BalanceCustomer], list[BalanceRep]]:
    rng = random.Random(seed)
    hoods = places()
    customers: list[BalanceCustomer] = []
    team: list[BalanceRep] = []
    for r in range(reps):
        lat, lon, radius = hoods[r % len(hoods)]
        centre = near(rng, lat, lon, radius / 2)
        mine = []
        for _ in range(rng.randint(30, 160)):
            mine.append(
                BalanceCustomer(
                    len(customers) + len(mine),
                    r,
                    near(rng, centre.lat, centre.lon, max(radius, 1.5)),
                    28 / rng.choice([7, 7, 14, 14, 28]),
                    float(rng.choice([15, 20, 30, 45])),
                    pinned=rng.random() < 0.1,
                )
            )
        customers.extend(mine)
        hours = 20 * 9 * (0.6 if rng.random() < 0.2 else 1.0)
        team.append(
            BalanceRep(
                r,
                centre_of([c.location for c in mine if c.location]),
                hours * 60,
                rng.uniform(6, 14),
            )
        )
    return customers, team


def timed(
    customers: list[BalanceCustomer], team: list[BalanceRep], options: BalanceSettings
) -> dict[str, float]:
    """Solve once; the figures with the CPU seconds of the process (every solver thread)."""
    cpu = time.process_time()
    out = figures(rebalance(customers, team, options))
    out["cpu"] = time.process_time() - cpu
    return out


def figures(result: BalanceResult) -> dict[str, float]:
    return {
        "spread0": 100 * result.spread(after=False),
        "spread1": 100 * result.spread(after=True),
        "max0": 100 * result.max_load(after=False),
        "max1": 100 * result.max_load(after=True),
        "dev0": 100 * deviation(result.loads, after=False),
        "dev1": 100 * deviation(result.loads, after=True),
        "moves": len(result.moves),
        "km": result.km_effect(),
        "s": result.solve_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, nargs="+", default=[8, 200])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seconds", type=float, nargs="+", default=[2.0, 5.0])
    parser.add_argument("--moves-per-rep", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}")
    header = (
        f"{'reps':>4} {'solver':>10} {'spread %':>15} {'max load %':>15} {'sum dev %':>17} "
        f"{'moves':>6} {'km':>7} {'wall s':>7} {'cpu s':>7}"
    )
    print(header)
    for reps in args.reps:
        limit = min(200, max(1, round(args.moves_per_rep * reps)))
        runs: dict[str, list[dict[str, float]]] = {}
        for seed in range(args.seeds):
            customers, team = instance(reps, seed)
            for seconds in args.seconds:
                options = BalanceSettings(
                    max_moves=limit, time_limit_s=seconds, workers=args.workers, seed=seed
                )
                runs.setdefault(f"cpsat {seconds:g}s", []).append(timed(customers, team, options))
            start = BalanceSettings(max_moves=limit, search=False)
            runs.setdefault("greedy", []).append(timed(customers, team, start))
        for name, rows in runs.items():

            def m(key: str, rows: list[dict[str, float]] = rows) -> float:
                return statistics.mean(r[key] for r in rows)

            print(
                f"{reps:>4} {name:>10} {m('spread0'):>6.1f} → {m('spread1'):>5.1f} "
                f"{m('max0'):>6.1f} → {m('max1'):>5.1f} {m('dev0'):>7.0f} → {m('dev1'):>6.0f} "
                f"{m('moves'):>6.1f} {m('km'):>7.1f} {m('s'):>7.2f} {m('cpu'):>7.2f}"
            )
    print(f"(mean of {args.seeds} seeds; moves allowed: --moves-per-rep × reps, at most 200)")


if __name__ == "__main__":
    main()
