"""Compiled inner loops of the iterated local search (:mod:`optimizer._ils`).

Why compiled: at one second per problem the search's result is decided by how many
perturbations it makes, and on long tours most of a perturbation went into NumPy calls on small
arrays (an insertion grid of 60 slots by 40 free customers costs more in call overhead than in
arithmetic) and into re-timing a tour once per candidate removal. These kernels do the same
arithmetic in plain loops compiled by Numba, with no temporary arrays, and make exactly the
decisions the NumPy code made: same feasibility tests, same floating-point expressions in the
same order, same tie-breaking (the first best in row-major order), and the caller still draws
every random number, so a seed gives the same routes as before.

All times are integers (the model's units); a tour is an int64 array of nodes with its start
first and its end last. ``follow`` is the place-less lunch node (-1 if none): it takes the place
of the node before it, exactly as :func:`optimizer._core.schedule` times it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

NO_FIT = -1  # travel returned by :func:`time_tour` when a window or the deadline is missed


@njit(cache=True)
def seed(value: int) -> None:
    """Seed the kernels' random stream (Numba's own generator, one per thread).

    The search seeds it from its NumPy generator whenever it (re)starts iterating, so a
    seeded run draws the same numbers however many runs share the thread.
    """
    np.random.seed(value)


@njit(cache=True)
def time_tour(
    nodes: np.ndarray,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    follow: int,
    depart: int,
    deadline: int,
    loc: np.ndarray,
    arrive: np.ndarray,
    begin: np.ndarray,
    slack: np.ndarray,
) -> int:
    """Time ``nodes`` at earliest starts into the given arrays; return the driving or NO_FIT.

    The same rules as :func:`optimizer._core.schedule`, written into caller-owned buffers
    (at least ``len(nodes)`` long) so a loop over many trial tours allocates nothing.
    """
    count = nodes.shape[0]
    loc[0] = nodes[0]
    arrive[0] = depart
    begin[0] = depart
    driven = 0
    prev_loc = nodes[0]
    now = depart
    for k in range(1, count):
        node = nodes[k]
        here = prev_loc if node == follow else node
        leg = travel[prev_loc, here]
        driven += leg
        t = now + leg
        arrive[k] = t
        if k == count - 1:
            if t > deadline:
                return NO_FIT
            begin[k] = t
            break
        if t < opens[node]:
            t = opens[node]
        if t > closes[node]:
            return NO_FIT
        begin[k] = t
        loc[k] = here
        prev_loc = here
        now = t + service[node]
    loc[count - 1] = nodes[count - 1]
    slack[count - 1] = deadline - arrive[count - 1]
    for k in range(count - 2, 0, -1):
        shift_max = closes[nodes[k]] - begin[k]
        if slack[k + 1] < shift_max:
            shift_max = slack[k + 1]
        slack[k] = begin[k] - arrive[k] + shift_max
    return driven


@njit(cache=True)
def slot_table(timed: np.ndarray, travel: np.ndarray, service: np.ndarray, tour: int) -> np.ndarray:
    """Return a timed tour's slot table, one column per slot between positions k and k + 1.

    ``timed`` holds the tour's nodes, places, arrivals, starts and slacks as rows. The table's
    rows: tour, k, place at k, departure from k, place at k + 1, slack at k + 1, the leg's
    driving, arrival at k + 1, node at k + 1 (see :meth:`optimizer._ils.Search.slots`).
    """
    count = timed.shape[1] - 1
    table = np.empty((9, count), np.int64)
    for k in range(count):
        here, there = timed[1, k], timed[1, k + 1]
        table[0, k] = tour
        table[1, k] = k
        table[2, k] = here
        table[3, k] = timed[3, k] + service[timed[0, k]]
        table[4, k] = there
        table[5, k] = timed[4, k + 1]
        table[6, k] = travel[here, there]
        table[7, k] = timed[2, k + 1]
        table[8, k] = timed[0, k + 1]
    return table


@njit(cache=True)
def _without(nodes: np.ndarray, k: int, rest: np.ndarray) -> int:
    """Copy ``nodes`` without position ``k`` into ``rest``; return how many were copied."""
    size = 0
    for i in range(nodes.shape[0]):
        if i != k:
            rest[size] = nodes[i]
            size += 1
    return size


@njit(cache=True)
def _time_buffer(
    trial: np.ndarray,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    follow: int,
    depart: int,
    deadline: int,
) -> int:
    """Return the driving of ``trial`` timed at earliest starts, or NO_FIT."""
    count = trial.shape[0]
    loc = np.empty(count, np.int64)
    arrive = np.empty(count, np.int64)
    begin = np.empty(count, np.int64)
    slack = np.empty(count, np.int64)
    return time_tour(
        trial, travel, opens, closes, service, follow, depart, deadline, loc, arrive, begin, slack
    )


@njit(cache=True)
def reversed_travel(
    nodes: np.ndarray,
    first: int,
    last: int,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    follow: int,
    depart: int,
    deadline: int,
) -> int:
    """Return the driving of the tour with positions ``first..last`` reversed, or NO_FIT."""
    trial = nodes.copy()
    for i in range(last - first + 1):
        trial[first + i] = nodes[last - i]
    return _time_buffer(trial, travel, opens, closes, service, follow, depart, deadline)


@njit(cache=True)
def joined_travel(
    head: np.ndarray,
    cut: int,
    tail: np.ndarray,
    resume: int,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    follow: int,
    depart: int,
    deadline: int,
) -> int:
    """Return the driving of ``head[:cut + 1]`` followed by ``tail[resume + 1:]``, or NO_FIT."""
    trial = np.empty(cut + 1 + tail.shape[0] - resume - 1, np.int64)
    trial[: cut + 1] = head[: cut + 1]
    trial[cut + 1 :] = tail[resume + 1 :]
    return _time_buffer(trial, travel, opens, closes, service, follow, depart, deadline)


@njit(cache=True, error_model="numpy")
def _best_step(
    tours: np.ndarray,
    lengths: np.ndarray,
    free: np.ndarray,
    width: int,
    loc: np.ndarray,
    begin: np.ndarray,
    slack: np.ndarray,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    prize2: np.ndarray,
    follow: int,
    noise: float,
    feasible: np.ndarray,
) -> tuple[int, int, int]:
    """Return (tour, slot, free index) of the best greedy insertion over every tour's slots.

    A pair's ratio is prize² per added second (an insertion that saves time, which travel
    times breaking the triangle inequality allow, counts as adding none), times a factor drawn
    uniformly from ``[1 - noise, 1 + noise]`` when ``noise`` > 0 (the kernels' own stream, see
    :func:`seed`); a pair that does not fit counts -1 and the first best pair, tour by tour,
    slot by slot, customer by customer, wins. Slots before a place-less lunch are left out.
    ``feasible[j]`` is set to whether free customer ``j`` fits any slot.
    """
    best_t, best_s, best_j, best_ratio = -1, -1, -1, -1.0
    for j in range(width):
        feasible[j] = False
    for t in range(tours.shape[0]):
        for s in range(lengths[t] - 1):
            if tours[t, s + 1] == follow:
                continue
            here, there = loc[t, s], loc[t, s + 1]
            dep = begin[t, s] + service[tours[t, s]]
            base = dep + travel[here, there]
            for j in range(width):
                f = free[j]
                at = dep + travel[here, f]
                if at < opens[f]:
                    at = opens[f]
                shift = at + service[f] + travel[f, there] - base
                if at <= closes[f] and shift <= slack[t, s + 1]:
                    feasible[j] = True
                    ratio = prize2[f] / (max(shift, 0) + 1.0)
                    if noise > 0.0:
                        ratio = ratio * np.random.uniform(1.0 - noise, 1.0 + noise)
                else:
                    ratio = -1.0
                if best_t < 0 or ratio > best_ratio:
                    best_t, best_s, best_j, best_ratio = t, s, j, ratio
    return best_t, best_s, best_j


@njit(cache=True)
def fill_tours(
    tours: np.ndarray,
    lengths: np.ndarray,
    free: np.ndarray,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    prize2: np.ndarray,
    group: np.ndarray,
    follow: int,
    departs: np.ndarray,
    deadlines: np.ndarray,
    noise: float,
    inserted: np.ndarray,
) -> tuple[int, int]:
    """Insert free customers greedily, best insertion first, until none fits anywhere.

    The loop of :meth:`optimizer._ils.Search.fill` in one call: each step scores every (slot,
    free customer) pair of every tour (:func:`_best_step`), inserts the best, re-times its
    tour and drops the customer and its other windows from ``free``, and every customer that
    fitted nowhere. ``tours`` (one row per tour, room
    for every free customer) and ``lengths`` are edited in place; the inserted customers are
    written to ``inserted`` in order. Returns (how many were inserted, how many customers are
    left in ``free[:left]``, all fitting nowhere): the caller may still try them before a
    place-less lunch.
    """
    m, cap = tours.shape
    loc = np.empty((m, cap), np.int64)
    arrive = np.empty((m, cap), np.int64)
    begin = np.empty((m, cap), np.int64)
    slack = np.empty((m, cap), np.int64)
    timing = (travel, opens, closes, service, follow)
    for t in range(m):
        time_tour(
            tours[t, : lengths[t]], *timing, departs[t], deadlines[t],
            loc[t], arrive[t], begin[t], slack[t],
        )  # fmt: skip
    width = free.shape[0]
    feasible = np.empty(width, np.bool_)
    done = 0
    while width > 0:
        t, s, j = _best_step(
            tours, lengths, free, width, loc, begin, slack, travel, opens, closes, service,
            prize2, follow, noise, feasible,
        )  # fmt: skip
        if not feasible[:width].any():
            return done, width
        node, size = free[j], lengths[t]
        tours[t, s + 2 : size + 1] = tours[t, s + 1 : size].copy()
        tours[t, s + 1] = node
        timed = time_tour(
            tours[t, : size + 1], *timing, departs[t], deadlines[t],
            loc[t], arrive[t], begin[t], slack[t],
        )  # fmt: skip
        fits = timed != NO_FIT
        if fits:
            lengths[t] = size + 1
            inserted[done] = node
            done += 1
        else:  # put the tour back as it was
            tours[t, s + 1 : size] = tours[t, s + 2 : size + 1].copy()
            time_tour(
                tours[t, :size], *timing, departs[t], deadlines[t],
                loc[t], arrive[t], begin[t], slack[t],
            )  # fmt: skip
        mates = group[node] if fits else -1  # a customer's other windows go with it
        kept = 0
        for k in range(width):
            f = free[k]
            if feasible[k] and f != node and (mates < 0 or group[f] != mates):
                free[kept] = f
                kept += 1
        width = kept
    return done, 0


@njit(cache=True)
def best_swap(
    nodes: np.ndarray,
    spots: np.ndarray,
    free: np.ndarray,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    prize: np.ndarray,
    group: np.ndarray,
    follow: int,
    depart: int,
    deadline: int,
    eps: float,
) -> tuple[float, int, int, int]:
    """Return (gain, spot k, free node, slot) of the best visit-for-free-customer trade in a tour.

    For each position ``k`` in ``spots`` (in order), the tour without its visit is re-timed and
    every free customer worth more (and not the other window of the same customer) is tried
    in every slot of it, slot-major; the gain is the prize difference less 1e-7 per added
    second. The first strictly best trade wins. Gain is -inf when none fits.
    """
    count = nodes.shape[0]
    rest = np.empty(count, np.int64)
    loc = np.empty(count, np.int64)
    arrive = np.empty(count, np.int64)
    begin = np.empty(count, np.int64)
    slack = np.empty(count, np.int64)
    cand = np.empty(free.shape[0], np.int64)
    best_gain, best_k, best_node, best_at = -np.inf, -1, -1, -1
    for spot in range(spots.shape[0]):
        k = spots[spot]
        out = nodes[k]
        width = 0
        for j in range(free.shape[0]):
            f = free[j]
            if prize[f] > prize[out] + eps and not (group[out] >= 0 and group[f] == group[out]):
                cand[width] = f
                width += 1
        if width == 0:
            continue
        size = _without(nodes, k, rest)
        timed = time_tour(
            rest[:size], travel, opens, closes, service, follow, depart, deadline,
            loc, arrive, begin, slack,
        )  # fmt: skip
        if timed == NO_FIT:
            continue
        row_gain, row_node, row_at = _best_trade(
            rest, size, cand, width, prize[out], loc, begin, slack,
            travel, opens, closes, service, prize, follow,
        )  # fmt: skip
        if row_at >= 0 and (best_k < 0 or row_gain > best_gain):
            best_gain, best_k, best_node, best_at = row_gain, k, row_node, row_at
    return best_gain, best_k, best_node, best_at


@njit(cache=True)
def _best_trade(
    rest: np.ndarray,
    size: int,
    cand: np.ndarray,
    width: int,
    out_prize: float,
    loc: np.ndarray,
    begin: np.ndarray,
    slack: np.ndarray,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    prize: np.ndarray,
    follow: int,
) -> tuple[float, int, int]:
    """Return (gain, node, slot) of the best of ``cand[:width]`` in a timed tour; slot -1 if none.

    Slots before a place-less lunch are left out, as :meth:`optimizer._ils.Search.positions`
    leaves them out.
    """
    best_gain, best_node, best_at = -np.inf, -1, -1
    for s in range(size - 1):
        if rest[s + 1] == follow:
            continue
        dep = begin[s] + service[rest[s]]
        here, there = loc[s], loc[s + 1]
        base = dep + travel[here, there]
        for j in range(width):
            f = cand[j]
            t = dep + travel[here, f]
            if t < opens[f]:
                t = opens[f]
            shift = t + service[f] + travel[f, there] - base
            if t <= closes[f] and shift <= slack[s + 1]:
                gain = (prize[f] - out_prize) - shift * 1e-7
                if best_at < 0 or gain > best_gain:
                    best_gain, best_node, best_at = gain, f, s
    return best_gain, best_node, best_at


@njit(cache=True)
def cheapest_slot_without(
    nodes: np.ndarray,
    k: int,
    node: int,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    follow: int,
    depart: int,
    deadline: int,
) -> tuple[int, int, int]:
    """Time the tour without position ``k`` and find ``node``'s cheapest feasible slot in it.

    Returns (driving of the tour without ``k`` or NO_FIT, driving the insertion adds, slot);
    the slot is -1 when ``node`` fits nowhere. The slot's index is in the tour without ``k``;
    slots before a place-less lunch are left out and ties go to the first slot, as the NumPy
    insertion grid of :mod:`optimizer._ils` decided. Relocating a visit in its own tour and
    trading visits between tours both ask this once per candidate. ``node`` has a place of its
    own: never the place-less lunch (which is mandatory, and moved only by
    :meth:`optimizer._ils.Search.relocate_follow`).
    """
    count = nodes.shape[0]
    rest = np.empty(count, np.int64)
    loc = np.empty(count, np.int64)
    arrive = np.empty(count, np.int64)
    begin = np.empty(count, np.int64)
    slack = np.empty(count, np.int64)
    size = _without(nodes, k, rest)
    base = time_tour(
        rest[:size], travel, opens, closes, service, follow, depart, deadline,
        loc, arrive, begin, slack,
    )  # fmt: skip
    if base == NO_FIT:
        return NO_FIT, 0, -1
    best_extra, best_at = 0, -1
    for s in range(size - 1):
        if rest[s + 1] == follow:
            continue
        dep = begin[s] + service[rest[s]]
        here, there = loc[s], loc[s + 1]
        leg = travel[here, there]
        t = dep + travel[here, node]
        if t < opens[node]:
            t = opens[node]
        shift = t + service[node] + travel[node, there] - dep - leg
        if t <= closes[node] and shift <= slack[s + 1]:
            extra = travel[here, node] + travel[node, there] - leg
            if best_at < 0 or extra < best_extra:
                best_extra, best_at = extra, s
    return base, best_extra, best_at


@njit(cache=True)
def best_replacement(
    table: np.ndarray,
    free: np.ndarray,
    mandatory: np.ndarray,
    follow: int,
    travel: np.ndarray,
    opens: np.ndarray,
    closes: np.ndarray,
    service: np.ndarray,
    prize: np.ndarray,
    eps: float,
) -> tuple[float, int, int]:
    """Return (score, position, free node) of the best same-place replacement in one tour.

    ``table`` is the tour's slot table (:meth:`optimizer._ils.Search.slots`). A free customer
    may take a visit's place (same neighbours) when it keeps the next window and either pays
    more, or pays the same and arrives earlier; the score is the prize gained times 1e6 less
    the delay. Score is -inf when nothing qualifies.
    """
    slots = table.shape[1]
    width = free.shape[0]
    best_score, best_k, best_node = -np.inf, -1, -1
    found = False
    for col in range(slots - 1):
        out = table[8, col]
        if mandatory[out] or table[8, col + 1] == follow:
            continue
        prev_loc, dep = table[2, col], table[3, col]
        next_loc, slack, arrive = table[4, col + 1], table[5, col + 1], table[7, col + 1]
        for j in range(width):
            f = free[j]
            begin = dep + travel[prev_loc, f]
            if begin < opens[f]:
                begin = opens[f]
            delay = begin + service[f] + travel[f, next_loc] - arrive
            gain = prize[f] - prize[out]
            if (
                begin <= closes[f]
                and delay <= slack
                and (gain > eps or (gain > -eps and delay < 0))
            ):
                score = gain * 1e6 - delay
                if not found or score > best_score:
                    best_score, best_k, best_node = score, col + 1, f
                    found = True
    return best_score, best_k, best_node


def _warm_up() -> None:
    """Compile (or load from Numba's on-disk cache) every kernel once, at import.

    The first call of a compiled function costs about half a second even from the cache; paid
    here, it never eats into a route's time budget (a rep's day gets one second in all). The
    argument types match the search's calls exactly, or the search would compile anew.
    """
    nodes = np.array([0, 1, 2], dtype=np.int64)
    ints = np.zeros(3, dtype=np.int64)
    travel = np.ones((3, 3), dtype=np.int64)
    closes = np.full(3, 100, dtype=np.int64)
    prize = np.ones(3, dtype=np.float64)
    free = np.array([1], dtype=np.int64)
    timing = (travel, ints, closes, ints, -1, 0, 100)
    seed(0)
    time_tour(nodes, *timing, ints.copy(), ints.copy(), ints.copy(), ints.copy())
    slot_table(np.zeros((5, 3), dtype=np.int64), travel, ints, 0)
    best_swap(
        nodes, free, free, travel, ints, closes, ints, prize, np.full(3, -1, dtype=np.int64),
        -1, 0, 100, 1e-9,
    )  # fmt: skip
    best_replacement(
        np.zeros((9, 2), dtype=np.int64), free, np.zeros(3, dtype=np.bool_), -1,
        travel, ints, closes, ints, prize, 1e-9,
    )  # fmt: skip
    cheapest_slot_without(nodes, 1, 1, *timing)
    fill_tours(
        np.zeros((1, 4), dtype=np.int64) + nodes[[0, 2, 2, 2]], np.array([2], dtype=np.int64),
        free.copy(), travel, ints, closes, ints, prize, ints - 1, -1,
        np.zeros(1, dtype=np.int64), np.full(1, 100, dtype=np.int64), 0.1,
        np.zeros(1, dtype=np.int64),
    )  # fmt: skip
    reversed_travel(nodes, 1, 1, *timing)
    joined_travel(nodes, 1, nodes, 1, *timing)


_warm_up()
