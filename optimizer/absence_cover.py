"""Cover an absent rep's must-do visits with the other reps' days and the telesales list.

When a rep is away, the visits that cannot wait (appointments, collection, rescue cases and
the most urgent others) are offered to the reps who do work that day. This is one
multi-tour problem, solved with OR-Tools' routing library:

* one vehicle per receiving day, leaving its rep's start place at the day's start and back
  at its end place by the day's deadline (day end, working-time limit plus lunch);
* every stop already on a receiving day is a mandatory node of that vehicle, kept in the
  route's order (a "rank" dimension orders them) inside its opening windows;
* every orphan visit is optional, with a drop penalty in metres (how far a rep would drive
  out of his way for it, by kind and score), and may only ride the few receiving days
  nearest to it (``CoverSettings.neighbours`` within ``reach_m``): a rep on the other side
  of the city is no neighbour;
* the lunch break is a break interval of the vehicle, so the rep eats wherever he is.

OR-Tools starts from the existing routes (with a cheapest-insertion pass on top of them)
and improves with guided local search. Each route it returns is then re-timed by
:func:`optimizer.sequence.route_in_order`, the project's own timing of a day in a given
order: a visit that does not survive that re-timing is taken off again (lowest penalty
first), so every returned day passes :func:`optimizer.checker.check_day`.

What no rep takes goes to the telesales list when it can be handled by phone, most
valuable first, up to the list's capacity; the rest stays unplaced, with the reason.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer.checker import lunch_fits
from optimizer.model import (
    Candidate,
    DayProblem,
    DayRoute,
    Location,
    RepDay,
    TravelMatrix,
)
from optimizer.sequence import LUNCH, route_in_order
from optimizer.travel import TravelProvider, geodesic_cross_m

VisitKind = Literal["appointment", "collection", "rescue", "urgent"]
VISIT_KINDS: tuple[VisitKind, ...] = ("appointment", "collection", "rescue", "urgent")
UnplacedReason = Literal["closed_that_day", "no_rep_nearby", "no_time_left"]
PHONE = "phone"  # the ``forced`` value that sends a visit to the telesales list


@dataclass(frozen=True, slots=True)
class OrphanVisit:
    """A must-do visit of the absent rep.

    ``by_phone`` says telesales can handle it when no rep takes it (an appointment agreed
    in person cannot). ``forced`` is the supervisor's edit: a receiving day's id (only that
    rep may take it) or :data:`PHONE` (straight to the telesales list).
    """

    candidate: Candidate
    kind: VisitKind
    by_phone: bool = True
    forced: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.candidate, Candidate):
            raise ValueError("candidate must be a Candidate")
        if self.kind not in VISIT_KINDS:
            raise ValueError(f"kind must be one of {VISIT_KINDS}, got {self.kind!r}")

    @property
    def id(self) -> str:
        """Return the candidate's id."""
        return self.candidate.id


@dataclass(frozen=True, slots=True)
class ReceivingDay:
    """A rep who works that day: his day and the stops already on it, in route order.

    The stops are :class:`Candidate` objects (an appointment keeps its one window); lunch is
    the :class:`RepDay`'s. For a day under way, pass the rest of the day (start where the rep
    is, from now) and the stops still to do.
    """

    id: str
    rep: RepDay
    stops: tuple[Candidate, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "stops", tuple(self.stops))
        if not isinstance(self.id, str) or not self.id or self.id == PHONE:
            raise ValueError("a receiving day needs a non-empty id other than 'phone'")
        if not isinstance(self.rep, RepDay):
            raise ValueError("rep must be a RepDay")
        if not all(isinstance(s, Candidate) for s in self.stops):
            raise ValueError("stops must be Candidate objects")


