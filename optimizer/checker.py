"""Independent feasibility checks: recompute every time from the data, list what is wrong.

Nothing here reuses the solver's scheduling code, so a solver bug cannot hide itself.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence

from optimizer.instances import OptwInstance, SolomonInstance
from optimizer.model import DayProblem, DayRoute, ScheduledStop

VRPTW_TOL = 1e-6


def _repeated(ids: Sequence[object]) -> list[str]:
    """Name every id that appears more than once."""
    return [f"{i} visited {n} times" for i, n in Counter(ids).items() if n > 1]


def _stop_times(stop: ScheduledStop, prev_departure: int, leg: int, where: str) -> list[str]:
    """Check one stop's arrival, wait and start against the previous departure."""
    out = []
    if stop.travel_s != leg:
        out.append(f"{where}: travel {stop.travel_s}s, matrix says {leg}s")
    if stop.arrival_s != prev_departure + leg:
        out.append(f"{where}: arrives {stop.arrival_s}, expected {prev_departure + leg}")
    if stop.start_s < stop.arrival_s or stop.wait_s != stop.start_s - stop.arrival_s:
        out.append(f"{where}: wait/start inconsistent with arrival")
    return out


def _check_stop(
    problem: DayProblem, stop: ScheduledStop, place: int, where: str
) -> tuple[int, list[str]]:
    """Return the stop's matrix node and what is wrong with its window and duration."""
    rep, out = problem.rep, []
    if stop.kind == "visit":
        i = next(i for i, c in enumerate(problem.candidates) if c.id == stop.candidate_id)
        cand = problem.candidates[i]
        if not any(w.start_s <= stop.start_s <= w.end_s for w in cand.windows):
            out.append(f"{where}: starts at {stop.start_s}, outside its windows")
        if stop.departure_s != stop.start_s + cand.service_s:
            out.append(f"{where}: departure is not start + service")
        return 2 + i, out
    lunch = rep.lunch
    if lunch is None:
        return place, [f"{where}: lunch scheduled on a day without lunch"]
    if not lunch.earliest_start_s <= stop.start_s <= lunch.latest_start_s:
        out.append(f"{where}: lunch starts at {stop.start_s}, outside its window")
    if stop.departure_s != stop.start_s + lunch.duration_s:
        out.append(f"{where}: lunch does not last {lunch.duration_s}s")
    node = problem.lunch_node
    return (place if node is None else node), out


def lunch_fits(problem: DayProblem) -> bool:
    """Say whether lunch fits in an otherwise empty day (if not, the day ends before it)."""
    rep, dur = problem.rep, problem.matrix.durations_s
    lunch = rep.lunch
    if lunch is None:
        return False
    node = problem.lunch_node
    there, back = (0, dur[0][1]) if node is None else (dur[0][node], dur[node][1])
    begin = max(rep.start_s + there, lunch.earliest_start_s)
    deadline = min(rep.end_s, rep.start_s + rep.max_working_s + lunch.duration_s)
    return begin <= lunch.latest_start_s and begin + lunch.duration_s + back <= deadline


def _check_visits(problem: DayProblem, route: DayRoute) -> list[str]:
    """Check who is visited: once each, known, appointments kept, prize and drops add up."""
    by_id = {c.id: c for c in problem.candidates}
    visits = [s.candidate_id for s in route.stops if s.kind == "visit"]
    out = _repeated(visits) + [f"unknown candidate {v}" for v in visits if v not in by_id]
    if out:
        return out
    lunches = sum(1 for s in route.stops if s.kind == "lunch")
    expected = 1 if lunch_fits(problem) else 0
    if lunches > 1 or (problem.rep.lunch is not None and lunches != expected):
        out.append(f"expected {expected} lunch break, got {lunches}")
    prize = sum(by_id[v].prize for v in visits if v is not None)
    if not math.isclose(route.prize, prize, abs_tol=1e-6):
        out.append(f"prize {route.prize}, visits are worth {prize}")
    out += [
        f"appointment {c.id} not kept"
        for c in problem.candidates
        if c.appointment and c.id not in visits
    ]
    dropped = [d.candidate_id for d in route.dropped]
    if sorted([*dropped, *(v for v in visits if v is not None)]) != sorted(by_id):
        out.append("visited and dropped candidates do not partition the candidates")
    return out


