"""Time a day in a given order: the rep's route as he knows it, re-timed from here and now.

A re-plan in the middle of the day should not reshuffle a route the rep has in his head
unless the new order buys something he would notice. ``route_in_order`` gives the other
side of that comparison: the remaining stops in their old order (lunch where it was),
each at its earliest start, skipping the ones that no longer fit. It never reorders, so it
can be worse than the solver's route, and it returns None when the order cannot keep the
day's rules (an appointment missed, or lunch impossible where lunch still fits the day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.checker import lunch_fits
from optimizer.model import (
    Candidate,
    DayProblem,
    DayRoute,
    DroppedCandidate,
    ScheduledStop,
)

LUNCH = "lunch"


@dataclass
class _Clock:
    """Where the rep is, when he is free, and what he has done so far."""

    place: int
    time: int
    stops: list[ScheduledStop]
    lunch_done: bool


def _visit(problem: DayProblem, clock: _Clock, index: int) -> ScheduledStop | None:
    """The visit of candidate ``index`` from where the clock is, or None if no window fits."""
    cand: Candidate = problem.candidates[index]
    node = 2 + index
    leg = problem.matrix.durations_s[clock.place][node]
    arrival = clock.time + leg
    for window in cand.windows:
        start = max(arrival, window.start_s)
        if start <= window.end_s:
            return ScheduledStop(
                "visit",
                cand.id,
                arrival,
                start - arrival,
                start,
                start + cand.service_s,
                leg,
                problem.matrix.distances_m[clock.place][node],
            )
    return None


def _lunch(problem: DayProblem, clock: _Clock) -> tuple[ScheduledStop, int] | None:
    """Lunch taken next from where the clock is (and the place it ends at), or None."""
    lunch = problem.rep.lunch
    if lunch is None:
        return None
    node = problem.lunch_node
    place = clock.place if node is None else node
    leg = problem.matrix.durations_s[clock.place][place]
    arrival = clock.time + leg
    start = max(arrival, lunch.earliest_start_s)
    if start > lunch.latest_start_s:
        return None
    stop = ScheduledStop(
        "lunch",
        None,
        arrival,
        start - arrival,
        start,
        start + lunch.duration_s,
        leg,
        problem.matrix.distances_m[clock.place][place],
    )
    return stop, place


def _deadline(problem: DayProblem) -> int:
    rep = problem.rep
    lunch_s = rep.lunch.duration_s if rep.lunch is not None else 0
    return min(rep.end_s, rep.start_s + rep.max_working_s + lunch_s)


def _finishes(problem: DayProblem, clock: _Clock, place: int, time: int, lunch_left: bool) -> bool:
    """Tell whether the rep can still (lunch, if due, then) reach the end by the deadline."""
    probe = _Clock(place, time, clock.stops, clock.lunch_done)
    if lunch_left:
        taken = _lunch(problem, probe)
        if taken is None:
            return False
        stop, place = taken
        time = stop.departure_s
    return time + problem.matrix.durations_s[place][1] <= _deadline(problem)


def _advance(clock: _Clock, stop: ScheduledStop, place: int) -> None:
    clock.stops.append(stop)
    clock.place, clock.time = place, stop.departure_s
    if stop.kind == "lunch":
        clock.lunch_done = True


def _try_visit(problem: DayProblem, clock: _Clock, index: int, lunch_due: bool) -> bool:
    """Visit ``index`` next if the day still closes; take lunch first when that makes it fit."""
    stop = _visit(problem, clock, index)
    if stop is not None and _finishes(problem, clock, 2 + index, stop.departure_s, lunch_due):
        _advance(clock, stop, 2 + index)
        return True
    if not lunch_due:
        return False
    taken = _lunch(problem, clock)
    if taken is None:
        return False
    trial = _Clock(taken[1], taken[0].departure_s, [], True)
    stop = _visit(problem, trial, index)
    if stop is None or not _finishes(problem, trial, 2 + index, stop.departure_s, False):
        return False
    _advance(clock, *taken)
    _advance(clock, stop, 2 + index)
    return True


def route_in_order(problem: DayProblem, order: Sequence[str]) -> DayRoute | None:
    """Visit ``order`` (candidate ids, and ``"lunch"`` where lunch was) without reordering.

    Stops that no longer fit are left out; candidates not in ``order`` are not added.
    Returns None when an appointment of the problem is missed or lunch, which fits the
    day, cannot be taken in this order.
    """
    index = {c.id: i for i, c in enumerate(problem.candidates)}
    due = problem.rep.lunch is not None and lunch_fits(problem)
    clock = _Clock(0, problem.rep.start_s, [], not due)
    for item in order:
        if item == LUNCH:
            taken = None if clock.lunch_done else _lunch(problem, clock)
            if taken is not None and _finishes(
                problem, clock, taken[1], taken[0].departure_s, False
            ):
                _advance(clock, *taken)
            continue
        if item in index:
            _try_visit(problem, clock, index[item], not clock.lunch_done)
    if not clock.lunch_done:
        taken = _lunch(problem, clock)
        if taken is None or not _finishes(problem, clock, taken[1], taken[0].departure_s, False):
            return None
        _advance(clock, *taken)
    visited = {s.candidate_id for s in clock.stops if s.candidate_id is not None}
    if any(c.appointment and c.id not in visited for c in problem.candidates):
        return None
    return _route(problem, clock, visited)


def _route(problem: DayProblem, clock: _Clock, visited: set[str]) -> DayRoute:
    rep, matrix = problem.rep, problem.matrix
    home_s, home_m = matrix.durations_s[clock.place][1], matrix.distances_m[clock.place][1]
    lunch_s = sum(s.departure_s - s.start_s for s in clock.stops if s.kind == "lunch")
    end = clock.time + home_s
    return DayRoute(
        stops=tuple(clock.stops),
        dropped=tuple(
            DroppedCandidate(c.id, "no_time_left" if c.windows else "closed_that_day")
            for c in problem.candidates
            if c.id not in visited
        ),
        total_m=sum(s.travel_m for s in clock.stops) + home_m,
        driving_s=sum(s.travel_s for s in clock.stops) + home_s,
        working_s=end - rep.start_s - lunch_s,
        prize=float(sum(c.prize for c in problem.candidates if c.id in visited)),
        end_arrival_s=end,
        departure_s=rep.start_s,
        end_travel_s=home_s,
        end_travel_m=home_m,
    )