@dataclass(frozen=True, slots=True)
class CoverSettings:
    """How far a visit may travel, what it is worth, and how many calls telesales can take.

    ``worth_m`` is the detour (metres of driving) a visit of each kind is worth; an urgent
    visit adds ``score_worth_m`` times its prize's share of the largest prize. ``max_added``
    caps the visits one rep takes (None: no cap), so a cluster of visits is not piled on the
    one rep who happens to be nearest; visits the supervisor forced onto a day do not count.
    """

    neighbours: int = 4
    reach_m: int = 30_000
    phone_capacity: int = 0
    max_added: int | None = None  # per receiving day, besides the supervisor's forced visits
    worth_m: tuple[tuple[VisitKind, int], ...] = (
        ("appointment", 1_000_000),
        ("collection", 40_000),
        ("rescue", 40_000),
        ("urgent", 10_000),
    )
    score_worth_m: int = 15_000
    time_limit: timedelta = timedelta(seconds=2)
    guided: bool = True  # guided local search until the time limit; else one descent
    seed: int = 0

    def __post_init__(self) -> None:
        if self.neighbours < 1 or self.reach_m < 0 or self.phone_capacity < 0:
            raise ValueError("neighbours >= 1, reach_m >= 0 and phone_capacity >= 0")
        if self.max_added is not None and self.max_added < 0:
            raise ValueError("max_added must be >= 0 or None")


@dataclass(frozen=True, slots=True)
class CoverProblem:
    """The receiving days, the absent rep's must-do visits and the settings."""

    days: tuple[ReceivingDay, ...]
    visits: tuple[OrphanVisit, ...]
    settings: CoverSettings = field(default_factory=CoverSettings)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", tuple(self.days))
        object.__setattr__(self, "visits", tuple(self.visits))
        day_ids = [d.id for d in self.days]
        if len(set(day_ids)) != len(day_ids):
            raise ValueError("receiving day ids must be unique")
        ids = [v.id for v in self.visits] + [s.id for d in self.days for s in d.stops]
        if len(set(ids)) != len(ids):
            raise ValueError("a customer may appear once: on one day or as one orphan visit")
        for v in self.visits:
            if v.forced is not None and v.forced != PHONE and v.forced not in day_ids:
                raise ValueError(f"visit {v.id} is forced onto unknown day {v.forced!r}")


@dataclass(frozen=True, slots=True)
class ReceivingRoute:
    """A receiving day after the cover: the whole new route and what the added visits cost.

    ``before`` is the day as it was (re-timed the same way), so ``added_m`` and
    ``added_s`` compare like with like. ``added_s`` is the effort (extra driving plus the
    added visits' service): waiting that the new visits fill (for lunch, for a window) is
    not counted twice; ``end_later_s`` says how much later the rep gets home. ``problem`` is
    the day's own :class:`DayProblem` (existing stops first, then the added visits).
    """

    day_id: str
    route: DayRoute
    before: DayRoute
    added: tuple[str, ...]
    problem: DayProblem

    @property
    def added_m(self) -> int:
        """Return the extra driving metres."""
        return self.route.total_m - self.before.total_m

    @property
    def added_s(self) -> int:
        """Return the extra effort in seconds: driving plus the added visits' service."""
        service = sum(
            s.departure_s - s.start_s
            for s in self.route.stops
            if s.candidate_id is not None and s.candidate_id in self.added
        )
        return self.route.driving_s - self.before.driving_s + service

    @property
    def end_later_s(self) -> int:
        """Return how much later the rep reaches the end of the day."""
        return self.route.end_arrival_s - self.before.end_arrival_s


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A must-do visit nobody takes, and why: no rep could (``reason``) and, when it could be
    handled by phone, the telesales list was full (``call_list_full``)."""

    visit_id: str
    reason: UnplacedReason
    call_list_full: bool = False


@dataclass(frozen=True, slots=True)
class CoverPlan:
    """The proposal: receiving routes, the calls for telesales, what stays unplaced.

    ``rigid`` names receiving days whose existing route does not fit its own day any more
    (re-timed, a stop falls out): they are left untouched and take nothing.
    """

    routes: tuple[ReceivingRoute, ...]
    by_phone: tuple[str, ...]
    unplaced: tuple[Unplaced, ...]
    rigid: tuple[str, ...]
    seconds: float
    solver_status: int = 0

    def placed(self) -> dict[str, str]:
        """Return ``visit id -> receiving day id`` for the visits a rep takes."""
        return {vid: r.day_id for r in self.routes for vid in r.added}


# --------------------------------------------------------------------------- geometry


def _day_points(day: ReceivingDay) -> list[Location]:
    return [day.rep.start, day.rep.end, *(s.location for s in day.stops)]


def neighbours(problem: CoverProblem, open_days: Sequence[int]) -> dict[str, list[int]]:
    """Return, per visit id, the receiving days (indices) it may ride, nearest first.

    A day's distance to a visit is the straight line to the nearest point of its route (start,
    end or a stop); only days within ``reach_m`` count, at most ``neighbours`` of them. A
    forced visit may only ride its forced day (however far).
    """
    settings = problem.settings
    out: dict[str, list[int]] = {v.id: [] for v in problem.visits}
    free = [v for v in problem.visits if v.forced is None and v.candidate.windows]
    if free and open_days:
        points: list[Location] = []
        owner: list[int] = []
        for d in open_days:
            pts = _day_points(problem.days[d])
            points += pts
            owner += [d] * len(pts)
        dist = geodesic_cross_m([v.candidate.location for v in free], points)
        owner_arr = np.array(owner)
        days = np.array(list(open_days))
        # nearest point per day: a minimum over each day's columns
        per_day = np.full((len(free), len(days)), np.inf)
        for k, d in enumerate(days):
            per_day[:, k] = dist[:, owner_arr == d].min(axis=1)
        for row, visit in enumerate(free):
            order = np.argsort(per_day[row], kind="stable")
            near = [int(days[k]) for k in order if per_day[row, k] <= settings.reach_m]
            out[visit.id] = near[: settings.neighbours]
    index = {d.id: i for i, d in enumerate(problem.days)}
    for v in problem.visits:
        if v.forced is not None and v.forced != PHONE and v.candidate.windows:
            out[v.id] = [index[v.forced]] if index[v.forced] in open_days else []
    return out


# --------------------------------------------------------------------------- one day


def _sub_problem(day: ReceivingDay, added: Sequence[Candidate], full: _Nodes) -> DayProblem:
    """Cut the day's problem out of the global matrix (no second call to the provider)."""
    candidates = (*day.stops, *added)
    nodes = [full.start_of[day.id], full.end_of[day.id], *(full.node_of[c.id] for c in candidates)]
    if day.rep.lunch is not None and day.rep.lunch.location is not None:
        nodes.append(full.lunch_of[day.id])
    pick = np.array(nodes, dtype=np.int64)
    matrix = TravelMatrix(
        durations_s=full.durations[pick[:, None], pick[None, :]].tolist(),
        distances_m=full.distances[pick[:, None], pick[None, :]].tolist(),
    )
    return DayProblem(day.rep, candidates, matrix)


