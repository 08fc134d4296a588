"""Property checks on the route search's compiled kernels (:mod:`optimizer._kernels`).

Every kernel is compared with a brute force built only from the Python scheduler
(:func:`optimizer._core.schedule`), never from the kernel itself, on random small instances:
4 to 12 customers, random integer travel times that may break the triangle inequality, random
windows, services and prizes, some customers with two windows (two nodes of one group),
optionally a place-less lunch (``follow``), and random tours. The kernels replaced NumPy code
and must make the same decisions: same feasibility, same best move, same tie-breaking (the
first best in the order the kernel scans). Last, a seeded ILS run must give the same routes
however many other runs share its thread, and its routes must pass the independent checker.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import _ils, _kernels
from optimizer._core import Core, Schedule, Tour, schedule
from optimizer.checker import check_optw
from optimizer.instances import OptwInstance, optw_core
from tests.optimizer.test_ils_moves_properties import toptw

SETTINGS = settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
NO_FIT = _kernels.NO_FIT
EPS = _ils.EPS

Case = tuple[Core, list[list[int]]]


@st.composite
def instances(draw: st.DrawFn, tours: int = 1, lunch: bool = True) -> Core:
    """Draw a small core: start 0, customers 1..n, end n + 1 and maybe a lunch n + 2.

    Travel times are independent random integers (no triangle inequality), the diagonal 0.
    Customers 2i + 1 and 2i + 2 of the first few pairs are the two windows of one customer.
    """
    n = draw(st.integers(4, 12))
    has_lunch = lunch and draw(st.booleans())
    size = n + 2 + int(has_lunch)
    cells = draw(st.lists(st.integers(0, 60), min_size=size * size, max_size=size * size))
    travel = np.array(cells, dtype=np.int64).reshape(size, size)
    np.fill_diagonal(travel, 0)
    horizon = draw(st.integers(100, 500))
    opens, closes, service, prize = [0], [horizon], [0], [0.0]
    for _ in range(1, size):
        start = draw(st.integers(0, horizon))
        opens.append(start)
        closes.append(start + draw(st.integers(0, horizon)))
        service.append(draw(st.integers(0, 30)))
        prize.append(float(draw(st.integers(1, 6))))
    end = n + 1
    prize[end] = 0.0
    service[end] = 0
    group = [-1] * size
    for g in range(draw(st.integers(0, n // 2))):
        group[2 * g + 1] = group[2 * g + 2] = g
    customers = tuple(range(1, n + 1))
    mandatory = set(draw(st.sets(st.sampled_from(customers), max_size=2)))
    follow = -1
    if has_lunch:
        follow = n + 2
        mandatory.add(follow)
        prize[follow] = 0.0
    tour_list = []
    for _ in range(tours):
        depart = draw(st.integers(0, 50))
        # an empty tour always fits, as the search assumes
        deadline = depart + int(travel[0, end]) + draw(st.integers(0, horizon + 200))
        tour_list.append(Tour(0, end, depart, deadline))
    return Core(
        travel=travel,
        open=np.array(opens, dtype=np.int64),
        close=np.array(closes, dtype=np.int64),
        service=np.array(service, dtype=np.int64),
        prize=np.array(prize, dtype=np.float64),
        group=np.array(group, dtype=np.int64),
        mandatory=frozenset(mandatory),
        customers=customers,
        tours=tuple(tour_list),
        follow=follow,
    )


@st.composite
def raw_tours(draw: st.DrawFn, core: Core, ti: int = 0) -> list[int]:
    """Draw any tour (feasible or not): distinct customers in random order, maybe the lunch."""
    order = draw(st.permutations(core.customers))
    visits = list(order[: draw(st.integers(0, len(order)))])
    if core.follow >= 0 and draw(st.booleans()):
        visits.insert(draw(st.integers(0, len(visits))), core.follow)
    tour = core.tours[ti]
    return [tour.start, *visits, tour.end]


@st.composite
def cases(draw: st.DrawFn, tours: int = 1, lunch: bool = True) -> Case:
    """Draw a core and feasible tours: customers (at most one window of each) offered in a
    random order at a random position, kept when ``schedule`` accepts the tour."""
    core = draw(instances(tours, lunch))
    routes = [[t.start, t.end] for t in core.tours]
    if core.follow >= 0:
        for ti, nodes in enumerate(routes):
            if draw(st.booleans()):
                trial = [nodes[0], core.follow, nodes[1]]
                if schedule(core, core.tours[ti], trial) is not None:
                    routes[ti] = trial
    taken: set[int] = set()
    for c in draw(st.permutations(core.customers)):
        g = int(core.group[c])
        if g >= 0 and g in taken:
            continue
        ti = draw(st.integers(0, tours - 1))
        nodes = routes[ti]
        at = draw(st.integers(0, len(nodes) - 2))
        trial = [*nodes[: at + 1], c, *nodes[at + 1 :]]
        if schedule(core, core.tours[ti], trial) is not None:
            routes[ti] = trial
            if g >= 0:
                taken.add(g)
    return core, routes


# -- brute force from the Python scheduler -----------------------------------------------------
def timing(
    core: Core, ti: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int, int]:
    """Return the arguments every timing kernel takes after the tour."""
    tour = core.tours[ti]
    return (
        core.travel, core.open, core.close, core.service, core.follow, tour.depart, tour.deadline
    )  # fmt: skip


def travel_of(core: Core, nodes: list[int], ti: int = 0) -> int:
    """Return the driving of a tour by ``schedule``, or NO_FIT."""
    s = schedule(core, core.tours[ti], nodes)
    return NO_FIT if s is None else s.travel


def free_of(core: Core, routes: list[list[int]]) -> np.ndarray:
    """Return the optional customers neither visited nor the other window of a visit."""
    visited = {n for t in routes for n in t[1:-1]}
    held = {int(core.group[n]) for n in visited if core.group[n] >= 0}
    return np.array(
        [
            c
            for c in core.customers
            if c not in visited and c not in core.mandatory and int(core.group[c]) not in held
        ],
        dtype=np.int64,
    )


def expected_table(core: Core, s: Schedule, ti: int) -> list[list[int]]:
    """Return the slot table :meth:`optimizer._ils.Search.slots` documents, one row per field:
    tour, k, place at k, departure from k, next place, slack at k + 1, leg, arrival at k + 1,
    node at k + 1."""
    cols = []
    for k in range(len(s.nodes) - 1):
        here, there = s.loc[k], s.loc[k + 1]
        cols.append(
            [
                ti,
                k,
                here,
                s.begin[k] + int(core.service[s.nodes[k]]),
                there,
                s.slack[k + 1],
                int(core.travel[here, there]),
                s.arrive[k + 1],
                s.nodes[k + 1],
            ]
        )
    return [list(row) for row in zip(*cols, strict=True)] if cols else [[] for _ in range(9)]


def inserted(nodes: list[int], at: int, node: int) -> list[int]:
    """Return ``nodes`` with ``node`` after position ``at``."""
    return [*nodes[: at + 1], node, *nodes[at + 1 :]]


def without(nodes: list[int], k: int) -> list[int]:
    """Return ``nodes`` without position ``k``."""
    return nodes[:k] + nodes[k + 1 :]


def has_lunch(routes: list[list[int]], follow: int) -> bool:
    """Return whether some tour holds the place-less lunch."""
    return follow >= 0 and any(follow in t for t in routes)


# -- 1. time_tour ------------------------------------------------------------------------------
@SETTINGS
@given(data=st.data(), core=instances())
def test_time_tour_is_the_python_schedule(data: st.DataObject, core: Core) -> None:
    """Tests time_tour against schedule: same driving or NO_FIT, same timing when it fits."""
    nodes = data.draw(raw_tours(core))
    count = len(nodes)
    bufs = [np.full(count, -7, dtype=np.int64) for _ in range(4)]
    got = _kernels.time_tour(np.array(nodes, dtype=np.int64), *timing(core), *bufs)
    s = schedule(core, core.tours[0], nodes)
    if s is None:
        assert got == NO_FIT
        return
    assert got == s.travel
    loc, arrive, begin, slack = (b.tolist() for b in bufs)
    assert loc == s.loc
    assert arrive == s.arrive
    assert begin == s.begin
    assert slack[1:] == s.slack[1:]


# -- 2. slot_table -----------------------------------------------------------------------------
@SETTINGS
@given(case=cases(tours=2), ti=st.integers(0, 1))
def test_slot_table_is_the_documented_table(case: Case, ti: int) -> None:
    """Tests slot_table against the rows Search.slots documents, built from a schedule."""
    core, routes = case
    s = schedule(core, core.tours[ti], routes[ti])
    assert s is not None
    timed = np.array((s.nodes, s.loc, s.arrive, s.begin, s.slack), dtype=np.int64)
    table = _kernels.slot_table(timed, core.travel, core.service, ti)
    assert table.dtype == np.int64
    assert table.tolist() == expected_table(core, s, ti)
    # and the search's cached table is that one
    assert _ils.Search(core, 0).slots(ti, s).tolist() == expected_table(core, s, ti)


# -- 3. fill_tours -----------------------------------------------------------------------------
def positions(core: Core, routes: list[list[int]]) -> list[tuple[int, int]]:
    """Return the insertion slots (tour, k) of Search.positions: slots before the lunch out."""
    return [
        (ti, k)
        for ti, nodes in enumerate(routes)
        for k in range(len(nodes) - 1)
        if nodes[k + 1] != core.follow
    ]


def insertion_ratios(
    core: Core, routes: list[list[int]], free: np.ndarray
) -> list[list[float | None]]:
    """Brute force: prize² / (delay at the next position + 1) of every (slot, free) pair that
    ``schedule`` accepts (a negative delay, an insertion that saves time, counts as none),
    None for the others; rows are the slots of :func:`positions`."""
    grid = []
    for ti, k in positions(core, routes):
        old = schedule(core, core.tours[ti], routes[ti])
        assert old is not None
        row: list[float | None] = []
        for f in free.tolist():
            s = schedule(core, core.tours[ti], inserted(routes[ti], k, f))
            if s is None:
                row.append(None)
            else:
                shift = max(s.arrive[k + 2] - old.arrive[k + 1], 0)
                row.append(float(core.prize[f] ** 2 / (shift + 1.0)))
        grid.append(row)
    return grid


def scores(grid: list[list[float | None]]) -> list[float]:
    """Return the grid row-major with -1 for a pair that does not fit, as the kernel and the
    NumPy code before it score them."""
    return [-1.0 if r is None else r for row in grid for r in row]


def call_fill(
    core: Core, routes: list[list[int]], noise: float
) -> tuple[list[list[int]], list[int], list[int]]:
    """Run fill_tours on ``routes`` with every free customer; return the routes after, the
    customers in the order inserted and those left over (fitting nowhere)."""
    free = free_of(core, routes)
    lengths = np.array([len(r) for r in routes], dtype=np.int64)
    tours = np.zeros((len(routes), int(lengths.max()) + free.size), dtype=np.int64)
    for ti, nodes in enumerate(routes):
        tours[ti, : len(nodes)] = nodes
    pool = free.copy()
    order = np.zeros(free.size, dtype=np.int64)
    done, left = _kernels.fill_tours(
        tours, lengths, pool, core.travel, core.open, core.close, core.service, core.prize**2,
        core.group, core.follow, np.array([t.depart for t in core.tours], dtype=np.int64),
        np.array([t.deadline for t in core.tours], dtype=np.int64), noise, order,
    )  # fmt: skip
    after = [tours[ti, : lengths[ti]].tolist() for ti in range(len(routes))]
    return after, order[:done].tolist(), pool[:left].tolist()


def test_a_time_saving_insertion_wins_over_a_misfit() -> None:
    """Tests the smallest case: customer 1 shortens the tour by 8 (travel times breaking the
    triangle inequality, as road durations may), customer 2 misses its window. Scored
    prize² / (shift + 1), customer 1 got 9 / -7 and lost even to the misfit (-1); an
    insertion that saves time now counts as adding none."""
    travel = np.array([[0, 1, 5, 10], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], dtype=np.int64)
    core = Core(
        travel=travel,
        open=np.zeros(4, dtype=np.int64),
        close=np.array([100, 100, 0, 100], dtype=np.int64),
        service=np.zeros(4, dtype=np.int64),
        prize=np.array([0.0, 3.0, 1.0, 0.0]),
        group=np.full(4, -1, dtype=np.int64),
        mandatory=frozenset(),
        customers=(1, 2),
        tours=(Tour(0, 3, 0, 100),),
    )
    assert call_fill(core, [[0, 3]], 0.0) == ([[0, 1, 3]], [1], [])


def greedy_fill(
    core: Core, routes: list[list[int]], free: np.ndarray
) -> tuple[list[list[int]], list[int], list[int]]:
    """Brute force of the greedy loop: insert the first best pair of :func:`insertion_ratios`,
    drop it, its other windows and every customer that fits nowhere, until none fits; return
    the routes, the customers in the order inserted and those left (fitting nowhere)."""
    routes, pool, order = [list(r) for r in routes], free.tolist(), []
    while pool:
        grid = insertion_ratios(core, routes, np.array(pool, dtype=np.int64))
        fits = [any(row[j] is not None for row in grid) for j in range(len(pool))]
        if not any(fits):
            break
        flat_grid = scores(grid)
        slot, j = divmod(flat_grid.index(max(flat_grid)), len(pool))
        ti, k = positions(core, routes)[slot]
        node = pool[j]
        routes[ti] = inserted(routes[ti], k, node)
        order.append(node)
        mates = int(core.group[node])
        pool = [
            f
            for f, fit in zip(pool, fits, strict=True)
            if fit and f != node and (mates < 0 or core.group[f] != mates)
        ]
    return routes, order, pool


@SETTINGS
@given(case=cases(tours=2))
def test_fill_tours_is_the_greedy_loop(case: Case) -> None:
    """Tests fill_tours without noise: the same routes, the same customers in the same order
    and the same customers left over as the greedy loop run on brute-force ratios (each step
    the first best pair; a free customer fits exactly when schedule accepts it)."""
    core, routes = case
    assert call_fill(core, routes, 0.0) == greedy_fill(core, routes, free_of(core, routes))


@SETTINGS
@given(case=cases(tours=2), noise=st.sampled_from([0.05, 0.2, 0.5]), seed=st.integers(0, 2**31 - 1))
def test_fill_tours_with_noise_is_feasible_and_seeded(case: Case, noise: float, seed: int) -> None:
    """Tests fill_tours with noise: the same result after the same seed, every tour accepted
    by schedule, the customers left over fit nowhere, and the first customer inserted has a
    ratio within the noise of the best one."""
    core, routes = case
    _kernels.seed(seed)
    after, order, left = call_fill(core, routes, noise)
    _kernels.seed(seed)
    assert call_fill(core, routes, noise) == (after, order, left)
    for ti, nodes in enumerate(after):
        assert schedule(core, core.tours[ti], nodes) is not None
    if left:
        grid = insertion_ratios(core, after, np.array(left, dtype=np.int64))
        assert all(r is None for row in grid for r in row)
    if not order:
        return
    free = free_of(core, routes)
    grid = insertion_ratios(core, routes, free)
    best = max(r for row in grid for r in row if r is not None)
    column = free.tolist().index(order[0])
    first = max(-1.0 if row[column] is None else row[column] for row in grid)
    assert first * (1 + noise) >= best * (1 - noise) * (1 - 1e-12)


# -- 4. best_swap ------------------------------------------------------------------------------
def swap_trades(
    core: Core, nodes: list[int], spots: list[int], free: np.ndarray
) -> list[tuple[float, int, int, int]]:
    """Brute force: (gain, k, node, slot) of every trade of the visit at a spot for a free
    customer worth more (not its other window) that ``schedule`` accepts, in the kernel's scan
    order (spot, slot, customer); the gain is the prize difference less 1e-7 per second of
    delay at the next position."""
    found = []
    tour = core.tours[0]
    for k in spots:
        out = nodes[k]
        rest = without(nodes, k)
        base = schedule(core, tour, rest)
        if base is None:
            continue
        for at in range(len(rest) - 1):
            if rest[at + 1] == core.follow:
                continue
            for f in free.tolist():
                same = core.group[out] >= 0 and core.group[f] == core.group[out]
                if not core.prize[f] > core.prize[out] + EPS or same:
                    continue
                s = schedule(core, tour, inserted(rest, at, f))
                if s is None:
                    continue
                shift = s.arrive[at + 2] - base.arrive[at + 1]
                gain = float((core.prize[f] - core.prize[out]) - shift * 1e-7)
                found.append((gain, k, f, at))
    return found


@SETTINGS
@given(data=st.data(), case=cases())
def test_best_swap_is_the_best_feasible_trade(data: st.DataObject, case: Case) -> None:
    """Tests best_swap: the trade returned fits by schedule, pays more, is not the removed
    visit's other window, and is the first best trade by brute force; none exactly when
    brute force finds none."""
    core, routes = case
    nodes = routes[0]
    free = free_of(core, routes)
    movable = [k for k in range(1, len(nodes) - 1) if nodes[k] not in core.mandatory]
    spots = sorted(data.draw(st.sets(st.sampled_from(movable))) if movable else set())
    gain, k, node, at = _kernels.best_swap(
        np.array(nodes, dtype=np.int64), np.array(spots, dtype=np.int64), free,
        core.travel, core.open, core.close, core.service, core.prize, core.group,
        core.follow, core.tours[0].depart, core.tours[0].deadline, EPS,
    )  # fmt: skip
    trades = swap_trades(core, nodes, spots, free)
    if k >= 0:
        out = nodes[k]
        assert k in spots
        assert node in free.tolist()
        assert core.prize[node] > core.prize[out] + EPS
        assert not (core.group[out] >= 0 and core.group[node] == core.group[out])
        assert schedule(core, core.tours[0], inserted(without(nodes, k), at, node)) is not None
    if not trades:
        assert (gain, k) == (-np.inf, -1)
        return
    best = max(t[0] for t in trades)
    first = next(t for t in trades if t[0] == best)
    assert k >= 0
    assert gain == best
    assert (
        core.prize[node] - core.prize[nodes[k]]
        == core.prize[first[2]] - core.prize[nodes[first[1]]]
    )
    assert (k, node, at) == first[1:]


# -- 5. cheapest_slot_without ------------------------------------------------------------------
@SETTINGS
@given(data=st.data(), case=cases())
def test_cheapest_slot_without_is_the_cheapest_feasible_slot(
    data: st.DataObject, case: Case
) -> None:
    """Tests cheapest_slot_without: the driving of the tour without k is schedule's, and the
    slot is the first of least added driving among the slots schedule accepts."""
    core, routes = case
    nodes = routes[0]
    if len(nodes) < 3:
        return
    k = data.draw(st.integers(1, len(nodes) - 2))
    # the place-less lunch is never the node placed: it is mandatory, and the search moves
    # it only with relocate_follow (its place is the stop before it)
    choices = [n for n in (nodes[k], *free_of(core, routes).tolist()) if n != core.follow]
    if not choices:
        return
    node = data.draw(st.sampled_from(choices))
    base, extra, at = _kernels.cheapest_slot_without(
        np.array(nodes, dtype=np.int64), k, node, *timing(core)
    )
    rest = without(nodes, k)
    assert base == travel_of(core, rest)
    if base == NO_FIT:
        assert at == -1
        return
    added = []
    for s in range(len(rest) - 1):
        if rest[s + 1] == core.follow:
            continue
        tr = travel_of(core, inserted(rest, s, node))
        if tr != NO_FIT:
            added.append((tr - base, s))
    if not added:
        assert at == -1
        return
    least = min(a for a, _ in added)
    assert extra == least
    assert at == next(s for a, s in added if a == least)
    assert travel_of(core, inserted(rest, at, node)) == base + extra


# -- 6. best_replacement -----------------------------------------------------------------------
def replacements(core: Core, nodes: list[int], free: np.ndarray) -> list[tuple[float, int, int]]:
    """Brute force: (score, k, node) of every free customer taking the place of an optional
    visit that ``schedule`` accepts and that pays more, or the same and arrives earlier at the
    next position, in the kernel's scan order; score = prize gain · 1e6 - delay."""
    tour = core.tours[0]
    old = schedule(core, tour, nodes)
    assert old is not None
    found = []
    for k in range(1, len(nodes) - 1):
        out = nodes[k]
        if out in core.mandatory or nodes[k + 1] == core.follow:
            continue
        for f in free.tolist():
            trial = list(nodes)
            trial[k] = f
            s = schedule(core, tour, trial)
            if s is None:
                continue
            delay = s.arrive[k + 1] - old.arrive[k + 1]
            gain = core.prize[f] - core.prize[out]
            if gain > EPS or (gain > -EPS and delay < 0):
                found.append((float(gain * 1e6 - delay), k, f))
    return found


