"""Scale bench of the priority score: pure scoring of synthetic customers (default 1,000,000).

    .venv/bin/python bench/score_scale.py [--customers N] [--repeat K]
    .venv/bin/python bench/score_scale.py --end-to-end [score_e2e.py options]

Prints the core count, the time of each run (population fit + scoring, and scoring with a
given population as the nightly job may reuse it) and the peak memory. ``--end-to-end`` hands
the other options to ``bench/score_e2e.py`` (feature SQL + scoring + snapshot write, owned by
the app side).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.scoring import (
    PastWindow,
    PurchaseHistory,
    ScoringFeatures,
    ScoringSettings,
    purchase_history,
    score,
)

CATEGORIES = 40
MIX_PER_CUSTOMER = 4


def synthetic_features(n: int, seed: int = 7) -> ScoringFeatures:
    """A portfolio of ``n`` customers with every optional field filled, drawn at random."""
    rng = np.random.default_rng(seed)
    purchase_days = rng.poisson(6.0, n).astype(np.int64)
    cycle = np.exp(rng.normal(np.log(21.0), 0.6, n))
    first = np.where(purchase_days > 0, purchase_days * cycle + rng.exponential(30, n), np.nan)
    last = np.where(purchase_days > 0, np.minimum(rng.exponential(cycle * 1.5), first), np.nan)
    center = np.where(purchase_days > 1, np.log(cycle) + rng.normal(0, 0.2, n), np.nan)
    scale = np.where(purchase_days > 1, np.abs(rng.normal(0.5, 0.2, n)), np.nan)
    ticket = np.exp(rng.normal(6.0, 0.8, n))
    k = n * MIX_PER_CUSTOMER
    return ScoringFeatures(
        customer_id=np.arange(1, n + 1, dtype=np.int64),
        segment=rng.integers(-1, 5, n),
        purchase_days=purchase_days,
        days_since_first=first,
        days_since_last=last,
        gap_log_center=center,
        gap_log_scale=scale,
        avg_ticket=ticket,
        revenue=ticket * purchase_days,
        days_since_contact=rng.integers(0, 60, n).astype(np.float64),
        visit_frequency_days=rng.choice([7.0, 14.0, 30.0], n),
        overdue_amount=np.where(rng.random(n) < 0.1, rng.exponential(500, n), 0.0),
        overdue_days=np.where(rng.random(n) < 0.1, rng.integers(1, 60, n), 0).astype(float),
        open_receivables=rng.exponential(800, n),
        credit_limit=np.where(rng.random(n) < 0.8, rng.exponential(3000, n), np.nan),
        delivery_weekdays=rng.integers(0, 128, n).astype(np.uint8),
        reference_weekday=2,
        days_since_created=rng.exponential(400, n),
        mix_customer=np.repeat(np.arange(n, dtype=np.int64), MIX_PER_CUSTOMER),
        mix_category=rng.integers(0, CATEGORIES, k),
        mix_share=rng.random(k),
        mix_days_since=rng.exponential(40, k),
        category_names=tuple(f"cat{c}" for c in range(CATEGORIES)),
        recent_purchase_days=rng.poisson(1.5, n).astype(np.int64),
        past=_past_window(rng, purchase_days, first, last, center, scale),
    )


def _past_window(
    rng: np.random.Generator,
    purchase_days: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    center: np.ndarray,
    scale: np.ndarray,
) -> PastWindow:
    """The same customers 90 days earlier (a plausible, not exact, past), so the lapse risk is
    learned as in the app."""
    bought = rng.random(len(purchase_days)) < 0.6
    existed = np.nan_to_num(first, nan=0.0) > 90
    days = np.where(existed, np.maximum(purchase_days - np.where(bought, 2, 0), 1), 0)
    then_first = np.where(days > 0, first - 90, np.nan)
    then_last = np.where(
        days > 0, np.clip(last + rng.exponential(20, len(last)) - 90, 0, then_first), np.nan
    )
    history = PurchaseHistory(days, then_first, then_last, center, scale)
    return PastWindow(history, rng.poisson(1.5, len(days)).astype(np.int64))


def bench_history(n: int) -> float:
    """Seconds to turn (customer, purchase day) rows into the cycle columns."""
    rng = np.random.default_rng(3)
    rows = n * 6
    customer = rng.integers(0, n, rows)
    day = rng.integers(0, 730, rows)
    start = time.perf_counter()
    purchase_history(customer, day, n, 730)
    return time.perf_counter() - start


def end_to_end(argv: list[str]) -> None:
    """Run bench/score_e2e.py's main with ``argv`` (bench/ holds scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "score_e2e", Path(__file__).with_name("score_e2e.py")
    )
    if spec is None or spec.loader is None:
        raise SystemExit("bench/score_e2e.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(argv)


def main(argv: list[str] | None = None) -> None:
    """Time the pure scoring, or hand over to the end-to-end bench."""
    argv = sys.argv[1:] if argv is None else argv
    if "--end-to-end" in argv:
        end_to_end([a for a in argv if a != "--end-to-end"])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-past",
        action="store_true",
        help="leave out the past window: the model's lapse risk, not the learned one",
    )
    args = parser.parse_args(argv)
    n = args.customers
    print(f"cores={os.cpu_count()} customers={n:,} learned lapse risk={not args.no_past}")
    features = synthetic_features(n)
    if args.no_past:
        features = dataclasses.replace(features, recent_purchase_days=None, past=None)
    settings = ScoringSettings()
    times_fit, times_score = [], []
    result = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = score(features, settings)
        times_fit.append(time.perf_counter() - start)
        start = time.perf_counter()
        score(features, settings, result.population)
        times_score.append(time.perf_counter() - start)
    assert result is not None
    print(f"score incl. population fit: best {min(times_fit):.3f} s  runs {times_fit}")
    print(f"score with fitted population: best {min(times_score):.3f} s")
    print(f"per million customers: {min(times_fit) * 1e6 / n:.3f} s (with fit)")
    print(f"purchase_history from {n * 6:,} rows: {bench_history(n):.3f} s")
    tracemalloc.start()
    score(features, settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak traced memory of one scoring: {peak / 2**20:.0f} MiB; process max RSS {rss:.0f} MiB"
    )
    print(f"explain(0): {result.explain(0)}")


if __name__ == "__main__":
    main()
