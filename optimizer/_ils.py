"""Iterated local search for orienteering with time windows (one or more tours).

Greedy insertion by prize²/added-time with O(1) feasibility from forward slack, a 1-1 swap
that trades a visit for a better-paid one, and perturbations that remove a run of consecutive
or random visits. The run is bounded by an iteration budget, so a seed fixes the result; the
wall-clock limit is only a safety net.
"""

from __future__ import annotations

import functools
import importlib
import time
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from optimizer._core import Core, Schedule, Tour

EPS = 1e-9
CLOCK = time.perf_counter  # the harness may swap in process_time to time CPU, not wall
TWO_OPT_TRIES = 20
EXCHANGE_TRIES = 10  # visit pairs re-timed per pair of tours by exchange_between, best bound first
SWAP_SAMPLE = 40  # removal spots tried per swap: bounds the cost on long tours
NOISE = 0.2  # relative jitter of insertion ratios after a perturbation
RESTART_AFTER = 20  # perturbations without a new best before going back to a restart point
DEEP_WITHIN = 0.97  # polish only perturbed solutions this close to the best
ELITE = 4  # restart points: the best distinct solutions seen; restarts cycle through them


NO_FIT = -1  # what the timing kernels return for a tour that misses a window (_kernels.NO_FIT)


@functools.cache
def compiled() -> ModuleType:
    """Return the compiled kernels (:mod:`optimizer._kernels`), importing them on first use.

    Importing Numba and warming the kernels takes about a second and a half; every process
    that imports the optimizer (web workers, CLI commands, the tests' servers) would pay it
    whether it routes or not. The engine calls this before its clock starts, so no route's
    time budget pays it either.
    """
    return importlib.import_module("optimizer._kernels")


def timed(core: Core, tour: Tour, nodes: list[int]) -> Schedule | None:
    """Time a tour as :func:`optimizer._core.schedule` does, through the compiled kernel.

    The same schedule (the tests compare the two on random tours), about a fifth of the time
    on long tours; the search times a tour after nearly every move it makes.
    """
    count = len(nodes)
    out = np.empty((4, count), dtype=np.int64)
    travel = compiled().time_tour(
        np.array(nodes, dtype=np.int64), core.travel, core.open, core.close, core.service,
        core.follow, tour.depart, tour.deadline, out[0], out[1], out[2], out[3],
    )  # fmt: skip
    if travel == NO_FIT:
        return None
    out[3, 0] = 0  # the start's slack is never read; the Python scheduler leaves it 0
    loc, arrive, begin, slack = out.tolist()
    return Schedule(nodes, loc, arrive, begin, slack, int(travel))


@dataclass(slots=True)
class Solution:
    """Tours as node lists (start and end included) with their schedules."""

    tours: list[list[int]]
    scheds: list[Schedule]
    prize: float
    travel: int

    def copy(self) -> Solution:
        """Return a copy whose tours can be edited without touching this one."""
        return Solution([list(t) for t in self.tours], list(self.scheds), self.prize, self.travel)

    def key(self) -> tuple[float, int]:
        """Return the ordering key: more prize first, then less driving."""
        return (round(self.prize, 6), -self.travel)