@SETTINGS
@given(case=cases())
def test_best_replacement_is_the_best_qualifying_replacement(case: Case) -> None:
    """Tests best_replacement: the replacement returned fits by schedule and qualifies, and
    it is the first of best score by brute force; none exactly when brute force finds none."""
    core, routes = case
    nodes = routes[0]
    s = schedule(core, core.tours[0], nodes)
    assert s is not None
    table = np.array(expected_table(core, s, 0), dtype=np.int64).reshape(9, len(nodes) - 1)
    mandatory = np.zeros(core.size, dtype=np.bool_)
    mandatory[list(core.mandatory)] = True
    free = free_of(core, routes)
    score, k, node = _kernels.best_replacement(
        table, free, mandatory, core.follow,
        core.travel, core.open, core.close, core.service, core.prize, EPS,
    )  # fmt: skip
    found = replacements(core, nodes, free)
    if k >= 0:
        trial = list(nodes)
        trial[k] = node
        fresh = schedule(core, core.tours[0], trial)
        assert fresh is not None
        assert nodes[k] not in core.mandatory
        delay = fresh.arrive[k + 1] - s.arrive[k + 1]
        gain = core.prize[node] - core.prize[nodes[k]]
        assert gain > EPS or (gain > -EPS and delay < 0)
    if not found:
        assert (score, k) == (-np.inf, -1)
        return
    best = max(f[0] for f in found)
    assert score == best
    assert (k, node) == next(f[1:] for f in found if f[0] == best)


