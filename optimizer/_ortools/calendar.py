"""The CP-SAT model of one round of the visit calendar: an assignment with fixed day centres.

Every customer picks exactly one of its allowed choices (a set of day indices and a cost that
already holds distance to those days' centres, delivery fit and stability). Each day's
workload stays within its room, and the spread between the most and the least loaded day
(loads scaled to a common day length) is charged per second. Everything is an integer at this
boundary; the caller turns the answer back into patterns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "infeasible",
    cp_model.UNKNOWN: "unknown",
}


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed slot of a customer: the day indices it visits and their cost."""

    days: tuple[int, ...]
    cost: int


@dataclass(frozen=True, slots=True)
class AssignmentInput:
    """One round: per customer its choices and hint; per customer and day the visit's load.

    ``load_s[i][d]`` is the workload customer ``i`` adds to day ``d`` (service plus its share
    of the day's driving); ``scaled_load[i][d]`` is the same as seen by the balance terms (the
    load times the longest day over that day's capacity, so a short Saturday is balanced by
    its share of a full day). ``fixed_scaled`` is each day's scaled load that no choice moves.
    ``band_weight`` is charged per second a day lies outside ``band`` (the mean day of the
    hint, give or take the tolerance), ``balance_weight`` per second between the most and
    least loaded day. A band on each day is cheap to propagate, unlike one on the live mean
    which ties every day to every visit. The band
    holds the balance where the LP relaxation sees it (a spread alone has a bound of zero
    there); the small spread term then evens days inside it.
    """

    choices: tuple[tuple[Choice, ...], ...]
    load_s: tuple[tuple[int, ...], ...]
    scaled_load: tuple[tuple[int, ...], ...]
    room_s: tuple[int, ...]
    fixed_scaled: tuple[int, ...]
    balance_weight: int
    band: tuple[int, int]
    band_weight: int
    hint: tuple[int | None, ...]
    time_limit_s: float
    workers: int
    seed: int
    deterministic: bool
    gap_limit: float = 0.0


@dataclass(frozen=True, slots=True)
class AssignmentOutput:
    """CP-SAT's answer: status, chosen index per customer, objective, bound and wall time."""

    status: str
    picked: tuple[int, ...]
    objective: float
    best_bound: float
    seconds: float


def _hinted_days(data: AssignmentInput) -> list[int] | None:
    """Return each day's scaled load under the hint, or None when a customer has none.

    The balance variables are hinted too: with only the choices hinted, CP-SAT completed the
    hint with slack in the band and spread variables, so its first solution cost more than
    the hint itself and, with one deterministic worker, a 220-customer round never left it.
    """
    if any(k is None for k in data.hint):
        return None
    scaled = list(data.fixed_scaled)
    for i, k in enumerate(data.hint):
        assert k is not None
        for d in data.choices[i][k].days:
            scaled[d] += data.scaled_load[i][d]
    return scaled