class Search:
    """State shared by the moves of one run: the instance, its arrays and the random stream."""

    def __init__(self, core: Core, seed: int) -> None:
        self.core = core
        self.rng = np.random.default_rng(seed)
        self.T = core.travel
        self.svc = core.service
        self.prize2 = core.prize**2
        self.departs = np.array([t.depart for t in core.tours], dtype=np.int64)
        self.deadlines = np.array([t.deadline for t in core.tours], dtype=np.int64)
        self.is_mandatory = np.zeros(core.size, dtype=np.bool_)
        self.is_mandatory[list(core.mandatory)] = True
        self.customers = np.array(
            [c for c in core.customers if c not in core.mandatory], dtype=np.int64
        )
        groups = core.group
        self.mates: dict[int, list[int]] = {}
        for c in core.customers:
            if groups[c] >= 0:
                self.mates[c] = [d for d in core.customers if groups[d] == groups[c]]

    # -- bookkeeping -------------------------------------------------------------------------
    def build(self, tours: list[list[int]]) -> Solution | None:
        """Schedule every tour; None when one is infeasible."""
        scheds = []
        for tour, nodes in zip(self.core.tours, tours, strict=True):
            s = timed(self.core, tour, nodes)
            if s is None:
                return None
            scheds.append(s)
        prize = float(sum(self.core.prize[n] for t in tours for n in t[1:-1]))
        return Solution(tours, scheds, prize, sum(s.travel for s in scheds))

    def free_nodes(self, sol: Solution) -> np.ndarray:
        """Return optional customers that are neither visited nor blocked by a group mate."""
        group = self.core.group
        taken = np.zeros(len(group), dtype=bool)
        visited = np.array([n for t in sol.tours for n in t[1:-1]], dtype=np.int64)
        if visited.size:
            taken[visited] = True
            held = group[visited]
            held = held[held >= 0]
            if held.size:  # a customer's other window is taken with it
                taken |= (group >= 0) & np.isin(group, held)
        free: np.ndarray = self.customers[~taken[self.customers]]
        return free

    def slots(self, ti: int, s: Schedule) -> np.ndarray:
        """Return (cached) rows per insertion slot: tour, index, place, departure, next place,
        slack of the next position, leg, arrival at the next position."""
        if s.table is None:
            timed = np.array((s.nodes, s.loc, s.arrive, s.begin, s.slack), dtype=np.int64)
            table = compiled().slot_table(timed, self.T, self.svc, ti)
            s.table = table
        return s.table

    def _timing(
        self, ti: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int, int]:
        """Return the arguments every timing kernel takes after the tour, for tour ``ti``."""
        c, tour = self.core, self.core.tours[ti]
        return (self.T, c.open, c.close, self.svc, c.follow, tour.depart, tour.deadline)

    def positions(self, scheds: dict[int, Schedule]) -> tuple[np.ndarray, ...]:
        """Return the slot columns over the given tours, lunch slots excluded."""
        parts = [self.slots(ti, s) for ti, s in scheds.items()]
        table = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        if self.core.follow >= 0:
            table = table[:, table[8] != self.core.follow]
        return tuple(table)

    def insertion_grid(
        self, sol: Solution | dict[int, Schedule], free: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
        """Return feasibility and added time of every (slot, free node) pair."""
        scheds = dict(enumerate(sol.scheds)) if isinstance(sol, Solution) else sol
        pos = self.positions(scheds)
        _, _, here, dep, there, slack, leg, _, _ = pos
        c = self.core
        arrive = dep[:, None] + self.T[here[:, None], free[None, :]]
        begin = np.maximum(arrive, c.open[free][None, :])
        shift = begin + self.svc[free][None, :] + self.T[free[None, :], there[:, None]]
        shift -= (dep + leg)[:, None]
        ok = (begin <= c.close[free][None, :]) & (shift <= slack[:, None])
        return ok, shift, pos

    def insert(self, sol: Solution, node: int, ti: int, k: int) -> bool:
        """Insert ``node`` after position ``k`` of tour ``ti``; False if it breaks the tour."""
        nodes = sol.tours[ti]
        nodes.insert(k + 1, node)
        s = timed(self.core, self.core.tours[ti], nodes)
        if s is None:
            del nodes[k + 1]
            return False
        sol.travel += s.travel - sol.scheds[ti].travel
        sol.scheds[ti] = s
        sol.prize += float(self.core.prize[node])
        return True

    # -- moves -------------------------------------------------------------------------------
    def fill(self, sol: Solution, noise: float, banned: frozenset[int] = frozenset()) -> None:
        """Insert free customers greedily by prize² per added second until none fits."""
        free = self.free_nodes(sol)
        if banned:
            free = free[[f not in banned for f in free.tolist()]]
        while free.size:
            left = self._fill_compiled(sol, free, noise)
            if not left.size:
                return
            placed = self.insert_before_follow(sol, left)
            if placed is None:
                return
            gone = set(self.mates.get(placed, (placed,)))
            free = left[[f not in gone for f in left.tolist()]]

    def _fill_compiled(self, sol: Solution, free: np.ndarray, noise: float) -> np.ndarray:
        """Run the greedy insertion loop in :func:`optimizer.compiled().fill_tours`; return the
        free customers that fit nowhere (the caller may still try them before a lunch)."""
        c = self.core
        lengths = np.array([len(t) for t in sol.tours], dtype=np.int64)
        tours = np.zeros((len(sol.tours), int(lengths.max()) + free.size), dtype=np.int64)
        for ti, nodes in enumerate(sol.tours):
            tours[ti, : len(nodes)] = nodes
        pool = free.copy()
        inserted = np.empty(free.size, dtype=np.int64)
        done, left = compiled().fill_tours(
            tours, lengths, pool, self.T, c.open, c.close, self.svc, self.prize2, c.group,
            c.follow, self.departs, self.deadlines, noise, inserted,
        )  # fmt: skip
        if done:
            for ti, nodes in enumerate(sol.tours):
                if lengths[ti] != len(nodes):
                    fresh = timed(c, c.tours[ti], tours[ti, : lengths[ti]].tolist())
                    assert fresh is not None, "the kernel timed this tour"
                    sol.tours[ti], sol.scheds[ti] = fresh.nodes, fresh
            for node in inserted[:done].tolist():
                sol.prize += float(c.prize[node])
            sol.travel = sum(x.travel for x in sol.scheds)
        return pool[:left]

    def insert_before_follow(self, sol: Solution, free: np.ndarray) -> int | None:
        """Try the slot right before a place-less lunch, which the slot grid leaves out.

        Lunch without a place happens wherever the rep is, so a visit inserted before it
        moves the lunch too and the O(1) slack check does not apply; a full schedule
        decides. Without this, a day whose lunch is its first stop could never get a
        morning-only customer. Returns the inserted node, or None.
        """
        follow = self.core.follow
        if follow < 0 or not free.size:
            return None
        order = free[np.argsort(-self.prize2[free], kind="stable")]
        for ti, nodes in enumerate(sol.tours):
            if follow not in nodes:
                continue
            k = nodes.index(follow) - 1
            for node in order.tolist():
                if self.insert(sol, int(node), ti, k):
                    return int(node)
        return None

    def replace(self, sol: Solution) -> bool:
        """Put a better-paid free customer in a visit's place (same neighbours); True if done."""
        free = self.free_nodes(sol)
        if not free.size:
            return False
        c, best = self.core, None
        for ti, sched in enumerate(sol.scheds):
            score, k, node = compiled().best_replacement(
                self.slots(ti, sched),
                free,
                self.is_mandatory,
                c.follow,
                self.T,
                c.open,
                c.close,
                self.svc,
                c.prize,
                EPS,
            )
            if k >= 0 and (best is None or score > best[0]):
                best = (score, ti, k, node)
        if best is None:
            return False
        _, ti, k, node = best
        nodes = list(sol.tours[ti])
        out_node, nodes[k] = nodes[k], node
        fresh = timed(c, c.tours[ti], nodes)
        if fresh is None:
            return False
        sol.tours[ti] = nodes
        sol.scheds[ti] = fresh
        sol.prize += float(c.prize[node] - c.prize[out_node])
        sol.travel = sum(x.travel for x in sol.scheds)
        return True

    def swap(self, sol: Solution) -> bool:
        """Trade one visit for a free customer worth more, placed anywhere in its tour."""
        free = self.free_nodes(sol)
        if not free.size:
            return False
        c = self.core
        spots = [
            (ti, k)
            for ti, nodes in enumerate(sol.tours)
            for k in range(1, len(nodes) - 1)
            if nodes[k] not in c.mandatory
        ]
        if len(spots) > SWAP_SAMPLE:
            picks = self.rng.choice(len(spots), SWAP_SAMPLE, replace=False)
            spots = [spots[int(i)] for i in np.sort(picks)]
        best: tuple[float, int, int, int, int] | None = None
        for ti in sorted({ti for ti, _ in spots}):  # tour by tour, spots in order
            tour = c.tours[ti]
            gain, k, node, at = compiled().best_swap(
                np.array(sol.tours[ti], dtype=np.int64),
                np.array([k for tj, k in spots if tj == ti], dtype=np.int64),
                free,
                self.T,
                c.open,
                c.close,
                self.svc,
                c.prize,
                c.group,
                c.follow,
                tour.depart,
                tour.deadline,
                EPS,
            )
            if k >= 0 and (best is None or gain > best[0]):
                best = (gain, ti, k, node, at)
        if best is None:
            return False
        _, ti, k, node, at = best
        rest = sol.tours[ti][:k] + sol.tours[ti][k + 1 :]
        trial = [*rest[: at + 1], node, *rest[at + 1 :]]
        fresh = timed(c, c.tours[ti], trial)
        if fresh is None:
            return False
        sol.prize += float(c.prize[node] - c.prize[sol.tours[ti][k]])
        sol.tours[ti] = trial
        sol.scheds[ti] = fresh
        sol.travel = sum(x.travel for x in sol.scheds)
        return True

    def removal_savings(self, sched: Schedule) -> np.ndarray:
        """Return the driving saved by removing each position's visit (ends get -1).

        Exact when the tour has no place-less lunch (the caller checks): a visit's legs are
        replaced by the direct leg between its neighbours.
        """
        loc = np.asarray(sched.loc, dtype=np.int64)
        saved = np.full(len(loc), -1, dtype=np.int64)
        if len(loc) > 2:
            prev, here, nxt = loc[:-2], loc[1:-1], loc[2:]
            saved[1:-1] = self.T[prev, here] + self.T[here, nxt] - self.T[prev, nxt]
        return saved

    def may_relocate(self, sched: Schedule) -> np.ndarray:
        """Return, per position, whether some other slot of the tour is cheaper to insert its
        visit into than the driving its removal saves: a necessary condition for
        :meth:`relocate` to move it, checked for all positions at once (no lunch)."""
        loc = np.asarray(sched.loc, dtype=np.int64)
        count = len(loc)
        if count < 4:
            return np.zeros(count, dtype=bool)
        here, there = loc[:-1], loc[1:]
        inner = loc[1:-1]
        cost = self.T[here[:, None], inner[None, :]] + self.T[inner[None, :], there[:, None]]
        cost -= self.T[here, there][:, None]  # rows: slots 0..count-2, columns: positions 1..
        slot = np.arange(count - 1)[:, None]
        pos = np.arange(1, count - 1)[None, :]
        cost = np.where((slot == pos - 1) | (slot == pos), np.iinfo(np.int64).max, cost)
        out = np.zeros(count, dtype=bool)
        out[1:-1] = cost.min(axis=0) < self.removal_savings(sched)[1:-1]
        return out

    def relocate(self, sol: Solution) -> bool:
        """Move single visits to the slot of their tour that shortens driving most."""
        c, moved = self.core, False
        for ti in range(len(sol.tours)):
            k = 1
            hopeful = None if c.follow >= 0 else self.may_relocate(sol.scheds[ti])
            while k < len(sol.tours[ti]) - 1:
                nodes = sol.tours[ti]
                node = nodes[k]
                if node in c.mandatory or (hopeful is not None and not hopeful[k]):
                    k += 1
                    continue
                base, extra, at = self._cheapest_without(ti, np.array(nodes), k, node)
                if at >= 0 and base + extra < sol.scheds[ti].travel:
                    rest = nodes[:k] + nodes[k + 1 :]
                    trial = [*rest[: at + 1], node, *rest[at + 1 :]]
                    sched = timed(c, c.tours[ti], trial)
                    if sched is not None and sched.travel < sol.scheds[ti].travel:
                        sol.tours[ti] = trial
                        sol.scheds[ti] = sched
                        moved = True
                        if hopeful is not None:
                            hopeful = self.may_relocate(sched)
                        continue
                k += 1
        sol.travel = sum(x.travel for x in sol.scheds)
        return moved

    def move_between(self, sol: Solution) -> bool:
        """Move one visit to another tour where it adds less driving than it saves (m > 1).

        Without a place-less lunch, the saving of every removal and the cheapest feasible slot
        of every visit in the other tours (whose schedules do not change) are computed at once,
        so only a visit that passes both is re-timed.
        """
        c = self.core
        if len(sol.tours) < 2:
            return False
        for ti, nodes in enumerate(sol.tours):
            ks = [k for k in range(1, len(nodes) - 1) if nodes[k] not in c.mandatory]
            if not ks:
                continue
            others = {tj: s for tj, s in enumerate(sol.scheds) if tj != ti}
            visits = np.array([nodes[k] for k in ks], dtype=np.int64)
            ok, _, pos = self.insertion_grid(others, visits)
            added = (
                self.T[pos[2][:, None], visits[None, :]]
                + self.T[visits[None, :], pos[4][:, None]]
                - pos[6][:, None]
            )
            added = np.where(ok, added, np.iinfo(np.int64).max)
            cheapest = added.argmin(axis=0)
            if c.follow < 0:
                saved_all = self.removal_savings(sol.scheds[ti])
                hopeful = [
                    j
                    for j, k in enumerate(ks)
                    if ok[cheapest[j], j] and added[cheapest[j], j] < saved_all[k]
                ]
            else:
                hopeful = [j for j in range(len(ks)) if ok[cheapest[j], j]]
            for j in hopeful:
                k, node, at = ks[j], int(visits[j]), int(cheapest[j])
                rest = nodes[:k] + nodes[k + 1 :]
                base = timed(c, c.tours[ti], rest)
                if base is None:
                    continue
                saved = sol.scheds[ti].travel - base.travel
                if int(added[at, j]) >= saved:
                    continue
                tj, slot = int(pos[0][at]), int(pos[1][at])
                target = [*sol.tours[tj][: slot + 1], node, *sol.tours[tj][slot + 1 :]]
                fresh = timed(c, c.tours[tj], target)
                if fresh is None:
                    continue
                sol.tours[ti], sol.scheds[ti] = rest, base
                sol.tours[tj], sol.scheds[tj] = target, fresh
                sol.travel = sum(x.travel for x in sol.scheds)
                return True
        return False

    def exchange_tails(self, sol: Solution) -> bool:
        """Swap the ends of two tours (2-opt*) when that shortens driving (m > 1)."""
        c = self.core
        for ta in range(len(sol.tours)):
            for tb in range(ta + 1, len(sol.tours)):
                if c.tours[ta] != c.tours[tb]:  # tails may only move between alike tours
                    continue
                a, b = sol.tours[ta], sol.tours[tb]
                la = np.array(sol.scheds[ta].loc, dtype=np.int64)
                lb = np.array(sol.scheds[tb].loc, dtype=np.int64)
                i = np.arange(len(a) - 1)[:, None]
                j = np.arange(len(b) - 1)[None, :]
                delta = (
                    self.T[la[i], lb[j + 1]]
                    + self.T[lb[j], la[i + 1]]
                    - self.T[la[i], la[i + 1]]
                    - self.T[lb[j], lb[j + 1]]
                )
                base = sol.scheds[ta].travel + sol.scheds[tb].travel
                arr_a, arr_b = np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)
                timing_a, timing_b = self._timing(ta), self._timing(tb)
                for flat in np.argsort(delta, axis=None, kind="stable")[:TWO_OPT_TRIES]:
                    if delta.flat[flat] >= 0:
                        break
                    x, y = divmod(int(flat), len(b) - 1)
                    tr_a = compiled().joined_travel(arr_a, x, arr_b, y, *timing_a)
                    if tr_a == NO_FIT or tr_a >= base:
                        continue
                    tr_b = compiled().joined_travel(arr_b, y, arr_a, x, *timing_b)
                    if tr_b == NO_FIT or tr_a + tr_b >= base:
                        continue
                    new_a, new_b = a[: x + 1] + b[y + 1 :], b[: y + 1] + a[x + 1 :]
                    sa = timed(c, c.tours[ta], new_a)
                    sb = timed(c, c.tours[tb], new_b) if sa is not None else None
                    if sa is not None and sb is not None and sa.travel + sb.travel < base:
                        sol.tours[ta], sol.scheds[ta] = new_a, sa
                        sol.tours[tb], sol.scheds[tb] = new_b, sb
                        sol.travel = sum(s.travel for s in sol.scheds)
                        return True
        return False

    def exchange_between(self, sol: Solution) -> bool:
        """Swap two visits of two tours, each at its cheapest feasible slot of the other tour,
        when that shortens driving (m > 1).

        ``move_between`` cannot empty a full tour's seat for a visit that would fit better
        there; a swap can. For every pair of tours a bound is computed for all visit pairs at
        once: the driving the two removals save less the cheapest detour each visit could make
        in the other tour without its partner, windows ignored. It is a necessary condition for
        a gain, so only pairs that pass it are re-timed, best bound first; the first one that
        keeps every window and drives less is applied. Tours holding a place-less lunch are
        left alone (the detours assume each node drives from its own place).
        """
        c = self.core
        usable = [ti for ti, t in enumerate(sol.tours) if c.follow < 0 or c.follow not in t]
        for x, ta in enumerate(usable):
            for tb in usable[x + 1 :]:
                if self._exchange_pair(sol, ta, tb):
                    return True
        return False

    def _detour_bound(self, loc: np.ndarray, visits: np.ndarray) -> np.ndarray:
        """Return, per inner position i of a tour (rows) and visit v (columns), the cheapest
        detour that inserting v into the tour without position i could cost, windows ignored."""
        T = self.T
        here, there = loc[:-1], loc[1:]
        detour = T[here[:, None], visits[None, :]] + T[visits[None, :], there[:, None]]
        detour -= T[here, there][:, None]  # rows: slots 0..len-2
        inner = np.arange(1, len(loc) - 1)
        # without position i, slots i-1 and i are gone: the best of the others is the better
        # of the prefix minimum up to slot i-2 and the suffix minimum from slot i+1
        none = np.full((1, len(visits)), np.iinfo(np.int64).max // 4, dtype=np.int64)
        before = np.vstack([none, np.minimum.accumulate(detour, axis=0)])
        after = np.vstack([np.minimum.accumulate(detour[::-1], axis=0)[::-1], none])
        kept = np.minimum(before[inner - 1], after[inner + 1])
        prev, nxt = loc[inner - 1], loc[inner + 1]
        bridged = T[prev[:, None], visits[None, :]] + T[visits[None, :], nxt[:, None]]
        bridged -= T[prev, nxt][:, None]
        result: np.ndarray = np.minimum(kept, bridged)
        return result

    def _cheapest_without(
        self, ti: int, nodes: np.ndarray, k: int, node: int
    ) -> tuple[int, int, int]:
        """Return (driving of tour ``ti`` without position ``k``, driving ``node`` adds at its
        cheapest feasible slot there, that slot); the slot is -1 when either does not fit."""
        rest, extra, at = compiled().cheapest_slot_without(nodes, k, node, *self._timing(ti))
        return rest, extra, (-1 if rest == NO_FIT else at)

    def _exchange_pair(self, sol: Solution, ta: int, tb: int) -> bool:
        """Try :meth:`exchange_between` on tours ``ta`` and ``tb``; True if applied."""
        c = self.core
        a, b = sol.tours[ta], sol.tours[tb]
        if len(a) < 3 or len(b) < 3:
            return False
        loc_a = np.asarray(sol.scheds[ta].loc, dtype=np.int64)
        loc_b = np.asarray(sol.scheds[tb].loc, dtype=np.int64)
        va, vb = loc_a[1:-1], loc_b[1:-1]
        bound = (
            self.removal_savings(sol.scheds[ta])[1:-1][:, None]
            + self.removal_savings(sol.scheds[tb])[1:-1][None, :]
            - self._detour_bound(loc_a, vb)  # b's visit j into a without i: (i, j)
            - self._detour_bound(loc_b, va).T  # a's visit i into b without j: (i, j)
        )
        fixed_a = np.array([n in c.mandatory for n in a[1:-1]])
        fixed_b = np.array([n in c.mandatory for n in b[1:-1]])
        bound[fixed_a, :] = -1
        bound[:, fixed_b] = -1
        hopeful = np.flatnonzero(bound > 0)
        if not hopeful.size:
            return False
        order = hopeful[np.argsort(-bound.flat[hopeful], kind="stable")][:EXCHANGE_TRIES]
        before = sol.scheds[ta].travel + sol.scheds[tb].travel
        arr_a, arr_b = np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)
        for flat in order.tolist():
            i, j = divmod(int(flat), len(vb))
            rest_a, into_a, at_a = self._cheapest_without(ta, arr_a, i + 1, b[j + 1])
            rest_b, into_b, at_b = self._cheapest_without(tb, arr_b, j + 1, a[i + 1])
            if at_a < 0 or at_b < 0 or rest_a + rest_b + into_a + into_b >= before:
                continue
            new_a = a[: i + 1] + a[i + 2 :]
            new_a.insert(at_a + 1, b[j + 1])
            new_b = b[: j + 1] + b[j + 2 :]
            new_b.insert(at_b + 1, a[i + 1])
            sa = timed(c, c.tours[ta], new_a)
            sb = timed(c, c.tours[tb], new_b) if sa is not None else None
            if sa is None or sb is None or sa.travel + sb.travel >= before:
                continue
            sol.tours[ta], sol.scheds[ta] = new_a, sa
            sol.tours[tb], sol.scheds[tb] = new_b, sb
            sol.travel = sum(x.travel for x in sol.scheds)
            return True
        return False

    def two_opt(self, sol: Solution) -> bool:
        """Reverse the stretch of a tour that shortens driving most and keeps every window."""
        c, moved = self.core, False
        for ti, nodes in enumerate(sol.tours):
            count = len(nodes)
            if count < 5:
                continue
            cur = sol.scheds[ti]
            loc = np.array(cur.loc, dtype=np.int64)
            arr = np.array(nodes, dtype=np.int64)
            first, last = np.triu_indices(count - 2, k=1)
            first, last = first + 1, last + 1
            delta = (
                self.T[loc[first - 1], loc[last]]
                + self.T[loc[first], loc[last + 1]]
                - self.T[loc[first - 1], loc[first]]
                - self.T[loc[last], loc[last + 1]]
            )
            for idx in np.argsort(delta, kind="stable")[:TWO_OPT_TRIES]:
                if delta[idx] >= 0:
                    break
                i, j = int(first[idx]), int(last[idx])
                tr = compiled().reversed_travel(arr, i, j, *self._timing(ti))
                if tr == NO_FIT or tr >= cur.travel:
                    continue
                trial = [*nodes[:i], *reversed(nodes[i : j + 1]), *nodes[j + 1 :]]
                sched = timed(c, c.tours[ti], trial)
                if sched is not None and sched.travel < cur.travel:
                    sol.tours[ti] = trial
                    sol.scheds[ti] = sched
                    moved = True
                    break
        sol.travel = sum(x.travel for x in sol.scheds)
        return moved

    def relocate_follow(self, sol: Solution) -> None:
        """Move the place-less lunch to the slot that leaves the most slack at the end."""
        follow = self.core.follow
        for ti, nodes in enumerate(sol.tours):
            if follow not in nodes:
                continue
            base = [n for n in nodes if n != follow]
            best = sol.scheds[ti]
            for k in range(len(base) - 1):
                trial = [*base[: k + 1], follow, *base[k + 1 :]]
                s = timed(self.core, self.core.tours[ti], trial)
                if s is not None and (s.arrive[-1], s.travel) < (best.arrive[-1], best.travel):
                    best = s
            sol.tours[ti] = list(best.nodes)
            sol.scheds[ti] = best
        sol.travel = sum(x.travel for x in sol.scheds)

    def remove(self, sol: Solution, picks: dict[int, list[int]]) -> set[int]:
        """Drop the given positions per tour (a tour that would break keeps its visits)."""
        c = self.core
        removed: set[int] = set()
        for ti, ks in picks.items():
            drop = {k for k in ks if sol.tours[ti][k] not in c.mandatory}
            if not drop:
                continue
            nodes = [n for k, n in enumerate(sol.tours[ti]) if k not in drop]
            s = timed(c, c.tours[ti], nodes)
            if s is None:
                continue
            sol.prize -= float(sum(c.prize[sol.tours[ti][k]] for k in drop))
            removed.update(sol.tours[ti][k] for k in drop)
            sol.tours[ti] = nodes
            sol.scheds[ti] = s
        sol.travel = sum(x.travel for x in sol.scheds)
        return removed

    def perturb(self, sol: Solution, size: int, start: int) -> set[int]:
        """Remove a run of ``size`` visits from ``start`` in one tour, or random visits."""
        picks: dict[int, list[int]] = {}
        segment = self.rng.random() < 0.5
        # With several tours, one tour at a time: a smaller kick is repaired faster (more
        # perturbations per second) and the freed customers may go to any tour.
        hit = [int(self.rng.integers(len(sol.tours)))] if len(sol.tours) > 1 else [0]
        for ti in hit:
            nodes = sol.tours[ti]
            inner = len(nodes) - 2
            if inner <= 0:
                continue
            if segment:
                first = start % inner
                picks[ti] = [1 + (first + j) % inner for j in range(min(size, inner))]
            else:
                count = min(inner, 1 + int(self.rng.integers(max(1, size))))
                picks[ti] = [1 + int(j) for j in self.rng.choice(inner, count, replace=False)]
        return self.remove(sol, picks)


