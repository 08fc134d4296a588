"""Internal, integer model of a team orienteering problem with time windows.

Both the day route (one tour, lunch and appointments) and the benchmark instances (m tours)
map to this one model, so one search engine serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Tour:
    """One vehicle's day: leave ``start`` at ``depart``, reach ``end`` by ``deadline``."""

    start: int
    end: int
    depart: int
    deadline: int


@dataclass(frozen=True, eq=False)
class Core:
    """Nodes with one window each; a customer with two windows is two nodes of one group.

    ``follow`` is a node without a place of its own (a lunch taken where the rep is): it takes
    the place of the node before it, so driving from it starts where the rep ate.
    """

    travel: IntArray
    open: IntArray
    close: IntArray
    service: IntArray
    prize: FloatArray
    group: IntArray
    mandatory: frozenset[int]
    customers: tuple[int, ...]
    tours: tuple[Tour, ...]
    follow: int = -1

    def __post_init__(self) -> None:
        # plain lists: the scheduling loop indexes them one element at a time
        object.__setattr__(self, "travel_list", self.travel.tolist())
        object.__setattr__(
            self, "lists", (self.open.tolist(), self.close.tolist(), self.service.tolist())
        )

    @property
    def size(self) -> int:
        """Return the number of nodes."""
        return int(self.travel.shape[0])


@dataclass(slots=True)
class Schedule:
    """Earliest-start schedule of one tour, with forward slack for O(1) insertion checks."""

    nodes: list[int]
    loc: list[int]
    arrive: list[int]
    begin: list[int]
    slack: list[int]  # how far the arrival at each position may slip, all later windows kept
    travel: int
    table: IntArray | None = None  # per-slot arrays, built on first use by the search


def schedule(core: Core, tour: Tour, nodes: list[int]) -> Schedule | None:
    """Time a tour at earliest starts; None when a window or the deadline is missed."""
    tl = core.travel_list  # type: ignore[attr-defined]
    opn, cls, svc = core.lists  # type: ignore[attr-defined]
    follow = core.follow
    count = len(nodes)
    loc = [0] * count
    arrive = [0] * count
    begin = [0] * count
    loc[0] = nodes[0]
    arrive[0] = begin[0] = tour.depart
    travel = 0
    prev_loc, time = nodes[0], tour.depart
    for k in range(1, count):
        node = nodes[k]
        here = prev_loc if node == follow else node
        leg = tl[prev_loc][here]
        travel += leg
        t = time + leg
        arrive[k] = t
        if k == count - 1:
            if t > tour.deadline:
                return None
            begin[k] = t
            break
        if t < opn[node]:
            t = opn[node]
        if t > cls[node]:
            return None
        begin[k] = t
        loc[k] = here
        prev_loc = here
        time = t + svc[node]
    loc[-1] = nodes[-1]
    slack = [0] * count
    slack[-1] = tour.deadline - arrive[-1]
    for k in range(count - 2, 0, -1):
        shift_max = cls[nodes[k]] - begin[k]
        if slack[k + 1] < shift_max:
            shift_max = slack[k + 1]
        slack[k] = begin[k] - arrive[k] + shift_max
    return Schedule(nodes, loc, arrive, begin, slack, travel)
