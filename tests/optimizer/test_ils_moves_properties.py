"""Property checks on the ILS's driving moves, on random small TOPTW instances (2-4 tours).

Each move is applied to a random feasible solution (a noisy greedy fill after a random kick);
afterwards every tour must still pass the independent checker, the solution's reported prize
and driving must be what its tours really collect and drive, the visits must be the same and
the driving never longer. The vectorised filters of ``relocate``, ``move_between`` and
``exchange_between`` (which decide which visits are worth re-timing) must not hide an improving
move: when the moves report none, a brute-force search over every single-visit move (or every
swap of two visits of two tours, each at its cheapest feasible slot) finds none either.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import _ils
from optimizer._core import schedule
from optimizer.checker import check_optw
from optimizer.instances import OptwInstance, optw_core

SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def toptw(draw: st.DrawFn) -> tuple[OptwInstance, int]:
    """Draw a small TOPTW instance (published format's conventions) and 2 to 4 tours."""
    count = draw(st.integers(2, 14))
    tmax = draw(st.integers(80, 400))
    xy = [(50.0, 50.0)]
    service, score, opn, cls = [0.0], [0.0], [0.0], [float(tmax)]
    for _ in range(count):
        xy.append((float(draw(st.integers(0, 100))), float(draw(st.integers(0, 100)))))
        start = draw(st.integers(0, tmax))
        service.append(float(draw(st.integers(0, 30))))
        score.append(float(draw(st.integers(1, 30))))
        opn.append(float(start))
        cls.append(float(start + draw(st.integers(0, 150))))
    inst = OptwInstance("random", tuple(xy), tuple(service), tuple(score), tuple(opn), tuple(cls))
    return inst, draw(st.integers(2, 4))


def random_solution(inst: OptwInstance, tours: int, seed: int) -> tuple[_ils.Search, _ils.Solution]:
    """Return a search and a feasible, deliberately imperfect solution of the instance."""
    search = _ils.Search(optw_core(inst, tours), seed)
    sol, missed = _ils.initial(search)
    assert not missed
    search.fill(sol, 0.9)
    removed = search.perturb(sol, 1 + seed % 3, seed)
    search.fill(sol, 0.9, frozenset(removed))
    return search, sol


def assert_consistent(inst: OptwInstance, search: _ils.Search, sol: _ils.Solution) -> None:
    """The tours pass the checker and the reported prize and driving are the real ones."""
    routes = [[int(n) for n in t[1:-1]] for t in sol.tours]
    assert check_optw(inst, routes, tours=len(sol.tours), score=sol.prize) == []
    again = search.build([list(t) for t in sol.tours])
    assert again is not None
    assert again.travel == sol.travel
    assert round(again.prize, 6) == round(sol.prize, 6)


@SETTINGS
@given(case=toptw(), seed=st.integers(0, 5))
def test_driving_moves_keep_the_visits_and_never_drive_more(
    case: tuple[OptwInstance, int], seed: int
) -> None:
    """Tests the driving moves (within and between tours): same visits, never more driving."""
    inst, tours = case
    search, sol = random_solution(inst, tours, seed)
    visits = sorted(n for t in sol.tours for n in t[1:-1])
    moves = (
        search.relocate,
        search.move_between,
        search.exchange_tails,
        search.exchange_between,
        search.two_opt,
    )
    for move in moves:
        travel = sol.travel
        moved = move(sol)
        assert_consistent(inst, search, sol)
        assert sorted(n for t in sol.tours for n in t[1:-1]) == visits
        assert sol.travel < travel if moved else sol.travel == travel


def improving_single_moves(
    search: _ils.Search, sol: _ils.Solution, *, between: bool
) -> list[tuple[int, int, int, int]]:
    """Brute force: every move of one visit (to another tour if ``between``, else within its
    tour) that keeps every window and drives less."""
    c = search.core
    found = []
    for ti, nodes in enumerate(sol.tours):
        for k in range(1, len(nodes) - 1):
            rest = nodes[:k] + nodes[k + 1 :]
            base = schedule(c, c.tours[ti], rest)
            if base is None:
                continue
            targets = [tj for tj in range(len(sol.tours)) if (tj != ti) == between]
            for tj in targets:
                into = rest if tj == ti else sol.tours[tj]
                for at in range(len(into) - 1):
                    trial = [*into[: at + 1], nodes[k], *into[at + 1 :]]
                    s = schedule(c, c.tours[tj], trial)
                    if s is None:
                        continue
                    old = sol.scheds[ti].travel + (0 if tj == ti else sol.scheds[tj].travel)
                    new = s.travel + (0 if tj == ti else base.travel)
                    if new < old:
                        found.append((ti, k, tj, at))
    return found


@SETTINGS
@given(case=toptw(), seed=st.integers(0, 5))
def test_filters_hide_no_improving_single_visit_move(
    case: tuple[OptwInstance, int], seed: int
) -> None:
    """Tests that relocate and move_between stop only when brute force finds nothing either."""
    inst, tours = case
    search, sol = random_solution(inst, tours, seed)
    for _ in itertools.count():
        if not search.relocate(sol):
            break
    assert improving_single_moves(search, sol, between=False) == []
    for _ in itertools.count():
        if not search.move_between(sol):
            break
    assert improving_single_moves(search, sol, between=True) == []


def cheapest_insertion(search: _ils.Search, ti: int, nodes: list[int], node: int) -> int | None:
    """Brute force: the least driving of tour ``ti`` with ``node`` inserted anywhere, or None."""
    c = search.core
    best = None
    for at in range(len(nodes) - 1):
        s = schedule(c, c.tours[ti], [*nodes[: at + 1], node, *nodes[at + 1 :]])
        if s is not None and (best is None or s.travel < best):
            best = s.travel
    return best


def improving_exchanges(search: _ils.Search, sol: _ils.Solution) -> list[tuple[int, int, int, int]]:
    """Brute force: every swap of two visits of two tours, each re-inserted at its cheapest
    feasible slot of the other tour, that drives less."""
    found = []
    for ta, tb in itertools.combinations(range(len(sol.tours)), 2):
        a, b = sol.tours[ta], sol.tours[tb]
        before = sol.scheds[ta].travel + sol.scheds[tb].travel
        for i in range(1, len(a) - 1):
            for j in range(1, len(b) - 1):
                into_a = cheapest_insertion(search, ta, a[:i] + a[i + 1 :], b[j])
                into_b = cheapest_insertion(search, tb, b[:j] + b[j + 1 :], a[i])
                if into_a is not None and into_b is not None and into_a + into_b < before:
                    found.append((ta, i, tb, j))
    return found


@SETTINGS
@given(case=toptw(), seed=st.integers(0, 5))
def test_exchange_between_stops_only_at_a_local_optimum(
    case: tuple[OptwInstance, int], seed: int
) -> None:
    """Tests that when exchange_between (with no cap on tries) finds nothing, brute force
    finds no improving swap either, and that every swap it made kept the tours feasible."""
    inst, tours = case
    search, sol = random_solution(inst, tours, seed)
    prize = sol.prize
    cap = _ils.EXCHANGE_TRIES
    _ils.EXCHANGE_TRIES = 10**6
    try:
        while search.exchange_between(sol):
            assert_consistent(inst, search, sol)
    finally:
        _ils.EXCHANGE_TRIES = cap
    assert sol.prize == prize
    assert improving_exchanges(search, sol) == []