# -- 7. reversed_travel and joined_travel ------------------------------------------------------
@SETTINGS
@given(data=st.data(), core=instances(tours=2))
def test_trial_tours_are_timed_as_schedule_times_them(data: st.DataObject, core: Core) -> None:
    """Tests reversed_travel (2-opt) and joined_travel (2-opt*) against schedule of the trial
    tour built by hand: same driving, NO_FIT exactly when schedule rejects it."""
    nodes = data.draw(raw_tours(core, 0))
    if len(nodes) > 2:
        first = data.draw(st.integers(1, len(nodes) - 2))
        last = data.draw(st.integers(first, len(nodes) - 2))
        trial = nodes[:first] + nodes[first : last + 1][::-1] + nodes[last + 1 :]
        got = _kernels.reversed_travel(np.array(nodes, dtype=np.int64), first, last, *timing(core))
        assert got == travel_of(core, trial)
    other = data.draw(raw_tours(core, 1))
    cut = data.draw(st.integers(0, len(nodes) - 2))
    resume = data.draw(st.integers(0, len(other) - 2))
    trial = nodes[: cut + 1] + other[resume + 1 :]
    got = _kernels.joined_travel(
        np.array(nodes, dtype=np.int64), cut, np.array(other, dtype=np.int64), resume,
        *timing(core, 0),
    )  # fmt: skip
    assert got == travel_of(core, trial, 0)