def _timed(problem: DayProblem, order: Sequence[str], lunch_at: int | None) -> DayRoute | None:
    """Time ``order`` with lunch at ``lunch_at`` (or wherever fits); None unless all fit."""
    positions: list[int | None] = [None]
    if problem.rep.lunch is not None:
        first = lunch_at if lunch_at is not None else len(order)
        positions = [first, *(p for p in range(len(order) + 1) if p != first)]
    for at in positions:
        seq = list(order) if at is None else [*order[:at], LUNCH, *order[at:]]
        route = route_in_order(problem, seq)
        if route is not None and len(route.visited_ids) == len(order):
            return route
    return None


# --------------------------------------------------------------------------- the model


@dataclass
class _Nodes:
    """The global node list: every vehicle's start and end, existing stops, orphan visits."""

    locations: list[Location] = field(default_factory=list)
    start_of: dict[str, int] = field(default_factory=dict)
    end_of: dict[str, int] = field(default_factory=dict)
    lunch_of: dict[str, int] = field(default_factory=dict)
    node_of: dict[str, int] = field(default_factory=dict)
    durations: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    distances: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))

    def add(self, where: Location) -> int:
        self.locations.append(where)
        return len(self.locations) - 1


def _nodes(
    problem: CoverProblem,
    days: Sequence[int],
    visits: Sequence[OrphanVisit],
    provider: TravelProvider,
) -> _Nodes:
    nodes = _Nodes()
    for d in days:
        day = problem.days[d]
        nodes.start_of[day.id] = nodes.add(day.rep.start)
        nodes.end_of[day.id] = nodes.add(day.rep.end)
        if day.rep.lunch is not None and day.rep.lunch.location is not None:
            nodes.lunch_of[day.id] = nodes.add(day.rep.lunch.location)
        for stop in day.stops:
            nodes.node_of[stop.id] = nodes.add(stop.location)
    for v in visits:
        nodes.node_of[v.id] = nodes.add(v.candidate.location)
    if len(nodes.locations) >= 2:
        matrix = provider.matrix(nodes.locations, depart_s=None)
        nodes.durations = np.array(matrix.durations_s, dtype=np.int64)
        nodes.distances = np.array(matrix.distances_m, dtype=np.int64)
    return nodes


