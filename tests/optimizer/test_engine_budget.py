"""The engine's iteration budget: a seeded run gives the same routes however fast the clock runs.

Runs that end on the clock differ from one machine (or one load) to the next; a run bounded by
rounds of ILS perturbations must not, so the benchmark can compare variants exactly and the
determinism tests cannot flake on a loaded machine.
"""

from __future__ import annotations

import itertools

import pytest

from optimizer import _engine, _ils
from optimizer.checker import check_optw
from optimizer.instances import optw_core, read_optw
from tests.optimizer.conftest import BENCH_DATA

ROUNDS, ITERATIONS = 2, 6


def run(seed: int) -> tuple[list[list[int]], _engine.EngineReport]:
    """Solve c101 with two tours on a small iteration budget (the clock only a safety net)."""
    core = optw_core(read_optw(BENCH_DATA / "optw" / "instances" / "c101.txt"), 2)
    best, missed, report = _engine.solve(
        core, seconds=10_000.0, seed=seed, iterations=ITERATIONS, rounds=ROUNDS
    )
    assert missed == []
    return [list(t) for t in best.tours], report


def test_iteration_budget_fixes_the_routes_whatever_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tests that a clock running a thousand times slower (a loaded machine) changes nothing."""
    tours, report = run(seed=3)
    assert report.iterations == ROUNDS * ITERATIONS
    assert report.rounds == ROUNDS
    ticks = itertools.count()
    monkeypatch.setattr(_ils, "CLOCK", lambda: next(ticks) * 1.0)  # a second per reading
    slow, slow_report = run(seed=3)
    assert slow == tours
    assert slow_report.iterations == report.iterations
    inst = read_optw(BENCH_DATA / "optw" / "instances" / "c101.txt")
    routes = [[int(n) for n in t[1:-1]] for t in tours]
    assert check_optw(inst, routes, tours=2) == []