# -- the ILS's seeds ---------------------------------------------------------------------------
@settings(SETTINGS, max_examples=8)
@given(case=toptw(), seed=st.integers(0, 5))
def test_seeded_runs_repeat_whatever_runs_in_between(
    case: tuple[OptwInstance, int], seed: int
) -> None:
    """Tests that two runs with one seed find the same routes when another run is iterated
    between the first's iterations (the kernels' stream is re-seeded at each iterate), and
    that every best solution passes the checker."""
    inst, tours = case
    core = optw_core(inst, tours)
    first = _ils.Run(core, seed)
    first.iterate(30, float("inf"))
    second = _ils.Run(core, seed)
    other = _ils.Run(core, seed + 1)
    other.iterate(30, float("inf"))  # draws from the kernels' stream before second iterates
    second.iterate(30, float("inf"))
    assert second.best.tours == first.best.tours
    assert second.best.prize == first.best.prize
    # in halves, with the other run's iterations in between, as for alone
    alone = _ils.Run(core, seed)
    alone.iterate(15, float("inf"))
    alone.iterate(15, float("inf"))
    mixed = _ils.Run(core, seed)
    mixed.iterate(15, float("inf"))
    other.iterate(15, float("inf"))
    mixed.iterate(15, float("inf"))
    assert mixed.best.tours == alone.best.tours
    for run in (first, second, other, alone, mixed):
        routes = [[int(n) for n in t[1:-1]] for t in run.best.tours]
        assert check_optw(inst, routes, tours=tours, score=run.best.prize) == []