def _penalties(visits: Sequence[OrphanVisit], settings: CoverSettings) -> dict[str, int]:
    worth = dict(settings.worth_m)
    top = max((v.candidate.prize for v in visits), default=0.0)
    out = {}
    for v in visits:
        share = v.candidate.prize / top if top > 0 else 0.0
        extra = round(share * settings.score_worth_m) if v.kind == "urgent" else 0
        out[v.id] = int(worth.get(v.kind, 0)) + extra
    return out


def _may_start(visit: OrphanVisit, rep: RepDay) -> bool:
    """Tell whether one of the visit's windows opens before the day's deadline."""
    deadline = _deadline(rep)
    return any(w.start_s <= deadline and w.end_s >= rep.start_s for w in visit.candidate.windows)


def _lunch_s(rep: RepDay) -> int:
    """Time the model keeps for lunch: its duration, when lunch fits the day at all."""
    lunch = rep.lunch
    if lunch is None or not lunch_fits(DayProblem(rep, (), _empty_matrix(rep))):
        return 0
    return lunch.duration_s


def _deadline(rep: RepDay) -> int:
    lunch_s = rep.lunch.duration_s if rep.lunch is not None else 0
    return min(rep.end_s, rep.start_s + rep.max_working_s + lunch_s)


class _Model:
    """OR-Tools' routing model of the receiving days that may take a visit."""

    def __init__(
        self,
        problem: CoverProblem,
        days: list[int],
        visits: list[OrphanVisit],
        allowed: dict[str, list[int]],
        nodes: _Nodes,
        penalty: dict[str, int],
    ) -> None:
        self.problem, self.days, self.visits = problem, days, visits
        self.vehicle_of_day = {d: v for v, d in enumerate(days)}
        self.ids: list[str] = []  # model node -> stop id ('' for starts and ends)
        self.graph: list[int] = []  # model node -> global node
        self.service: list[int] = []
        self.windows: list[tuple[tuple[int, int], ...]] = []
        starts, ends = [], []
        for d in days:
            day = problem.days[d]
            starts.append(self._node(nodes.start_of[day.id], None))
            ends.append(self._node(nodes.end_of[day.id], None))
        for d in days:
            for stop in problem.days[d].stops:
                self._node(nodes.node_of[stop.id], stop)
        for v in visits:
            self._node(nodes.node_of[v.id], v.candidate)
        size = len(self.graph)
        self.manager = pywrapcp.RoutingIndexManager(size, len(days), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.index_of = {
            self.ids[n]: self.manager.NodeToIndex(n) for n in range(size) if self.ids[n]
        }
        self.horizon = max((_deadline(problem.days[d].rep) for d in days), default=0) + 1
        self._dimensions(nodes)
        self._windows()
        self._vehicles()
        self._caps()
        for visit in visits:
            index = self.index_of[visit.id]
            self.routing.VehicleVar(index).SetValues(
                [-1, *(self.vehicle_of_day[d] for d in allowed[visit.id])]
            )
            self.routing.AddDisjunction([index], penalty[visit.id])

    def _caps(self) -> None:
        """At most ``max_added`` free visits per day (forced ones do not count)."""
        cap = self.problem.settings.max_added
        if cap is None:
            return
        free = {v.id for v in self.visits if v.forced is None}
        counts = [1 if self.ids[n] in free else 0 for n in range(len(self.graph))]
        callback = self.routing.RegisterUnaryTransitVector(counts)
        self.routing.AddDimension(callback, 0, cap, True, "added")

    def _node(self, global_node: int, cand: Candidate | None) -> int:
        """Append a model node (a start or end when ``cand`` is None); return its number."""
        self.graph.append(global_node)
        self.ids.append(cand.id if cand is not None else "")
        self.service.append(cand.service_s if cand is not None else 0)
        self.windows.append(
            tuple((w.start_s, w.end_s) for w in cand.windows) if cand is not None else ()
        )
        return len(self.graph) - 1

    def _dimensions(self, nodes: _Nodes) -> None:
        """Cost in metres; a time dimension (travel + service); a rank dimension for order."""
        routing = self.routing
        pick = np.array(self.graph, dtype=np.int64)
        travel = nodes.durations[pick[:, None], pick[None, :]]
        metres = nodes.distances[pick[:, None], pick[None, :]]
        transit = travel + np.array(self.service, dtype=np.int64)[:, None]
        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(metres.tolist()))
        routing.AddDimension(
            routing.RegisterTransitMatrix(transit.tolist()),
            self.horizon,
            self.horizon,
            False,
            "time",
        )
        self.time = routing.GetDimensionOrDie("time")
        routing.AddConstantDimension(1, len(self.graph) + 1, True, "rank")
        self.rank = routing.GetDimensionOrDie("rank")

    def _windows(self) -> None:
        """Bound each stop's start to its windows (the gap between two windows removed)."""
        for n, spans in enumerate(self.windows):
            if not self.ids[n]:
                continue
            var = self.time.CumulVar(self.manager.NodeToIndex(n))
            var.SetRange(min(spans[0][0], self.horizon), min(spans[-1][1], self.horizon))
            for (_, a_end), (b_start, _) in itertools.pairwise(spans):
                if a_end + 1 <= b_start - 1 <= self.horizon:
                    var.RemoveInterval(a_end + 1, b_start - 1)

    def _vehicles(self) -> None:
        """Fix each day's start and deadline; keep its stops on it, in their order."""
        routing, solver = self.routing, self.routing.solver()
        for v, d in enumerate(self.days):
            day = self.problem.days[d]
            self.time.CumulVar(routing.Start(v)).SetValue(day.rep.start_s)
            self.time.CumulVar(routing.End(v)).SetMax(_deadline(day.rep) - _lunch_s(day.rep))
            previous = None
            for stop in day.stops:
                index = self.index_of[stop.id]
                routing.VehicleVar(index).SetValues([v])
                if previous is not None:
                    solver.Add(self.rank.CumulVar(previous) + 1 <= self.rank.CumulVar(index))
                previous = index

    def routes(self, assignment: pywrapcp.Assignment) -> list[list[str]]:
        """Read each vehicle's stop ids in order."""
        out = []
        for v in range(len(self.days)):
            ids, index = [], self.routing.Start(v)
            index = assignment.Value(self.routing.NextVar(index))
            while not self.routing.IsEnd(index):
                ids.append(self.ids[self.manager.IndexToNode(index)])
                index = assignment.Value(self.routing.NextVar(index))
            out.append(ids)
        return out


