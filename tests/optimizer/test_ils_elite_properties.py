"""Property checks on the ILS's restart points (the elite pool), on random small TOPTW instances.

A run that goes back, when stuck, to one of its best distinct solutions in turn must never lose
its best, must keep the best as its first restart point and its restart points distinct and in
order, must return tours that pass the independent checker, and must give the same routes for
the same seed. Bounded by iteration counts, never by the clock.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import _ils
from optimizer.checker import check_optw
from optimizer.instances import OptwInstance, optw_core
from tests.optimizer.test_ils_moves_properties import SETTINGS, toptw


@settings(SETTINGS, max_examples=12)
@given(case=toptw(), seed=st.integers(0, 5))
def test_restarts_from_the_elite_never_lose_the_best(
    case: tuple[OptwInstance, int], seed: int
) -> None:
    """Tests a run with three restart points and a restart every five stale perturbations."""
    inst, tours = case
    core = optw_core(inst, tours)

    def run_once() -> tuple[_ils.Run, list[tuple[float, int]]]:
        run = _ils.Run(core, seed, elite=3, restart_after=5)
        keys = [run.best.key()]
        for _ in range(3):
            run.iterate(10, float("inf"))
            keys.append(run.best.key())
            assert run.elite[0].key() == run.best.key()
            elite = [e.key() for e in run.elite]
            assert elite == sorted(set(elite), reverse=True)
            assert len(elite) <= 3
            for e in run.elite:  # every restart point is a feasible solution with its prize
                routes = [[int(n) for n in t[1:-1]] for t in e.tours]
                assert check_optw(inst, routes, tours=tours, score=e.prize) == []
        return run, keys

    # a restart every five stale perturbations: thirty reach several restart points
    run, keys = run_once()
    again, _ = run_once()
    assert keys == sorted(keys)
    routes = [[int(n) for n in t[1:-1]] for t in run.best.tours]
    assert check_optw(inst, routes, tours=tours, score=run.best.prize) == []
    assert again.best.tours == run.best.tours