def local_search(
    search: Search,
    sol: Solution,
    noise: float,
    banned: frozenset[int] = frozenset(),
    *,
    deep: bool = True,
) -> None:
    """Fill (first without the just-removed customers), then swap-and-refill to a local optimum."""
    if banned:
        search.fill(sol, noise, banned)
    search.fill(sol, noise)
    if search.core.follow >= 0:
        search.relocate_follow(sol)
        search.fill(sol, 0.0)
    for _ in range(100):
        if not search.replace(sol):
            break
        search.fill(sol, 0.0)
    if deep:
        for _ in range(50):
            if (
                search.swap(sol)
                or search.two_opt(sol)
                or search.relocate(sol)
                or search.move_between(sol)
                or search.exchange_tails(sol)
                or search.exchange_between(sol)
            ):
                search.fill(sol, 0.0)
            else:
                break


def initial(search: Search) -> tuple[Solution, list[int]]:
    """Place mandatory nodes by opening time, then fill; return the ones that cannot fit."""
    c = search.core
    sol = search.build([[t.start, t.end] for t in c.tours])
    assert sol is not None, "empty tours must be feasible"
    missed: list[int] = []
    for node in sorted(c.mandatory, key=lambda n: (int(c.open[n]), n)):
        best: tuple[int, int, int] | None = None
        for ti, nodes in enumerate(sol.tours):
            for k in range(len(nodes) - 1):
                trial = [*nodes[: k + 1], node, *nodes[k + 1 :]]
                s = timed(c, c.tours[ti], trial)
                if s is not None and (best is None or s.arrive[-1] < best[0]):
                    best = (s.arrive[-1], ti, k)
        if best is None:
            missed.append(node)
            continue
        search.insert(sol, node, best[1], best[2])
    return sol, missed


