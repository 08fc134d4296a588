"""Rebalance workload between neighbouring portfolios: which customers to move, and where.

A portfolio's load is the minutes its customers need over four weeks (visits the frequency
asks for times service plus the rep's travel per visit) against the minutes the rep works.
Reps end up unequal: one drowns, the next has room. This model proposes a few customer moves
that even the loads out without scattering the territories, as a CP-SAT assignment:

* a customer may only go to a *neighbouring* portfolio (one of the ``neighbours`` nearest
  territory centres, in either direction) and only when it lies at most ``max_extra_km``
  farther from that territory's centre than from its own: border customers, not far ones;
* pinned customers (a booked visit, a pinned calendar slot) and customers without a
  position never move; reps without available time neither give nor receive;
* at most ``max_moves`` moves in all;
* the load of every rep is measured in per-mille of its own capacity (rounded up); the
  objective is lexicographic by weights: first the highest load, then the sum of distances
  of each load from the team's mean, then the km the moved customers add to their new
  territory (negative when a customer lands nearer), then the number of moves;
* hard constraints keep the highest load and the summed deviation no worse than doing
  nothing, so an answer is never worse than the current split (doing nothing is always
  feasible, and is the answer when the solver finds nothing better in time).

Pure: dataclasses in, dataclasses out; no Flask, no database.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.sat.python import cp_model

from optimizer.model import Location
from optimizer.travel import geodesic_cross_m

# Loads in per-mille of capacity; minutes in tenths (integers for CP-SAT).
PER_MILLE = 1000
UNITS_PER_MIN = 10
# Objective weights: one per-mille of balance is worth WEIGHT_BALANCE hectometres of
# territory stretch; every move costs WEIGHT_MOVE (a pointless move is never proposed).
WEIGHT_BALANCE = 10
WEIGHT_MOVE = 5


@dataclass(frozen=True, slots=True)
class BalanceCustomer:
    """A customer of one portfolio, with what it needs every four weeks."""

    id: int
    owner: int
    location: Location | None
    visits: float  # visits per four weeks its frequency asks for
    service_min: float  # minutes per visit
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class BalanceRep:
    """A portfolio's rep: where the territory is, the time to give, the travel per visit."""

    id: int
    centre: Location | None
    available_min: float  # minutes of work in the next four weeks
    travel_min_per_visit: float


@dataclass(frozen=True, slots=True)
class BalanceSettings:
    """How far the proposal may go and how long to search."""

    max_moves: int = 20
    neighbours: int = 3
    max_extra_km: float = 15.0
    candidates_per_pair: int = 25
    time_limit_s: float = 5.0
    workers: int = 1
    seed: int = 0
    search: bool = True  # False: the greedy first proposal only (benchmarks compare)


@dataclass(frozen=True, slots=True)
class Move:
    """One proposed move, with the customer's distance to both territory centres."""

    customer_id: int
    from_rep: int
    to_rep: int
    km_from_centre_before: float
    km_from_centre_after: float
    minutes_before: float  # what the customer weighs in the giving portfolio
    minutes_after: float  # ... and in the receiving one

    @property
    def km_effect(self) -> float:
        """Km farther (positive) or nearer (negative) from its territory's centre."""
        return self.km_from_centre_after - self.km_from_centre_before


@dataclass(frozen=True, slots=True)
class RepLoad:
    """A portfolio's minutes before and after the proposed moves, against its capacity."""

    rep_id: int
    available_min: float
    before_min: float
    after_min: float

    @property
    def load_before(self) -> float | None:
        return self.before_min / self.available_min if self.available_min > 0 else None

    @property
    def load_after(self) -> float | None:
        return self.after_min / self.available_min if self.available_min > 0 else None


@dataclass(frozen=True)
class BalanceResult:
    """The proposal: the moves, every rep's load before and after, how the search ended."""

    moves: tuple[Move, ...]
    loads: tuple[RepLoad, ...]
    # optimal | feasible (CP-SAT) | greedy (the first proposal was best) | unchanged (no
    # move helps) | trivial (fewer than two reps with capacity, or no border customer)
    status: str
    solve_s: float
    candidates: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def spread(self, after: bool) -> float:
        """Highest minus lowest load (1.0 = 100 %) among reps with capacity."""
        values = _loads(self.loads, after)
        return max(values) - min(values) if values else 0.0

    def max_load(self, after: bool) -> float:
        values = _loads(self.loads, after)
        return max(values) if values else 0.0

    def km_effect(self) -> float:
        return sum(m.km_effect for m in self.moves)