def check_day(problem: DayProblem, route: DayRoute) -> list[str]:
    """Return every violation of the day's rules by ``route`` (empty when feasible)."""
    rep, dur, dist = problem.rep, problem.matrix.durations_s, problem.matrix.distances_m
    out = _check_visits(problem, route)
    if out:
        return out
    place, departure, driving, metres = 0, route.departure_s, 0, 0
    if departure < rep.start_s:
        out.append(f"leaves at {departure}, before the day starts at {rep.start_s}")
    for k, stop in enumerate(route.stops):
        where = f"stop {k} ({stop.candidate_id or 'lunch'})"
        node, wrong = _check_stop(problem, stop, place, where)
        out += wrong + _stop_times(stop, departure, dur[place][node], where)
        driving += dur[place][node]
        metres += dist[place][node]
        place, departure = node, stop.departure_s
    end_arrival = departure + dur[place][1]
    driving += dur[place][1]
    metres += dist[place][1]
    if route.end_arrival_s != end_arrival:
        out.append(f"end arrival {route.end_arrival_s}, expected {end_arrival}")
    if end_arrival > rep.end_s:
        out.append(f"reaches the end at {end_arrival}, after {rep.end_s}")
    lunch_s = sum(s.departure_s - s.start_s for s in route.stops if s.kind == "lunch")
    working = end_arrival - route.departure_s - lunch_s
    if working > rep.max_working_s:
        out.append(f"works {working}s, more than {rep.max_working_s}s")
    if (route.working_s, route.driving_s, route.total_m) != (working, driving, metres):
        out.append("totals (working, driving, metres) do not match the stops")
    return out


def check_optw(
    inst: OptwInstance,
    routes: Sequence[Sequence[int]],
    *,
    decimals: int = 1,
    tours: int | None = None,
    score: float | None = None,
) -> list[str]:
    """Return violations of an OPTW/TOPTW solution given in the file's numbering."""
    scale = int(10**decimals)
    out = _repeated([c for r in routes for c in r])
    if tours is not None and len(routes) > tours:
        out.append(f"{len(routes)} tours, only {tours} allowed")

    def units(v: float) -> int:
        return math.floor(v * scale + 1e-7)

    def leg(a: int, b: int) -> int:
        (xa, ya), (xb, yb) = inst.xy[a], inst.xy[b]
        return math.floor(math.hypot(xa - xb, ya - yb) * scale + 1e-7)

    n = len(inst.xy)
    for ti, route in enumerate(routes):
        at, t = 0, units(inst.open[0])
        for c in route:
            if not 1 <= c < n:
                out.append(f"tour {ti}: no customer {c}")
                break
            t = max(t + leg(at, c), units(inst.open[c]))
            if t > units(inst.close[c]):
                out.append(f"tour {ti}: customer {c} starts at {t / scale}, after its window")
            t += units(inst.service[c])
            at = c
        back = t + leg(at, 0)
        if back > units(inst.close[0]):
            out.append(f"tour {ti}: back at {back / scale}, after {inst.close[0]}")
    got = sum(inst.score[c] for r in routes for c in r if 1 <= c < n)
    if score is not None and not math.isclose(got, score, abs_tol=1e-6):
        out.append(f"score {score} claimed, routes are worth {got}")
    return out


def check_vrptw(inst: SolomonInstance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Return violations of a VRPTW solution: all served once, windows, capacity, fleet."""
    n = len(inst.xy)
    served = [c for r in routes for c in r]
    out = _repeated(served)
    missing = set(range(1, n)) - set(served)
    if missing:
        out.append(f"{len(missing)} customers not served")
    if len([r for r in routes if r]) > inst.vehicles:
        out.append(f"{len(routes)} routes, only {inst.vehicles} vehicles")
    for ti, route in enumerate(routes):
        at, t = 0, inst.ready[0]
        if sum(inst.demand[c] for c in route if 1 <= c < n) > inst.capacity:
            out.append(f"route {ti}: over capacity")
        for c in route:
            if not 1 <= c < n:
                out.append(f"route {ti}: no customer {c}")
                break
            t = max(t + math.dist(inst.xy[at], inst.xy[c]), inst.ready[c])
            if t > inst.due[c] + VRPTW_TOL:
                out.append(f"route {ti}: customer {c} starts at {t:.3f}, after {inst.due[c]}")
            t += inst.service[c]
            at = c
        if t + math.dist(inst.xy[at], inst.xy[0]) > inst.due[0] + VRPTW_TOL:
            out.append(f"route {ti}: back at the depot after {inst.due[0]}")
    return out


def vrptw_distance(inst: SolomonInstance, routes: Sequence[Sequence[int]]) -> float:
    """Return the total double-precision Euclidean length of the routes."""
    total = 0.0
    for route in routes:
        path = [0, *route, 0]
        total += sum(math.dist(inst.xy[a], inst.xy[b]) for a, b in itertools.pairwise(path))
    return total