class Run:
    """One ILS run that can stop, take a better solution from elsewhere, and go on.

    When ``restart_after`` perturbations in a row found no new best, the walk goes back to a
    restart point: the best solution first, then in turn the other of the ``elite`` best
    distinct solutions seen (keyed by prize and driving). Going back to the best alone sends
    every restart into the same basin; on long tours, where a second holds few perturbations,
    the result then hangs on the seed's first moves.
    """

    def __init__(
        self, core: Core, seed: int, *, elite: int = ELITE, restart_after: int = RESTART_AFTER
    ) -> None:
        self.elite_size = max(1, elite)
        self.restart_after = max(1, restart_after)
        self.search = Search(core, seed)
        sol, self.missed = initial(self.search)
        local_search(self.search, sol, 0.0)
        self.best = sol.copy()
        self.elite = [sol.copy()]  # best first, distinct keys
        self.current = sol
        self.size, self.start, self.stale = 1, 0, 0
        self.done = 0  # perturbations so far, over every call of iterate
        self.visits = max(1, sum(len(t) - 2 for t in self.best.tours))

    def iterate(self, iterations: int, deadline: float, patience: int | None = None) -> None:
        """Perturb and repair up to ``iterations`` times, until ``deadline`` or ``patience``."""
        search = self.search
        compiled().seed(int(search.rng.integers(2**31)))  # the repair's noise: this run's stream
        for _ in range(iterations):
            if CLOCK() > deadline:
                break
            self.done += 1
            current = self.current
            removed = search.perturb(current, self.size, self.start)
            local_search(search, current, NOISE, frozenset(removed), deep=False)
            if current.prize >= DEEP_WITHIN * self.best.prize:
                local_search(search, current, 0.0, deep=True)
                self.remember(current)
            if current.key() > self.best.key():
                self.best = current.copy()
                self.size, self.stale = 1, 0
            else:
                self.size += 1
                self.stale += 1
            self.start += self.size
            if self.size > max(3, self.visits):
                self.size = 1
            if self.stale and self.stale % self.restart_after == 0:
                back = (self.stale // self.restart_after - 1) % len(self.elite)
                self.current = self.elite[back].copy()
            if patience is not None and self.stale >= patience:
                break

    def remember(self, sol: Solution) -> None:
        """Keep ``sol`` among the ``elite_size`` best distinct solutions seen (restart points)."""
        key = sol.key()
        if any(e.key() == key for e in self.elite):
            return
        if len(self.elite) < self.elite_size or key > self.elite[-1].key():
            self.elite.append(sol.copy())
            self.elite.sort(key=Solution.key, reverse=True)
            del self.elite[self.elite_size :]

    def adopt(self, sol: Solution) -> None:
        """Continue from ``sol`` when it beats the best so far (e.g. OR-Tools' answer)."""
        if sol.key() > self.best.key():
            self.remember(sol)
            self.best = sol.copy()
            self.current = sol.copy()
            self.size, self.stale = 1, 0


def solve(
    core: Core,
    *,
    iterations: int,
    seconds: float,
    seed: int = 0,
    patience: int | None = None,
) -> tuple[Solution, list[int]]:
    """Run the ILS; return the best solution and the mandatory nodes that could not fit.

    Stops after ``iterations`` perturbations, ``patience`` perturbations in a row without a
    new best, or ``seconds`` of wall-clock time, whichever comes first.
    """
    compiled()  # before the clock: importing the kernels is no part of the search
    deadline = CLOCK() + seconds
    run = Run(core, seed)
    run.iterate(iterations, deadline, patience)
    return run.best, run.missed