def _empty_matrix(rep: RepDay) -> TravelMatrix:
    """Start, end (and lunch place): the matrix of an empty day, travel ignored."""
    size = 3 if rep.lunch is not None and rep.lunch.location is not None else 2
    zeros = tuple(tuple(0 for _ in range(size)) for _ in range(size))
    return TravelMatrix(durations_s=zeros, distances_m=zeros)


def _parameters(settings: CoverSettings) -> pywrapcp.DefaultRoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    if settings.guided:
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
    else:
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        )
    params.time_limit.FromTimedelta(settings.time_limit)
    return params


# --------------------------------------------------------------------------- solve


def _repair(
    build: Callable[[list[str]], DayProblem], order: list[str], penalty: dict[str, int]
) -> tuple[DayRoute, list[str]]:
    """Time the vehicle's order; take added visits off (cheapest first) until it all fits.

    ``build`` makes the day's problem with the given added visits (an appointment left in
    the problem but not in the order would make every timing fail).
    """
    order = list(order)
    while True:
        added = [vid for vid in order if vid in penalty]
        route = _timed(build(added), order, None)
        if route is not None:
            return route, order
        if not added:  # the existing route itself no longer fits: callers checked it does
            raise RuntimeError("existing route does not fit its day")
        worst = min(added, key=lambda vid: (penalty[vid], vid))
        order.remove(worst)


