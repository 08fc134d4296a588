"""Build a rep's four-week visit calendar: rounds of CP-SAT assignment around moving centres.

Each day of the cycle is a cluster around a centre. A round fixes the centres and lets
CP-SAT choose every customer's slot exactly (frequency, open weekdays, working days, pins,
delivery rule, day capacity) while minimising, in seconds of workload:

* distance from each visit to its day's centre (compact days, low travel);
* each day's distance from the mean day past a tolerance, and the spread between the most
  and least loaded day (balance);
* days an order waits for a truck (the "preferred" delivery rule);
* moves away from the current calendar (stability; half price when only the week moves).

Then each centre moves to the middle of the visits it got (Lloyd's step) and the next round
starts from the better of the previous answer and the round's rounded LP relaxation, both
improved by single-customer moves (:mod:`optimizer.visit_calendar.polish`). These rounds
stop within 1 % of their optimum; once the assignment stops changing (or at the last round)
a final round gets all the time left, and its objective, bound and gap are the ones reported.
Centres start from a sweep around the portfolio, by weekday then week, so a weekday's four
dates start side by side; when a calendar is in force they start from its days' centroids.
A calendar in force that still satisfies every rule for every customer is kept as it is
unless the caller asks to re-optimise: nothing changed, so nothing moves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from optimizer._ortools.calendar import (
    AssignmentInput,
    AssignmentOutput,
    Choice,
    solve_assignment,
)
from optimizer.visit_calendar.geometry import (
    FloatArray,
    project,
    sweep_centres,
    typical_leg_km,
    unproject,
)
from optimizer.visit_calendar.model import (
    VISITS_PER_CYCLE,
    CalendarConflict,
    CalendarCustomer,
    CalendarDay,
    CalendarRep,
    CalendarSettings,
    CalendarSolution,
    CalendarStatus,
    Pattern,
)
from optimizer.visit_calendar.polish import objective, start
from optimizer.visit_calendar.slots import CycleDay, all_allowed, delivery_wait_days, working_days
from optimizer.visit_calendar.tour import day_driving

UNIT = 10  # objective units per second: weights below one minute per unit stay exact enough
INTERMEDIATE_SHARE = 0.5  # of the time limit, for the rounds that only move the centres
INTERMEDIATE_GAP = 0.01  # such a round stops once CP-SAT proves it within 1 % of optimal


@dataclass(slots=True)
class _Cycle:
    """Working state shared by the rounds."""

    customers: Sequence[CalendarCustomer]
    rep: CalendarRep
    settings: CalendarSettings
    days: tuple[CycleDay, ...]
    allowed: list[tuple[Pattern, ...]]
    xy: FloatArray
    base_xy: FloatArray
    load_s: list[int]
    # Each day's driving as the last round's calendar routes it: fixed seconds per day and
    # seconds per customer and day (see _calibrate); None before the first round.
    calibration: tuple[list[float], FloatArray] | None = None

    def day_index(self) -> dict[tuple[int, int], int]:
        """Return the index of each (week, weekday) working day."""
        return {(d.week, d.weekday): k for k, d in enumerate(self.days)}

    def seconds_per_km(self) -> float:
        """Return rough driving seconds per straight-line kilometre."""
        s = self.settings
        return 1000.0 * s.circuity / (s.rough_kmh / 3.6)


def _visit_loads(cycle: _Cycle) -> list[int]:
    """Return each customer's workload per visit, in seconds: service plus driving.

    Driving is a share of a day's route that does not depend on which day the visit lands
    on, so whether a calendar fits the rep's days never depends on the heuristic centres:

    * the leg between visits: a day holds n̄ (the cycle's mean) visits spread over one
      weekday's share of the territory, so by Beardwood-Halton-Hammersley a leg is about
      0.7124·√(A_w/n̄), where A_w = A/weekdays and the territory A is read from the density,
      (two-nearest-neighbour distance / 0.625)² per customer;
    * the trip out to the day's area and back, shared by the day's visits: 2·d(base)/n̄.
    """
    leg_km, per_day = _driving_shape(cycle)
    out_km = np.sqrt(((cycle.xy - cycle.base_xy) ** 2).sum(axis=1))
    driving = (leg_km + 2.0 * out_km / per_day) * cycle.seconds_per_km()
    return [round(c.service_s + float(k)) for c, k in zip(cycle.customers, driving, strict=True)]


def _driving_shape(cycle: _Cycle) -> tuple[float, float]:
    """Return the typical leg between two visits (km) and the mean visits per day."""
    n = len(cycle.customers)
    visits = sum(VISITS_PER_CYCLE[c.cadence] for c in cycle.customers)
    per_day = max(1.0, visits / len(cycle.days))
    weekdays = len({d.weekday for d in cycle.days})
    area = n * (typical_leg_km(cycle.xy) / 1.14 / 0.625) ** 2
    leg_km = 0.7124 * float(np.sqrt(area / weekdays / per_day)) if n > 1 else 0.0
    return leg_km, per_day


def _balance_loads(cycle: _Cycle, centres: FloatArray) -> tuple[list[list[float]], list[float]]:
    """Return each visit's workload as the balance terms see it, day by day, and each day's
    fixed driving (seconds no choice moves).

    Capacity uses the day-independent estimate (:func:`_visit_loads`), so whether a calendar
    fits never depends on the centres. Balance is about the routed days, whose driving
    depends on where the day goes: a visit on a day centred far from the base shares a longer
    trip out and back. So here the trip out is the day's centre's, not the customer's own.
    Only for a first calendar or a supervisor's re-optimisation: centres move with every
    change, and a portfolio change must move few customers (stability), so an incremental
    solve balances on the centre-free estimate the calendar in force was checked against.

    From the second round on, each day's driving is the previous round's calendar routed
    (:func:`_calibrate`): a fixed part plus what one visit adds there. The estimates above
    put every day at the portfolio's mean density; a routed day drives 20-50 km for the
    same number of visits, and only the day's own points say how much.
    """
    s = cycle.settings
    incremental = not s.reoptimise and any(c.current is not None for c in cycle.customers)
    no_fixed = [0.0] * len(cycle.days)
    if not s.balance_by_centre or incremental:
        return [[float(load)] * len(cycle.days) for load in cycle.load_s], no_fixed
    if cycle.calibration is not None:
        fixed, shares = cycle.calibration
        loads = [
            [c.service_s + float(v) for v in row]
            for c, row in zip(cycle.customers, shares, strict=True)
        ]
        return loads, fixed
    leg_km, per_day = _driving_shape(cycle)
    out_km = np.sqrt(((centres - cycle.base_xy) ** 2).sum(axis=1))
    per_km = cycle.seconds_per_km()
    day_s = [(leg_km + 2.0 * float(k) / per_day) * per_km for k in out_km]
    return [[c.service_s + d for d in day_s] for c in cycle.customers], no_fixed


def _calibrate(cycle: _Cycle, picks: Sequence[int]) -> tuple[list[float], FloatArray]:
    """Return each day's driving under ``picks``: a fixed part per day and, per customer and
    day, the seconds that customer adds to that day, in seconds.

    Each day is routed on the plane (nearest neighbour and 2-opt, the estimate the calendar
    page shows, within minutes of the day router's driving). A member's share is the saving
    of removing it, anyone else's the cheapest insertion into the day's loop, so moving one
    customer changes both days by about what routing them would; the rest of the loop (the
    trip out to the day's area and back, mostly) is the day's fixed part.
    """
    per_s = 3600.0 / cycle.settings.rough_kmh
    fixed: list[float] = []
    shares = np.zeros((len(cycle.customers), len(cycle.days)))
    for d, idx in enumerate(_members(cycle, picks)):
        driving = day_driving(cycle.base_xy, cycle.xy, idx, cycle.settings.circuity)
        fixed.append(driving.fixed * per_s)
        shares[:, d] = driving.per_customer * per_s
    return fixed, shares


def _members(cycle: _Cycle, picks: Sequence[int]) -> list[list[int]]:
    """Return, for each working day, the indices of the customers ``picks`` visit on it."""
    members: list[list[int]] = [[] for _ in cycle.days]
    index = cycle.day_index()
    for i, k in enumerate(picks):
        p = cycle.allowed[i][k]
        for w in p.weeks:
            members[index[(w, p.weekday)]].append(i)
    return members


def _initial_centres(cycle: _Cycle) -> FloatArray:
    """Start from a sweep, then put days of the calendar in force on their own centroid."""
    weights = np.array(
        [VISITS_PER_CYCLE[c.cadence] * max(c.service_s, 60) for c in cycle.customers],
        dtype=np.float64,
    )
    shares = [float(d.capacity_s) for d in cycle.days]
    centres = sweep_centres(cycle.xy, weights, shares)
    index = cycle.day_index()
    members: list[list[int]] = [[] for _ in cycle.days]
    for i, c in enumerate(cycle.customers):
        if c.current is None:
            continue
        for w in c.current.weeks:
            k = index.get((w, c.current.weekday))
            if k is not None:
                members[k].append(i)
    for k, idx in enumerate(members):
        if idx:
            centres[k] = cycle.xy[idx].mean(axis=0)
    return centres


def _stability_cost(c: CalendarCustomer, p: Pattern, s: CalendarSettings) -> float:
    """Return the seconds charged for moving ``c`` from its current slot to ``p``."""
    if c.current is None or p == c.current:
        return 0.0
    full = s.minutes_per_change * 60.0
    return full / 2 if p.weekday == c.current.weekday else full


def _choices(cycle: _Cycle, centres: FloatArray) -> tuple[tuple[Choice, ...], ...]:
    """Return every customer's allowed slots with their cost for these centres."""
    s = cycle.settings
    index = cycle.day_index()
    dist = _distances(cycle, centres)
    per_km = s.minutes_per_km_off_centre * 60.0
    out = []
    for i, c in enumerate(cycle.customers):
        row = []
        for p in cycle.allowed[i]:
            days = tuple(index[(w, p.weekday)] for w in p.weeks)
            wait = delivery_wait_days(p.weekday, c.delivery_weekdays, s.lead_time_days)
            cost = (
                per_km * float(dist[i, list(days)].sum())
                + s.minutes_per_delivery_day * 60.0 * wait * len(days)
                + _stability_cost(c, p, s)
            )
            row.append(Choice(days, round(cost * UNIT)))
        out.append(tuple(row))
    return tuple(out)


def _prune(
    cycle: _Cycle, data: AssignmentInput
) -> tuple[AssignmentInput, tuple[tuple[int, ...], ...]]:
    """Keep each customer's ``max_choices`` cheapest slots, its current slot and its hint.

    A monthly customer has up to twenty slots and the far ones only slow CP-SAT down. A
    customer without a hint keeps them all, so pruning never loses the only feasible ones.
    Returns the pruned round and, per customer, the kept choices' indices in ``allowed``.
    """
    rows, back, hint = [], [], []
    for i, row in enumerate(data.choices):
        previous = data.hint[i]
        if previous is None:
            kept = list(range(len(row)))
        else:
            cheap = sorted(range(len(row)), key=lambda k: (row[k].cost, k))
            must = {previous}
            must.update(
                k for k, p in enumerate(cycle.allowed[i]) if p == cycle.customers[i].current
            )
            kept = sorted(set(cheap[: cycle.settings.max_choices]) | must)
        rows.append(tuple(row[k] for k in kept))
        back.append(tuple(kept))
        hint.append(None if previous is None else kept.index(previous))
    return replace(data, choices=tuple(rows), hint=tuple(hint)), tuple(back)


def _distances(cycle: _Cycle, centres: FloatArray) -> FloatArray:
    """Return the (customers, days) kilometres from each customer to each day's centre."""
    diff = cycle.xy[:, None, :] - centres[None, :, :]
    return np.asarray(np.sqrt((diff**2).sum(axis=2)), dtype=np.float64)


def _round_input(
    cycle: _Cycle,
    centres: FloatArray,
    hint: Sequence[int | None],
    limit_s: float,
    *,
    first: bool,
    relax: bool = True,
) -> tuple[AssignmentInput, tuple[tuple[int, ...], ...]]:
    """Assemble one CP-SAT round; also return each kept choice's index in ``allowed``.

    The first round completes the hint greedily so CP-SAT starts from a whole calendar.
    """
    s = cycle.settings
    longest = max(d.capacity_s for d in cycle.days)
    scale = [longest / d.capacity_s for d in cycle.days]
    balance, fixed = _balance_loads(cycle, centres)
    data = AssignmentInput(
        choices=_choices(cycle, centres),
        load_s=tuple((load,) * len(cycle.days) for load in cycle.load_s),
        scaled_load=tuple(
            tuple(round(load * f) for load, f in zip(row, scale, strict=True)) for row in balance
        ),
        room_s=tuple(d.capacity_s for d in cycle.days),
        fixed_scaled=tuple(round(f * k) for f, k in zip(fixed, scale, strict=True)),
        balance_weight=round(s.balance_weight * UNIT),
        band=(0, 0),
        band_weight=round(s.minutes_outside_balance * UNIT),
        hint=tuple(hint),
        time_limit_s=limit_s,
        workers=s.workers,
        seed=s.seed,
        deterministic=s.deterministic,
    )
    tol = s.balance_tolerance_min * 60.0
    if first:
        data = replace(data, hint=_greedy_hint(data, tol))
    mean = _mean_day(data)
    data = replace(data, band=(math.floor(mean - tol), math.ceil(mean + tol)))
    data, back = _prune(cycle, data)
    return replace(data, hint=start(data, relax=relax)), back


def _mean_day(data: AssignmentInput) -> float:
    """Return the mean scaled day of the hint (a customer without one on its lightest slot)."""
    total = float(sum(data.fixed_scaled))
    for i, row in enumerate(data.choices):
        loads = [sum(data.scaled_load[i][d] for d in c.days) for c in row]
        k = data.hint[i]
        total += loads[k] if k is not None else min(loads)
    return total / max(len(data.room_s), 1)


def _greedy_hint(data: AssignmentInput, tolerance: float) -> tuple[int | None, ...]:
    """Return a first calendar: big customers first, each on its cheapest choice with room.

    A choice that would lift a day above the band (the lightest possible mean day plus the
    tolerance; loads do not depend on the day, so it is the mean day) is taken only
    when no other fits, so the hint already spreads the work; CP-SAT starts from it instead of
    searching for a first solution.
    """
    n_days = len(data.room_s)
    used = [0] * n_days
    scaled = list(data.fixed_scaled)
    picks: list[int | None] = list(data.hint)
    least = sum(
        min(sum(data.scaled_load[i][d] for d in c.days) for c in row)
        for i, row in enumerate(data.choices)
    )
    ceiling = (least + sum(scaled)) / max(n_days, 1) + tolerance
    order = sorted(
        range(len(data.choices)),
        key=lambda i: (-len(data.choices[i][0].days) * min(data.load_s[i]), i),
    )
    for i in order:
        if picks[i] is not None:
            continue
        best: tuple[tuple[bool, int], int] | None = None
        for k, choice in enumerate(data.choices[i]):
            if any(used[d] + data.load_s[i][d] > data.room_s[d] for d in choice.days):
                continue
            over = any(scaled[d] + data.scaled_load[i][d] > ceiling for d in choice.days)
            cost = (over, choice.cost)
            if best is None or cost < best[0]:
                best = (cost, k)
        if best is None:
            continue
        picks[i] = best[1]
        for d in data.choices[i][best[1]].days:
            used[d] += data.load_s[i][d]
            scaled[d] += data.scaled_load[i][d]
    return tuple(picks)


def _centroids(cycle: _Cycle, picks: Sequence[int], previous: FloatArray) -> FloatArray:
    """Move each day's centre to the mean of the visits it got (empty days stay put)."""
    centres = previous.copy()
    for d, idx in enumerate(_members(cycle, picks)):
        if idx:
            centres[d] = cycle.xy[idx].mean(axis=0)
    return centres


def _infeasible(conflicts: Sequence[CalendarConflict], seconds: float) -> CalendarSolution:
    """Return the answer for an input no calendar can satisfy."""
    return CalendarSolution("infeasible", {}, (), 0.0, 0.0, 0.0, seconds, 0, (), tuple(conflicts))


def solve_calendar(
    customers: Sequence[CalendarCustomer],
    rep: CalendarRep,
    settings: CalendarSettings | None = None,
) -> CalendarSolution:
    """Assign every customer its regular slot in the rep's four-week cycle.

    Parameters
    ----------
    customers
        The rep's portfolio, each with its cadence, open weekdays, delivery days and, when a
        calendar is in force, its current slot (and pin).
    rep
        The cycle's first Monday, daily capacities, base and time off.
    settings
        Delivery rule, weights and solver limits; :class:`CalendarSettings` defaults otherwise.

    Returns
    -------
    CalendarSolution
        Slots, days with their loads, CP-SAT's status, objective, bound and gap. An input no
        calendar can satisfy returns status "infeasible" with its conflicts, never raises.

    Raises
    ------
    ValueError
        When two customers share an id.
    """
    s = settings if settings is not None else CalendarSettings()
    started = time.perf_counter()
    if len({c.id for c in customers}) != len(customers):
        raise ValueError("customer ids must be unique")
    days = working_days(rep)
    allowed, conflicts = all_allowed(customers, rep, s)
    if conflicts:
        return _infeasible(conflicts, time.perf_counter() - started)
    xy = project([c.location for c in customers], rep.base)
    cycle = _Cycle(customers, rep, s, days, allowed, xy, np.zeros(2), [])
    cycle.load_s = _visit_loads(cycle) if days else []
    if not customers:
        empty = _days(cycle, {})
        return CalendarSolution("optimal", {}, empty, 0.0, 0.0, 0.0, 0.0, 0)
    return _rounds(cycle, started)


def _keep_in_force(cycle: _Cycle, started: float) -> CalendarSolution | None:
    """Return the calendar in force when nothing changed and it still fits, else None.

    CP-SAT still checks and prices it (each customer's only choice is its current slot), so
    the answer carries the same figures as a solved one.
    """
    s = cycle.settings
    current = [c.current for c in cycle.customers]
    if s.reoptimise or any(
        p is None or p not in a for p, a in zip(current, cycle.allowed, strict=False)
    ):
        return None
    fixed = replace(cycle, allowed=[(p,) for p in current if p is not None])
    centres = _initial_centres(fixed)
    limit = s.time_limit.total_seconds()
    data, _ = _round_input(fixed, centres, [0] * len(current), limit, first=False)
    out = solve_assignment(data)
    if not out.picked:
        return None
    return _solution(fixed, out, centres, 1, time.perf_counter() - started)


def _rounds(cycle: _Cycle, started: float) -> CalendarSolution:
    """Alternate CP-SAT assignments and centre moves within the time limit."""
    kept = _keep_in_force(cycle, started)
    if kept is not None:
        return kept
    s = cycle.settings
    budget = s.time_limit.total_seconds()
    centres = _initial_centres(cycle)
    hint: list[int | None] = [
        cycle.allowed[i].index(c.current) if c.current in cycle.allowed[i] else None
        for i, c in enumerate(cycle.customers)
    ]
    best: AssignmentOutput | None = None
    used_centres = centres
    share = INTERMEDIATE_SHARE * budget / max(s.rounds - 1, 1)
    converged = False
    used = 0.0
    for r in range(s.rounds):
        last = r == s.rounds - 1 or converged
        # Deterministic mode counts CP-SAT's own work units, so a busy machine changes nothing.
        spent = used if s.deterministic else time.perf_counter() - started
        remaining = budget - spent
        if r > 0 and remaining < 0.02 * budget:
            break
        limit = max(remaining if last else min(share, remaining), 0.01)
        # The final round of a calibrated cycle starts from the previous calendar only: its
        # day prices are linear around that calendar's routed days, and a start far from it
        # (the LP rounding) can be cheap on those prices and unbalanced once routed.
        relax = not (last and cycle.calibration is not None)
        data, back = _round_input(cycle, centres, hint, limit, first=r == 0, relax=relax)
        data = replace(data, gap_limit=s.target_gap if last else INTERMEDIATE_GAP)
        used += limit
        out = solve_assignment(data)
        out = replace(out, picked=tuple(back[i][k] for i, k in enumerate(out.picked)))
        if not out.picked:
            if out.status == "infeasible":
                reason = [CalendarConflict(None, "over_capacity")]
                return _infeasible(reason, time.perf_counter() - started)
            if r == 0 and None not in data.hint:
                # Out of time before CP-SAT took the greedy calendar up: keep it (no bound
                # proven, so a gap of 1) and let the next rounds improve it.
                picks = [back[i][k] for i, k in enumerate(data.hint) if k is not None]
                out = replace(out, status="feasible", picked=tuple(picks))
                out = replace(
                    out,
                    objective=float(objective(data, data.hint)),
                    best_bound=0.0,
                )
            else:
                break
        converged = best is not None and list(out.picked) == list(best.picked)
        best, used_centres = out, centres
        if last:
            break
        hint = list(out.picked)
        if not converged:
            centres = _centroids(cycle, out.picked, centres)
            if s.calibrate_days:
                cycle.calibration = _calibrate(cycle, out.picked)
    if best is None:
        return _unknown(time.perf_counter() - started, s.rounds)
    return _solution(cycle, best, used_centres, r + 1, time.perf_counter() - started)


def _unknown(seconds: float, rounds: int) -> CalendarSolution:
    """Return the answer when CP-SAT found no calendar within the time limit."""
    return CalendarSolution("unknown", {}, (), 0.0, 0.0, 0.0, seconds, rounds)


def _solution(
    cycle: _Cycle, out: AssignmentOutput, centres: FloatArray, rounds: int, seconds: float
) -> CalendarSolution:
    """Turn the last round's answer into patterns, days and the solver's figures."""
    assignment = {
        c.id: cycle.allowed[i][k]
        for i, (c, k) in enumerate(zip(cycle.customers, out.picked, strict=True))
    }
    changed = tuple(
        sorted(c.id for c in cycle.customers if c.current and assignment[c.id] != c.current)
    )
    objective = out.objective / UNIT
    bound = out.best_bound / UNIT
    # CP-SAT says "optimal" too when it stopped at the gap limit (target_gap): the gap is
    # always measured, and only a closed one is optimal.
    gap = max(0.0, objective - bound) / max(objective, 1e-9)
    if out.status == "optimal" and gap < 1e-9:
        gap = 0.0
    status: CalendarStatus = "optimal" if out.status == "optimal" and gap == 0.0 else "feasible"
    days = _days(cycle, assignment)
    return CalendarSolution(
        status, assignment, days, objective, bound, gap, seconds, rounds, changed
    )


def evaluate_calendar(
    customers: Sequence[CalendarCustomer],
    rep: CalendarRep,
    assignment: Mapping[str, Pattern],
    settings: CalendarSettings | None = None,
) -> tuple[CalendarDay, ...]:
    """Return the days of a given calendar with their estimated workloads, without solving.

    The loads are the ones :func:`solve_calendar` fits into the rep's days, so a calendar
    edited by hand (a supervisor's move) can be checked against capacity and balance at
    once. Customers without a slot in ``assignment`` and slot dates the rep does not work
    are left out.
    """
    s = settings if settings is not None else CalendarSettings()
    days = working_days(rep)
    xy = project([c.location for c in customers], rep.base) if customers else np.zeros((0, 2))
    cycle = _Cycle(customers, rep, s, days, [], xy, np.zeros(2), [])
    cycle.load_s = _visit_loads(cycle) if days and customers else []
    return _days(cycle, assignment)


def _days(cycle: _Cycle, assignment: Mapping[str, Pattern]) -> tuple[CalendarDay, ...]:
    """Return the cycle's days in date order with their customers, loads and centres."""
    index = cycle.day_index()
    members: list[list[int]] = [[] for _ in cycle.days]
    for i, c in enumerate(cycle.customers):
        p = assignment.get(c.id)
        if p is None:
            continue
        for w in p.weeks:
            k = index.get((w, p.weekday))
            if k is not None:
                members[k].append(i)
    out = []
    for k, d in enumerate(cycle.days):
        idx = members[k]
        centre = unproject(cycle.xy[idx].mean(axis=0), cycle.rep.base) if idx else None
        out.append(
            CalendarDay(
                date=cycle.rep.date_of(d.week, d.weekday),
                week=d.week,
                weekday=d.weekday,
                customer_ids=tuple(sorted(cycle.customers[i].id for i in idx)),
                load_s=sum(cycle.load_s[i] for i in idx),
                capacity_s=d.capacity_s,
                centre=centre,
            )
        )
    return tuple(sorted(out, key=lambda day: day.date))
