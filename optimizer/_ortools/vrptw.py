"""The capacitated VRPTW used for Solomon instances (OR-Tools guided local search).

Travel times are scaled to integers and rounded up, so a route OR-Tools calls feasible stays
feasible in double precision; a large fixed cost per vehicle makes the objective hierarchical
(vehicles first, then distance).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

SCALE = 1000
VEHICLE_COST = 10**8


@dataclass(frozen=True, slots=True)
class VrptwInput:
    """A VRPTW in integers: node 0 is the depot; times and distances already scaled."""

    travel: Sequence[Sequence[int]]  # rounded up: used for time feasibility
    cost: Sequence[Sequence[int]]  # rounded: used for the objective
    ready: Sequence[int]
    due: Sequence[int]
    service: Sequence[int]
    demand: Sequence[int]
    vehicles: int
    capacity: int


def scale_vrptw(
    xy: Sequence[tuple[float, float]],
    ready: Sequence[float],
    due: Sequence[float],
    service: Sequence[float],
    demand: Sequence[int],
    vehicles: int,
    capacity: int,
) -> VrptwInput:
    """Scale a Euclidean VRPTW to integers (1 unit = 1/SCALE)."""
    n = len(xy)
    exact = [[math.dist(xy[a], xy[b]) * SCALE for b in range(n)] for a in range(n)]
    return VrptwInput(
        travel=[[math.ceil(d - 1e-9) for d in row] for row in exact],
        cost=[[round(d) for d in row] for row in exact],
        ready=[math.ceil(r * SCALE) for r in ready],
        due=[math.floor(d * SCALE) for d in due],
        service=[round(s * SCALE) for s in service],
        demand=list(demand),
        vehicles=vehicles,
        capacity=capacity,
    )


def solve_vrptw(
    data: VrptwInput,
    *,
    time_limit: timedelta,
    seed: int = 0,
    solution_limit: int | None = None,
) -> list[list[int]]:
    """Return routes (customer nodes, depot excluded) found by guided local search.

    The search stops at ``time_limit`` or, if given, after ``solution_limit`` solutions:
    OR-Tools' single-threaded search is deterministic, so a solution count (unlike a clock)
    gives the same routes on a loaded machine.
    """
    n = len(data.travel)
    manager = pywrapcp.RoutingIndexManager(n, data.vehicles, 0)
    model = pywrapcp.RoutingModel(manager)

    def cost(i: int, j: int) -> int:
        return int(data.cost[manager.IndexToNode(i)][manager.IndexToNode(j)])

    def time_(i: int, j: int) -> int:
        a = manager.IndexToNode(i)
        return int(data.service[a] + data.travel[a][manager.IndexToNode(j)])

    def load(i: int) -> int:
        return int(data.demand[manager.IndexToNode(i)])

    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitCallback(cost))
    model.SetFixedCostOfAllVehicles(VEHICLE_COST)
    horizon = int(data.due[0])
    model.AddDimension(model.RegisterTransitCallback(time_), horizon, horizon, False, "time")
    times = model.GetDimensionOrDie("time")
    for node in range(1, n):
        times.CumulVar(manager.NodeToIndex(node)).SetRange(
            int(data.ready[node]), int(data.due[node])
        )
    for v in range(data.vehicles):
        times.CumulVar(model.Start(v)).SetRange(int(data.ready[0]), horizon)
        times.CumulVar(model.End(v)).SetRange(int(data.ready[0]), horizon)
    model.AddDimensionWithVehicleCapacity(
        model.RegisterUnaryTransitCallback(load),
        0,
        [data.capacity] * data.vehicles,
        True,
        "load",
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromTimedelta(time_limit)
    if solution_limit is not None:
        params.solution_limit = solution_limit
    del seed  # OR-Tools' search is deterministic for a fixed time limit and parameters
    solution = model.SolveWithParameters(params)
    if solution is None:
        return []
    routes = []
    for v in range(data.vehicles):
        index = solution.Value(model.NextVar(model.Start(v)))
        route = []
        while not model.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(model.NextVar(index))
        if route:
            routes.append(route)
    return routes