class _DayState:
    """The receiving days as the cover builds them: order, added visits, timed route."""

    def __init__(
        self,
        problem: CoverProblem,
        nodes: _Nodes,
        penalty: dict[str, int],
        bases: dict[int, DayRoute],
    ) -> None:
        self.problem, self.nodes, self.penalty, self.bases = problem, nodes, penalty, bases
        self.orders = {d: [s.id for s in problem.days[d].stops] for d in bases}
        self.added: dict[int, list[Candidate]] = {d: [] for d in bases}
        self.timed: dict[int, DayRoute] = dict(bases)
        self.placed: dict[str, int] = {}

    def _lunch_hint(self, d: int, limit: int) -> int | None:
        """Where lunch is in the day now (tried first when timing a new order)."""
        for k, stop in enumerate(self.timed[d].stops):
            if stop.kind == "lunch":
                return min(k, limit)
        return None

    def take(self, d: int, order: list[str], by_id: dict[str, Candidate]) -> None:
        """Adopt a vehicle's order from OR-Tools, taking off what the re-timing refuses."""
        ids = [vid for vid in order if vid in by_id]
        if not ids:
            return
        day = self.problem.days[d]
        route, kept = _repair(
            lambda chosen: _sub_problem(day, [by_id[vid] for vid in chosen], self.nodes),
            order,
            {k: self.penalty[k] for k in ids},
        )
        final = [by_id[vid] for vid in kept if vid in by_id]
        self.orders[d], self.added[d], self.timed[d] = kept, final, route
        for cand in final:
            self.placed[cand.id] = d

    def insert(self, visit: OrphanVisit, days: list[int]) -> None:
        """Cheapest feasible insertion of one visit among its days (added metres)."""
        best: tuple[int, int, list[str], DayRoute] | None = None
        cap = self.problem.settings.max_added
        for d in days:
            if visit.forced is None and cap is not None and self._free_count(d) >= cap:
                continue
            order = self.orders[d]
            sub = _sub_problem(self.problem.days[d], [*self.added[d], visit.candidate], self.nodes)
            hint = self._lunch_hint(d, len(order) + 1)
            for pos in range(len(order) + 1):
                trial = [*order[:pos], visit.id, *order[pos:]]
                route = _timed(sub, trial, hint)
                if route is None:
                    continue
                cost = route.total_m - self.timed[d].total_m
                if best is None or cost < best[0]:
                    best = (cost, d, trial, route)
        if best is not None:
            _, d, trial, route = best
            self.orders[d], self.timed[d] = trial, route
            self.added[d].append(visit.candidate)
            self.placed[visit.id] = d

    def _free_count(self, d: int) -> int:
        """How many visits the solver chose to give this day (not the forced ones)."""
        forced = {v.id for v in self.problem.visits if v.forced is not None}
        return sum(1 for c in self.added[d] if c.id not in forced)

    def routes(self) -> tuple[ReceivingRoute, ...]:
        """Every day that takes something, re-timed once more from its final order."""
        out = []
        for d, added in self.added.items():
            if not added:
                continue
            day = self.problem.days[d]
            ordered = [vid for vid in self.orders[d] if vid in {c.id for c in added}]
            by_id = {c.id: c for c in added}
            sub = _sub_problem(day, [by_id[vid] for vid in ordered], self.nodes)
            route = _timed(sub, self.orders[d], None)
            assert route is not None  # the same order was timed when it was adopted
            out.append(ReceivingRoute(day.id, route, self.bases[d], tuple(ordered), sub))
        return tuple(out)


def _solve_model(
    model: _Model, settings: CoverSettings, start: list[list[str]]
) -> tuple[pywrapcp.Assignment | None, int]:
    """Improve the constructed routes with OR-Tools' local search (guided, or one descent)."""
    routing = model.routing
    params = _parameters(settings)
    routing.CloseModelWithParameters(params)
    routes = [[model.index_of[vid] for vid in order] for order in start]
    initial = routing.ReadAssignmentFromRoutes(routes, True)
    if initial is None:  # the two timings disagree on a constructed day: start from the plans
        existing = [[model.index_of[s.id] for s in model.problem.days[d].stops] for d in model.days]
        initial = routing.ReadAssignmentFromRoutes(existing, True)
    if initial is None:
        return None, int(routing.status())
    solution = routing.SolveFromAssignmentWithParameters(initial, params)
    return (solution or initial), int(routing.status())


def _better(
    model: _Model,
    solution: pywrapcp.Assignment,
    state: _DayState,
    days: list[int],
    penalty: dict[str, int],
) -> bool:
    """Tell whether OR-Tools' answer beats the construction in the model's own objective."""
    constructed = sum(r.total_m - state.bases[d].total_m for d, r in state.timed.items())
    constructed += sum(
        p for vid, p in penalty.items() if vid in model.index_of and vid not in state.placed
    )
    base = sum(state.bases[d].total_m for d in days)
    return int(solution.ObjectiveValue()) < constructed + base


