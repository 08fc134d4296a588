"""The team orienteering model of a :class:`~optimizer._core.Core` in OR-Tools' routing library.

One vehicle per tour, leaving its start node at ``depart`` and reaching its end node by
``deadline`` (which already holds the rep's maximum working time). A ``time`` dimension carries
service plus driving on each arc, waiting as slack, and each node's window on its cumul.
Customers sit in disjunctions: a two-window customer is one disjunction of its two nodes with
at most one visited; dropping it costs its prize. Prizes are scaled so that one prize unit
outweighs any possible driving, which makes OR-Tools' single integer objective the project's
lexicographic one (most prize, then least driving). Mandatory nodes (appointments, a lunch with
a place) cost more to drop than every prize together.

A lunch without a place (``Core.follow``) is a break interval of the vehicle: OR-Tools places it
between two visits. That is a relaxation of the project's rule (lunch right after the previous
stop, then drive on): every route the project's scheduler accepts is feasible here, but OR-Tools
may also accept a route whose only timing eats near the next stop. The caller therefore re-times
every route OR-Tools returns with the project's scheduler and keeps the best one that passes;
each improving solution is recorded for that purpose (:attr:`OrtoolsRun.solutions`).

The search starts from the given routes (``ReadAssignmentFromRoutes``) and descends to OR-Tools'
local optimum, so that a run is reproducible; its solution and time limits are safety nets.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer._core import Core

PRIZE_UNITS = 10**6  # the largest prize becomes this many units: ties stay ties


@dataclass(frozen=True, slots=True)
class Found:
    """One solution of the search: tours as core nodes (start and end included, no follow)."""

    tours: tuple[tuple[int, ...], ...]
    objective: int


@dataclass(frozen=True, slots=True)
class OrtoolsRun:
    """What one OR-Tools search returned.

    ``solutions`` lists every solution the search accepted, best last (the first is the
    initial routes); ``best`` is the assignment OR-Tools reports as its best.
    """

    best: Found
    solutions: tuple[Found, ...]
    seconds: float
    status: int


class _Model:
    """The routing model of one core, with the maps between core nodes and OR-Tools indices."""

    def __init__(self, core: Core, break_vehicle: int | None) -> None:
        self.core = core
        ends = {t.start for t in core.tours} | {t.end for t in core.tours}
        horizon = max(t.deadline for t in core.tours)
        visits = sorted(  # a node that opens after every tour's deadline is left out
            n
            for n in set(core.customers) | core.mandatory
            if n != core.follow and n not in ends and core.open[n] <= horizon
        )
        self.nodes = sorted(ends) + visits  # OR-Tools node -> core node
        position = {c: i for i, c in enumerate(self.nodes)}
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.nodes),
            len(core.tours),
            [position[t.start] for t in core.tours],
            [position[t.end] for t in core.tours],
        )
        self.model = pywrapcp.RoutingModel(self.manager)
        self.index_of = {c: self.manager.NodeToIndex(position[c]) for c in visits}
        pick = np.array(self.nodes, dtype=np.int64)
        travel = core.travel[pick[:, None], pick[None, :]]
        transit = travel + core.service[pick][:, None]
        model = self.model
        model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitMatrix(travel.tolist()))
        model.AddDimension(
            model.RegisterTransitMatrix(transit.tolist()), horizon, horizon, False, "time"
        )
        self.time = model.GetDimensionOrDie("time")
        for node, index in self.index_of.items():
            self.time.CumulVar(index).SetRange(
                int(core.open[node]), int(min(core.close[node], horizon))
            )
        for v, tour in enumerate(core.tours):
            self.time.CumulVar(model.Start(v)).SetValue(tour.depart)
            self.time.CumulVar(model.End(v)).SetMax(tour.deadline)
        self._disjunctions(visits)
        self.lunch: pywrapcp.IntervalVar | None = None
        if break_vehicle is not None:
            self._break(break_vehicle)
        self.found: list[Found] = []  # the solutions of the current search, best last
        model.AddAtSolutionCallback(self._record)

    def _record(self) -> None:
        """Keep the solution OR-Tools just accepted (its variables are bound right now)."""
        self.found.append(Found(self.routes_of(None), int(self.model.CostVar().Value())))

    def _disjunctions(self, visits: list[int]) -> None:
        """Put every visit in a disjunction whose penalty is its prize (or more, if mandatory)."""
        core = self.core
        top = float(core.prize[list(visits)].max()) if visits else 0.0
        scale = PRIZE_UNITS / top if top > 0 else 1.0
        # one prize unit must outweigh the longest possible driving of all tours together
        weight = sum(t.deadline - t.depart for t in core.tours) + 1
        members: dict[int, list[int]] = {}
        for node in visits:
            key = int(core.group[node]) if core.group[node] >= 0 else -1 - node
            members.setdefault(key, []).append(node)
        units = {key: round(float(core.prize[nodes[0]]) * scale) for key, nodes in members.items()}
        must = (sum(units.values()) + 1) * weight
        for key, nodes in members.items():
            penalty = must if any(n in core.mandatory for n in nodes) else units[key] * weight
            self.model.AddDisjunction([self.index_of[n] for n in nodes], penalty, 1)

    def _break(self, vehicle: int) -> None:
        """Add the place-less lunch as a break of ``vehicle``, inside its working day."""
        core, model = self.core, self.model
        follow = core.follow
        solver = model.solver()
        lunch = solver.FixedDurationIntervalVar(
            int(core.open[follow]),
            int(core.close[follow]),
            int(core.service[follow]),
            False,
            "lunch",
        )
        visit_transits = [
            int(core.service[self.nodes[self.manager.IndexToNode(i)]]) for i in range(model.Size())
        ]
        self.time.SetBreakIntervalsOfVehicle([lunch], vehicle, visit_transits)
        solver.Add(lunch.StartExpr() >= self.time.CumulVar(model.Start(vehicle)))
        solver.Add(lunch.EndExpr() <= self.time.CumulVar(model.End(vehicle)))
        self.lunch = lunch

    def routes_of(self, assignment: Any) -> tuple[tuple[int, ...], ...]:
        """Read the tours (core nodes) from an assignment, or from the bound variables if None."""
        model, out = self.model, []
        read = None if assignment is None else assignment.Value
        for v, tour in enumerate(self.core.tours):
            nodes = [tour.start]
            index = model.Start(v)
            while True:
                var = model.NextVar(index)
                index = read(var) if read is not None else var.Value()
                if model.IsEnd(index):
                    break
                nodes.append(self.nodes[self.manager.IndexToNode(index)])
            nodes.append(tour.end)
            out.append(tuple(nodes))
        return tuple(out)


class Models:
    """The OR-Tools models of one core, built on first use and reused by every later descent.

    Closing a routing model (building its search) costs about as much as a descent on large
    problems (0.1 s at 192 customers and 4 tours); a search that alternates with OR-Tools
    several times in one second pays it once per tour eating the lunch instead of once per
    descent. A closed model is solved again from new routes with new limits.
    """

    def __init__(self, core: Core) -> None:
        self.core = core
        self._built: dict[int | None, _Model] = {}

    def get(self, break_vehicle: int | None) -> _Model:
        """Return the model whose place-less lunch belongs to ``break_vehicle`` (None: none)."""
        if break_vehicle not in self._built:
            self._built[break_vehicle] = _Model(self.core, break_vehicle)
        return self._built[break_vehicle]


def _parameters(solution_limit: int, time_limit: timedelta) -> object:
    """Return the search parameters: a descent to OR-Tools' local optimum, bounded twice.

    The descent stops by itself, so a run is reproducible; the limits are safety nets.
    Guided local search was tried from the same start and found ~20 solutions per second
    on 100-customer, 4-tour instances: at a one-second budget the ILS's perturbations,
    alternated with descents (``optimizer._engine``), use the time better.
    """
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.solution_limit = max(1, solution_limit)
    params.time_limit.FromTimedelta(time_limit)
    return params


def improve(
    core: Core,
    tours: Sequence[Sequence[int]],
    *,
    solution_limit: int,
    time_limit: timedelta,
    models: Models | None = None,
) -> OrtoolsRun | None:
    """Search from ``tours`` (core nodes, start and end included) and return what was found.

    ``models`` lets the descents of one search share their models (see :class:`Models`).

    Returns None when OR-Tools' model rejects the given routes, which means the two models
    disagree: the caller treats it as a bug (the tests assert it never happens).
    """
    started = time.perf_counter()
    eats = [v for v, t in enumerate(tours) if core.follow >= 0 and core.follow in t]
    breaker = eats[0] if eats else None
    m = models.get(breaker) if models is not None else _Model(core, breaker)
    routes = [[m.index_of[n] for n in t[1:-1] if n != core.follow] for t in tours]
    initial = m.model.ReadAssignmentFromRoutes(routes, True)
    if initial is None:
        return None
    m.found = []
    solution = m.model.SolveFromAssignmentWithParameters(
        initial, _parameters(solution_limit, time_limit)
    )
    if solution is None:
        best = Found(m.routes_of(initial), int(initial.ObjectiveValue()))
    else:
        best = Found(m.routes_of(solution), int(solution.ObjectiveValue()))
    return OrtoolsRun(best, tuple(m.found), time.perf_counter() - started, int(m.model.status()))