def test_the_import_compiles_every_kernel_the_search_calls() -> None:
    """Tests that importing the kernels compiles each one with the argument types the search
    uses: a search that compiled a kernel would spend its time budget compiling (half a
    second, or ten without the cache)."""
    kernels = {  # the private ones are compiled into the kernels that call them
        name: obj
        for name, obj in vars(_kernels).items()
        if hasattr(obj, "signatures") and not name.startswith("_")
    }
    assert {"fill_tours", "best_swap", "cheapest_slot_without", "time_tour"} <= kernels.keys()
    before = {name: len(k.signatures) for name, k in kernels.items()}
    assert all(before.values()), [name for name, n in before.items() if not n]
    inst = OptwInstance(
        name="warm",
        xy=((50.0, 50.0), (10.0, 20.0), (80.0, 70.0), (30.0, 90.0), (60.0, 10.0)),
        service=(0.0, 10.0, 10.0, 10.0, 10.0),
        score=(0.0, 5.0, 7.0, 3.0, 9.0),
        open=(0.0, 0.0, 50.0, 0.0, 100.0),
        close=(300.0, 200.0, 250.0, 300.0, 250.0),
    )
    for tours in (1, 2):
        run = _ils.Run(optw_core(inst, tours), 0)
        run.iterate(40, float("inf"))
    assert {name: len(k.signatures) for name, k in kernels.items()} == before