def solve_cover(problem: CoverProblem, provider: TravelProvider) -> CoverPlan:
    """Propose who takes each orphan visit: a receiving rep, telesales, or nobody (and why).

    Parameters
    ----------
    problem
        The receiving days with their routes, the orphan visits and the settings.
    provider
        Travel times and distances (the same provider the days were planned with).

    Returns
    -------
    CoverPlan
        Each receiving day that takes something, re-timed with the existing stops in their
        order; the visits for the telesales list; the unplaced ones with their reason.
    """
    started = time.perf_counter()
    settings = problem.settings
    every_day = list(range(len(problem.days)))
    allowed = neighbours(problem, every_day)
    field_visits = [v for v in problem.visits if v.forced != PHONE and v.candidate.windows]
    used = sorted({d for v in field_visits for d in allowed[v.id]})
    nodes = _nodes(problem, used, field_visits, provider)
    penalty = _penalties(problem.visits, settings)
    bases: dict[int, DayRoute] = {}
    rigid: list[str] = []
    for d in used:
        day = problem.days[d]
        base = _timed(_sub_problem(day, (), nodes), [s.id for s in day.stops], None)
        if base is None:
            rigid.append(day.id)
        else:
            bases[d] = base
    open_days = [d for d in used if d in bases]
    near = {vid: bool(ds) for vid, ds in allowed.items()}
    visit_by_id = {v.id: v for v in field_visits}
    allowed = {vid: [d for d in ds if d in bases] for vid, ds in allowed.items()}
    allowed = {
        vid: [d for d in ds if _may_start(visit_by_id[vid], problem.days[d].rep)]
        for vid, ds in allowed.items()
        if vid in visit_by_id
    }
    riders = [v for v in field_visits if allowed[v.id]]
    status = 0
    state = _DayState(problem, nodes, penalty, bases)
    riders.sort(key=lambda v: (-penalty[v.id], v.id))
    for visit in riders:  # construction: cheapest feasible insertion, most valuable first
        state.insert(visit, allowed[visit.id])
    if riders and open_days and settings.time_limit.total_seconds() > 0:
        model = _Model(problem, open_days, riders, allowed, nodes, penalty)
        start = [state.orders[d] for d in open_days]
        solution, status = _solve_model(model, settings, start)
        if solution is not None and _better(model, solution, state, open_days, penalty):
            by_id = {v.id: v.candidate for v in riders}
            state = _DayState(problem, nodes, penalty, bases)
            for v, order in enumerate(model.routes(solution)):
                state.take(open_days[v], order, by_id)
            for visit in riders:  # what the re-timing took off may fit elsewhere
                if visit.id not in state.placed:
                    state.insert(visit, allowed[visit.id])
    routes = state.routes()
    by_phone, unplaced = _phone_and_rest(problem, set(state.placed), near, penalty)
    return CoverPlan(
        routes=tuple(routes),
        by_phone=by_phone,
        unplaced=unplaced,
        rigid=tuple(rigid),
        seconds=time.perf_counter() - started,
        solver_status=status,
    )


def _phone_and_rest(
    problem: CoverProblem,
    placed: set[str],
    near: dict[str, bool],
    penalty: dict[str, int],
) -> tuple[tuple[str, ...], tuple[Unplaced, ...]]:
    """Send what no rep takes to the telesales list (forced first, then by worth)."""
    left = [v for v in problem.visits if v.id not in placed]
    forced = [v.id for v in left if v.forced == PHONE]
    capacity = max(problem.settings.phone_capacity - len(forced), 0)
    callable_ = sorted(
        (v for v in left if v.forced != PHONE and v.by_phone),
        key=lambda v: (-penalty[v.id], v.id),
    )
    calls = [v.id for v in callable_[:capacity]]
    phone = set(forced) | set(calls)
    unplaced = []
    for v in left:
        if v.id in phone:
            continue
        reason: UnplacedReason
        if not v.candidate.windows:
            reason = "closed_that_day"
        elif not near.get(v.id):
            reason = "no_rep_nearby"
        else:
            reason = "no_time_left"
        unplaced.append(Unplaced(v.id, reason, call_list_full=v.by_phone))
    return tuple(forced + calls), tuple(unplaced)