def _loads(loads: Sequence[RepLoad], after: bool) -> list[float]:
    out = []
    for rep in loads:
        value = rep.load_after if after else rep.load_before
        if value is not None:
            out.append(value)
    return out


def customer_minutes(customer: BalanceCustomer, rep: BalanceRep) -> float:
    """Minutes per four weeks the customer takes from this rep: service plus travel."""
    return customer.visits * (customer.service_min + rep.travel_min_per_visit)


def _units(minutes: float) -> int:
    return round(minutes * UNITS_PER_MIN)


def per_mille(load_units: int, available_units: int) -> int:
    """Load in per-mille of capacity, rounded up (the model's own rounding)."""
    return -(-load_units * PER_MILLE // available_units)


def _neighbour_pairs(reps: Sequence[BalanceRep], k: int) -> set[tuple[int, int]]:
    """Directed (giver, receiver) index pairs: each rep and its k nearest, both ways."""
    if len(reps) < 2 or k <= 0:
        return set()
    centres = [r.centre for r in reps]
    dist = geodesic_cross_m(centres, centres)  # type: ignore[arg-type]
    np.fill_diagonal(dist, np.inf)
    pairs: set[tuple[int, int]] = set()
    for i in range(len(reps)):
        for j in np.argsort(dist[i])[: min(k, len(reps) - 1)].tolist():
            pairs.add((i, j))
            pairs.add((j, i))
    return pairs


@dataclass(frozen=True, slots=True)
class Candidate:
    customer: int  # index into customers
    giver: int  # index into active reps
    receiver: int
    km_before: float
    km_after: float


def border_candidates(
    customers: Sequence[BalanceCustomer],
    reps: Sequence[BalanceRep],
    by_rep: dict[int, list[int]],
    settings: BalanceSettings,
) -> list[Candidate]:
    """The border customers each portfolio may give to each neighbour."""
    out: list[Candidate] = []
    for giver, receiver in sorted(_neighbour_pairs(reps, settings.neighbours)):
        movable = [
            i
            for i in by_rep.get(giver, [])
            if not customers[i].pinned and customers[i].location is not None
        ]
        if not movable:
            continue
        points = [customers[i].location for i in movable]
        dist = geodesic_cross_m(points, [reps[giver].centre, reps[receiver].centre]) / 1000  # type: ignore[arg-type, list-item]
        extra = dist[:, 1] - dist[:, 0]
        order = np.argsort(extra, kind="stable")[: settings.candidates_per_pair]
        for k in order.tolist():
            if extra[k] <= settings.max_extra_km:
                out.append(
                    Candidate(movable[k], giver, receiver, float(dist[k, 0]), float(dist[k, 1]))
                )
    return out


def rebalance(
    customers: Sequence[BalanceCustomer],
    reps: Sequence[BalanceRep],
    settings: BalanceSettings | None = None,
) -> BalanceResult:
    """Propose moves that even the portfolios' loads out; never worse than doing nothing."""
    settings = settings or BalanceSettings()
    started = time.perf_counter()
    index = {r.id: i for i, r in enumerate(reps)}
    active = [i for i, r in enumerate(reps) if r.available_min > 0 and r.centre is not None]
    base_min = _base_minutes(customers, reps, index)

    def result(moves: tuple[Move, ...], status: str, n: int = 0) -> BalanceResult:
        after = list(base_min)
        for m in moves:
            after[index[m.from_rep]] -= m.minutes_before
            after[index[m.to_rep]] += m.minutes_after
        loads = tuple(
            RepLoad(r.id, r.available_min, base_min[i], after[i]) for i, r in enumerate(reps)
        )
        return BalanceResult(moves, loads, status, time.perf_counter() - started, n)

    if len(active) < 2 or settings.max_moves <= 0:
        return result((), "trivial")
    sub = [reps[i] for i in active]
    local = {reps[i].id: k for k, i in enumerate(active)}
    by_rep: dict[int, list[int]] = {}
    for ci, c in enumerate(customers):
        if c.owner in local:
            by_rep.setdefault(local[c.owner], []).append(ci)
    cands = border_candidates(customers, sub, by_rep, settings)
    if not cands:
        return result((), "trivial")

    start = greedy_start(customers, sub, by_rep, cands, settings.max_moves)
    proposals = []
    if start:
        proposals.append(result(tuple(_moves(customers, sub, cands, start)), "greedy", len(cands)))
    if settings.search:
        found = _solve(customers, sub, by_rep, cands, settings, start)
        if found is not None:
            chosen, label = found
            proposals.append(
                result(tuple(_moves(customers, sub, cands, chosen)), label, len(cands))
            )
    # The per-mille model rounds: keep the promise on the exact figures, then take the best.
    kept = [p for p in proposals if not worse_than_before(p)]
    if not kept:
        return result((), "unchanged", len(cands))
    return replace(min(kept, key=_rank), solve_s=time.perf_counter() - started)


def _rank(proposal: BalanceResult) -> tuple[float, float, float, int]:
    """Better balance first (highest load, then deviation), then fewer km, then fewer moves."""
    return (
        round(proposal.max_load(after=True), 9),
        round(deviation(proposal.loads, after=True), 9),
        proposal.km_effect(),
        len(proposal.moves),
    )


def _base_minutes(
    customers: Sequence[BalanceCustomer], reps: Sequence[BalanceRep], index: dict[int, int]
) -> list[float]:
    """Every portfolio's minutes today."""
    out = [0.0] * len(reps)
    for c in customers:
        if c.owner in index:
            out[index[c.owner]] += customer_minutes(c, reps[index[c.owner]])
    return out


def _moves(
    customers: Sequence[BalanceCustomer],
    sub: Sequence[BalanceRep],
    cands: Sequence[Candidate],
    chosen: Sequence[int],
) -> list[Move]:
    out = []
    for k in chosen:
        cand = cands[k]
        c = customers[cand.customer]
        giver, receiver = sub[cand.giver], sub[cand.receiver]
        out.append(
            Move(
                c.id,
                giver.id,
                receiver.id,
                cand.km_before,
                cand.km_after,
                customer_minutes(c, giver),
                customer_minutes(c, receiver),
            )
        )
    return out


def greedy_start(
    customers: Sequence[BalanceCustomer],
    sub: Sequence[BalanceRep],
    by_rep: dict[int, list[int]],
    cands: Sequence[Candidate],
    max_moves: int,
) -> list[int]:
    """A first proposal (the solver's hint, and the answer when it finds nothing better): the
    most loaded rep that can gives, to a neighbour, the border customer that most reduces the
    summed deviation (fewest km on ties), as long as the higher of the two loads goes down."""
    giver = np.array([c.giver for c in cands])
    receiver = np.array([c.receiver for c in cands])
    owner_of = np.array([c.customer for c in cands])
    give = np.array([customer_minutes(customers[c.customer], sub[c.giver]) for c in cands])
    take = np.array([customer_minutes(customers[c.customer], sub[c.receiver]) for c in cands])
    km = np.array([c.km_after - c.km_before for c in cands])
    avail = np.array([r.available_min for r in sub])
    minutes = np.zeros(len(sub))
    for r in range(len(sub)):
        minutes[r] = sum(customer_minutes(c, sub[r]) for c in customers if c.owner == sub[r].id)
    mean = minutes.sum() / avail.sum()
    free = np.ones(len(cands), dtype=bool)
    chosen: list[int] = []
    while len(chosen) < max_moves:
        load = minutes / avail
        g_now, r_now = load[giver], load[receiver]
        g_after = (minutes[giver] - give) / avail[giver]
        r_after = (minutes[receiver] + take) / avail[receiver]
        gain = (
            np.abs(g_now - mean)
            + np.abs(r_now - mean)
            - np.abs(g_after - mean)
            - np.abs(r_after - mean)
        )
        ok = free & (np.maximum(g_after, r_after) < g_now - 1e-12) & (gain > 1e-12)
        if not ok.any():
            break
        picks = np.flatnonzero(ok)
        k = int(picks[np.lexsort((km[picks], -gain[picks], -g_now[picks]))[0]])
        minutes[giver[k]] -= give[k]
        minutes[receiver[k]] += take[k]
        free &= owner_of != owner_of[k]
        chosen.append(k)
    return chosen


def _solve(
    customers: Sequence[BalanceCustomer],
    sub: Sequence[BalanceRep],
    by_rep: dict[int, list[int]],
    cands: Sequence[Candidate],
    settings: BalanceSettings,
    hint: Sequence[int] = (),
) -> tuple[list[int], str] | None:
    """Build and solve the assignment; None when the solver proposes no move."""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(len(cands))]
    per_customer: dict[int, list[int]] = {}
    for k, cand in enumerate(cands):
        per_customer.setdefault(cand.customer, []).append(k)
    for ks in per_customer.values():
        if len(ks) > 1:
            model.add_at_most_one(x[k] for k in ks)
    model.add(sum(x) <= settings.max_moves)
    balance = _balance_terms(model, x, customers, sub, by_rep, cands, set(hint))
    km = [round((c.km_after - c.km_before) * 10) for c in cands]  # hectometres
    model.minimize(
        WEIGHT_BALANCE * balance
        + cp_model.LinearExpr.weighted_sum(x, km)
        + WEIGHT_MOVE * cp_model.LinearExpr.sum(x)
    )
    hinted = set(hint)
    for k, var in enumerate(x):
        model.add_hint(var, k in hinted)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = settings.time_limit_s
    solver.parameters.num_workers = max(settings.workers, 1)
    solver.parameters.random_seed = settings.seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = [k for k in range(len(cands)) if solver.boolean_value(x[k])]
    if not chosen:
        return None
    return chosen, "optimal" if status == cp_model.OPTIMAL else "feasible"


