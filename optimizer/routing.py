"""Daily route for one rep: who to visit today, in which order, at what time.

``solve_day`` maps a :class:`DayProblem` to the internal orienteering model (customers with two
windows become two nodes of one group; lunch and appointments become mandatory nodes), runs the
two-engine search of ``optimizer._engine`` (the project's iterated local search builds the day,
OR-Tools' routing search improves it from there) and turns the best tour back into dataclasses.

Determinism: the ILS stops after an iteration budget derived from ``time_limit`` (and the seed
drives every random choice), and OR-Tools' descent stops at its own local optimum, so the same
problem and seed give the same route. The wall-clock limit is only a safety net that cuts a
run short on a much slower machine.

Working time: the search keeps ``end arrival <= start_s + max_working_s + lunch``, which is safe
whatever the departure; the reported departure is then delayed by the first stop's wait (the
rep leaves later instead of waiting at the door), so ``working_s`` can only come out lower.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from optimizer import _engine
from optimizer._core import Core, Schedule, Tour, schedule
from optimizer.model import (
    Candidate,
    DayProblem,
    DayRoute,
    DroppedCandidate,
    DropReason,
    ScheduledStop,
)

ITERATIONS_PER_SECOND = 150  # about half a second of search per second of limit here
MIN_ITERATIONS = 20
PATIENCE = 60  # a day rarely improves after this many fruitless perturbations


@dataclass(frozen=True, slots=True)
class _Mapping:
    """How core nodes relate back to the problem: candidate index and matrix node."""

    core: Core
    candidate_of: dict[int, int]  # core node -> index in problem.candidates
    matrix_of: list[int]  # core node -> matrix node
    lunch: int  # core node of the lunch break, -1 when there is none


def _add_windows(
    cands: tuple[Candidate, ...],
    usable: list[int],
    rows: list[list[float]],
) -> tuple[dict[int, int], list[int], set[int]]:
    """Append one node per window (two-window candidates share a group); return the map."""
    candidate_of: dict[int, int] = {}
    matrix_of = [0, 1]
    mandatory: set[int] = set()
    for i in usable:
        cand = cands[i]
        for w in cand.windows:
            node = len(matrix_of)
            matrix_of.append(2 + i)
            candidate_of[node] = i
            rows.append(
                [w.start_s, w.end_s, cand.service_s, cand.prize, i if len(cand.windows) > 1 else -1]
            )
            if cand.appointment:
                mandatory.add(node)
    return candidate_of, matrix_of, mandatory


def _build(problem: DayProblem, usable: list[int]) -> _Mapping:
    """Build the core model for the usable candidates (and lunch)."""
    rep = problem.rep
    lunch = rep.lunch
    rows: list[list[float]] = [[rep.start_s, rep.end_s, 0, 0.0, -1]] * 2
    candidate_of, matrix_of, mandatory = _add_windows(problem.candidates, usable, rows)
    lunch_node, follow = -1, -1
    if lunch is not None:
        lunch_node = len(matrix_of)
        place = problem.lunch_node
        matrix_of.append(0 if place is None else place)
        rows.append([lunch.earliest_start_s, lunch.latest_start_s, lunch.duration_s, 0.0, -1])
        mandatory.add(lunch_node)
        follow = lunch_node if place is None else -1
    full = np.array(problem.matrix.durations_s, dtype=np.int64)
    idx = np.array(matrix_of, dtype=np.int64)
    travel = full[idx[:, None], idx[None, :]]
    if follow >= 0:
        travel[follow, :] = 0
        travel[:, follow] = 0
    lunch_s = lunch.duration_s if lunch is not None else 0
    deadline = min(rep.end_s, rep.start_s + rep.max_working_s + lunch_s)
    table = np.array(rows, dtype=np.float64)
    core = Core(
        travel=travel,
        open=table[:, 0].astype(np.int64),
        close=table[:, 1].astype(np.int64),
        service=table[:, 2].astype(np.int64),
        prize=table[:, 3],
        group=table[:, 4].astype(np.int64),
        mandatory=frozenset(mandatory),
        customers=tuple(n for n in candidate_of if table[n, 3] > 0 or n in mandatory),
        tours=(Tour(0, 1, rep.start_s, deadline),),
        follow=follow,
    )
    return _Mapping(core, candidate_of, matrix_of, lunch_node)


def _reachable(mapping: _Mapping) -> set[int]:
    """Return candidate indices that fit in an otherwise empty day (lunch included)."""
    core, out = mapping.core, set()
    tour = core.tours[0]
    for node, i in mapping.candidate_of.items():
        base = [0, node, 1]
        trials = [base]
        if mapping.lunch >= 0:
            trials = [[0, mapping.lunch, node, 1], [0, node, mapping.lunch, 1]]
        if any(schedule(core, tour, t) is not None for t in trials):
            out.add(i)
    return out


def _stops(
    problem: DayProblem, mapping: _Mapping, sched: Schedule
) -> tuple[list[ScheduledStop], int]:
    """Turn the core schedule into stops, leaving the start late rather than waiting."""
    core, dist = mapping.core, problem.matrix.distances_m
    stops: list[ScheduledStop] = []
    prev = 0
    delay = 0
    for k in range(1, len(sched.nodes) - 1):
        node = sched.nodes[k]
        here = mapping.matrix_of[sched.loc[k]]
        arrive, begin = sched.arrive[k], sched.begin[k]
        if k == 1:
            delay = begin - arrive
            arrive = begin
        is_lunch = node == mapping.lunch
        cid = None if is_lunch else problem.candidates[mapping.candidate_of[node]].id
        travel = sched.arrive[k] - (
            sched.begin[k - 1] + int(core.service[sched.nodes[k - 1]])
            if k > 1
            else core.tours[0].depart
        )
        stops.append(
            ScheduledStop(
                kind="lunch" if is_lunch else "visit",
                candidate_id=cid,
                arrival_s=arrive,
                wait_s=begin - arrive,
                start_s=begin,
                departure_s=begin + int(core.service[node]),
                travel_s=travel,
                travel_m=dist[prev][here],
            )
        )
        prev = here
    return stops, delay


def _reason(cand: Candidate, reachable: bool) -> DropReason:
    """Say why a candidate is not on the route."""
    if not cand.windows:
        return "closed_that_day"
    if cand.appointment:  # left out only when it clashes with the day or other appointments
        return "window_unreachable"
    return "no_time_left" if reachable else "window_unreachable"


def solve_day(
    problem: DayProblem, *, time_limit: timedelta, seed: int = 0, iterations: int | None = None
) -> DayRoute:
    """Plan the most valuable feasible route of the day (see :func:`solve_day_report`)."""
    return solve_day_report(problem, time_limit=time_limit, seed=seed, iterations=iterations)[0]


def solve_day_report(
    problem: DayProblem,
    *,
    time_limit: timedelta,
    seed: int = 0,
    iterations: int | None = None,
) -> tuple[DayRoute, _engine.EngineReport]:
    """Plan the most valuable feasible route of the day, and say what each engine did.

    Parameters
    ----------
    problem
        The rep's day, the candidates and the travel matrix.
    time_limit
        Upper bound on search time; the iteration budget is derived from it unless
        ``iterations`` is given.
    seed
        Drives every random choice: same problem and seed, same route.
    iterations
        The ILS's perturbation budget, when the caller wants it independent of
        ``time_limit`` (which then only cuts a run short on a very slow machine): with a
        generous ``time_limit`` the route no longer depends on the machine's load.

    Returns
    -------
    tuple[DayRoute, EngineReport]
        Stops in order, dropped candidates with their reason, and the day's totals (an
        appointment that cannot be kept is dropped as ``window_unreachable``); and how the
        ILS and OR-Tools shared the work.
    """
    seconds = max(time_limit.total_seconds(), 0.0)
    open_ = [i for i, c in enumerate(problem.candidates) if c.windows]
    mapping = _build(problem, open_)
    reachable = _reachable(mapping)
    mapping = _build(problem, sorted(reachable))
    if iterations is None:
        iterations = max(MIN_ITERATIONS, int(seconds * ITERATIONS_PER_SECOND))
    best, _, report = _engine.solve(
        mapping.core, seconds=seconds, seed=seed, iterations=iterations, patience=PATIENCE
    )
    return _to_route(problem, mapping, best.scheds[0], reachable), report


def _to_route(
    problem: DayProblem, mapping: _Mapping, sched: Schedule, reachable: set[int]
) -> DayRoute:
    """Assemble the public result from the best tour."""
    stops, delay = _stops(problem, mapping, sched)
    matrix = problem.matrix
    visited = {s.candidate_id for s in stops}
    last = mapping.matrix_of[sched.loc[-2]] if len(sched.nodes) > 2 else 0
    end_arrival = sched.arrive[-1]
    departure = problem.rep.start_s + delay
    lunch_s = sum(s.departure_s - s.start_s for s in stops if s.kind == "lunch")
    dropped = tuple(
        DroppedCandidate(c.id, _reason(c, i in reachable))
        for i, c in enumerate(problem.candidates)
        if c.id not in visited
    )
    return DayRoute(
        stops=tuple(stops),
        dropped=dropped,
        total_m=sum(s.travel_m for s in stops) + matrix.distances_m[last][1],
        driving_s=sum(s.travel_s for s in stops) + matrix.durations_s[last][1],
        working_s=end_arrival - departure - lunch_s,
        prize=float(sum(c.prize for c in problem.candidates if c.id in visited)),
        end_arrival_s=end_arrival,
        departure_s=departure,
        end_travel_s=matrix.durations_s[last][1],
        end_travel_m=matrix.distances_m[last][1],
    )