def solve_assignment(data: AssignmentInput) -> AssignmentOutput:
    """Build and solve the round's model; ``picked`` is empty unless a solution was found."""
    model = cp_model.CpModel()
    n_days = len(data.room_s)
    x: list[list[cp_model.IntVar]] = []
    load_terms: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in range(n_days)]
    scaled_terms: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in range(n_days)]
    cost_terms: list[tuple[int, cp_model.IntVar]] = []
    for i, choices in enumerate(data.choices):
        row = [model.new_bool_var(f"x{i}_{k}") for k in range(len(choices))]
        model.add_exactly_one(row)
        for var, choice in zip(row, choices, strict=True):
            if choice.cost:
                cost_terms.append((choice.cost, var))
            for d in choice.days:
                load_terms[d].append((data.load_s[i][d], var))
                scaled_terms[d].append((data.scaled_load[i][d], var))
        hint = data.hint[i]
        if hint is not None:
            for k, var in enumerate(row):
                model.add_hint(var, k == hint)
        x.append(row)
    top = sum(max(sum(row), 0) for row in data.scaled_load) + sum(data.fixed_scaled) + 1
    high = model.new_int_var(0, top, "high")
    low = model.new_int_var(0, top, "low")
    scaled = [sum(c * v for c, v in scaled_terms[d]) + data.fixed_scaled[d] for d in range(n_days)]
    hinted = _hinted_days(data)
    outside = []
    for d in range(n_days):
        model.add(sum(c * v for c, v in load_terms[d]) <= data.room_s[d])
        model.add(high >= scaled[d])
        model.add(low <= scaled[d])
        over = model.new_int_var(0, top, f"over{d}")
        under = model.new_int_var(0, top, f"under{d}")
        model.add(scaled[d] - over <= data.band[1])
        model.add(scaled[d] + under >= data.band[0])
        outside += [over, under]
        if hinted is not None:
            model.add_hint(over, max(0, hinted[d] - data.band[1]))
            model.add_hint(under, max(0, data.band[0] - hinted[d]))
    if hinted is not None and hinted:
        model.add_hint(high, max(hinted))
        model.add_hint(low, min(hinted))
    model.minimize(
        sum(c * v for c, v in cost_terms)
        + data.balance_weight * (high - low)
        + data.band_weight * sum(outside),
    )
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = data.seed
    params.relative_gap_limit = data.gap_limit
    if data.deterministic:
        # One worker is deterministic by itself. Interleaved search (several subsolvers run
        # deterministically in one thread) aborted the process in OR-Tools 9.15 on the demo's
        # 300-customer portfolios ("Check failed: heuristics.fixed_search != nullptr").
        params.num_workers = 1
        params.max_deterministic_time = data.time_limit_s
    else:
        params.num_workers = data.workers
        params.max_time_in_seconds = data.time_limit_s
    started = time.perf_counter()
    code = solver.solve(model)
    seconds = time.perf_counter() - started
    status = _STATUS.get(code, "unknown")
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return AssignmentOutput(status, (), 0.0, 0.0, seconds)
    picked = tuple(next(k for k, v in enumerate(row) if solver.boolean_value(v)) for row in x)
    return AssignmentOutput(
        status, picked, solver.objective_value, solver.best_objective_bound, seconds
    )


def relaxed_picks(data: AssignmentInput) -> tuple[int, ...] | None:
    """Return each customer's largest choice in the round's LP relaxation (GLOP), rounded.

    The relaxation of this model is nearly integral: on the bench's 220-300 customers it
    splits only 15-20 of them between two slots, and its value sits within 1 % of CP-SAT's
    best bound. Rounding it (then :func:`optimizer.visit_calendar.polish.polish`) gives a
    start within a few percent of the optimum in a fraction of a second, where the previous
    round's calendar re-priced by moved centres could lie 40 % above it. Returns None when
    GLOP finds no optimum (the caller keeps its own start). Capacity may be exceeded by the
    rounding; the caller checks.
    """
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None or not data.room_s:
        return None
    n_days = len(data.room_s)
    x = [[solver.NumVar(0.0, 1.0, "") for _ in row] for row in data.choices]
    loads: list[list[object]] = [[] for _ in range(n_days)]
    scaled: list[list[object]] = [[] for _ in range(n_days)]
    cost = []
    for i, row in enumerate(data.choices):
        solver.Add(solver.Sum(x[i]) == 1)
        for var, choice in zip(x[i], row, strict=True):
            cost.append(choice.cost * var)
            for d in choice.days:
                loads[d].append(data.load_s[i][d] * var)
                scaled[d].append(data.scaled_load[i][d] * var)
    inf = solver.infinity()
    high, low = solver.NumVar(0.0, inf, "high"), solver.NumVar(0.0, inf, "low")
    outside = []
    for d in range(n_days):
        day = solver.Sum(scaled[d]) + data.fixed_scaled[d]
        solver.Add(solver.Sum(loads[d]) <= data.room_s[d])
        solver.Add(high >= day)
        solver.Add(low <= day)
        over, under = solver.NumVar(0.0, inf, ""), solver.NumVar(0.0, inf, "")
        solver.Add(day - over <= data.band[1])
        solver.Add(day + under >= data.band[0])
        outside += [over, under]
    solver.Minimize(
        solver.Sum(cost)
        + data.balance_weight * (high - low)
        + data.band_weight * solver.Sum(outside)
    )
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return tuple(max(range(len(row)), key=lambda k: (row[k].solution_value(), -k)) for row in x)