def _balance_terms(
    model: cp_model.CpModel,
    x: Sequence[cp_model.IntVar],
    customers: Sequence[BalanceCustomer],
    sub: Sequence[BalanceRep],
    by_rep: dict[int, list[int]],
    cands: Sequence[Candidate],
    hinted: set[int],
) -> cp_model.LinearExpr:
    """Per-mille loads after the moves; the highest and the summed deviation from the team's
    mean never above today's (hard), weighted into one balance term (the highest counts as
    much as every rep's deviation together). Every variable gets the hinted proposal's value:
    CP-SAT cannot complete a hint of the moves alone through the rounding constraints in time."""
    avail = [max(_units(r.available_min), 1) for r in sub]
    base = [
        sum(_units(customer_minutes(customers[ci], sub[r])) for ci in by_rep.get(r, []))
        for r in range(len(sub))
    ]
    flows: list[list[tuple[int, int]]] = [[] for _ in sub]  # (coefficient, var index)
    for k, cand in enumerate(cands):
        c = customers[cand.customer]
        flows[cand.giver].append((-_units(customer_minutes(c, sub[cand.giver])), k))
        flows[cand.receiver].append((_units(customer_minutes(c, sub[cand.receiver])), k))
    before = [per_mille(base[r], avail[r]) for r in range(len(sub))]
    target = -(-sum(base) * PER_MILLE // sum(avail))
    max_before = max(before)
    dev_before = sum(abs(b - target) for b in before)
    pct, devs, hinted_pct = [], [], []
    for r in range(len(sub)):
        load = base[r] + sum(coef * x[k] for coef, k in flows[r])
        hinted_load = base[r] + sum(coef for coef, k in flows[r] if k in hinted)
        ceiling = per_mille(base[r] + sum(max(c, 0) for c, _ in flows[r]), avail[r])
        p = model.new_int_var(0, max(max_before, ceiling) + 1, f"p{r}")
        # p = ceil(1000 * load / avail)
        model.add(avail[r] * p >= PER_MILLE * load)
        model.add(avail[r] * p <= PER_MILLE * load + avail[r] - 1)
        d = model.new_int_var(0, max(max_before, ceiling) + 1 + target, f"d{r}")
        model.add(d >= p - target)
        model.add(d >= target - p)
        model.add_hint(p, per_mille(hinted_load, avail[r]))
        model.add_hint(d, abs(per_mille(hinted_load, avail[r]) - target))
        hinted_pct.append(per_mille(hinted_load, avail[r]))
        pct.append(p)
        devs.append(d)
    highest = model.new_int_var(0, max_before, "max")
    model.add_max_equality(highest, pct)
    model.add_hint(highest, min(max(hinted_pct), max_before))
    model.add(sum(devs) <= dev_before)
    return cp_model.LinearExpr.weighted_sum([highest, *devs], [len(sub)] + [1] * len(devs))


def deviation(loads: Sequence[RepLoad], after: bool) -> float:
    """Sum of each load's distance from the team's load (all minutes over all capacity)."""
    counted = [r for r in loads if r.available_min > 0]
    if not counted:
        return 0.0
    total = sum(r.after_min if after else r.before_min for r in counted)
    mean = total / sum(r.available_min for r in counted)
    return sum(
        abs((r.after_min if after else r.before_min) / r.available_min - mean) for r in counted
    )


def worse_than_before(result: BalanceResult, tolerance: float = 1e-9) -> bool:
    """True when the proposal raises the highest load or the summed deviation."""
    return (
        result.max_load(after=True) > result.max_load(after=False) + tolerance
        or deviation(result.loads, after=True) > deviation(result.loads, after=False) + tolerance
    )


def centre_of(points: Sequence[Location], fallback: Location | None = None) -> Location | None:
    """A territory's centre: the mean of its customers' positions (the base without any)."""
    if not points:
        return fallback
    lat = math.fsum(p.lat for p in points) / len(points)
    lon = math.fsum(p.lon for p in points) / len(points)
    return Location(lat, lon)
