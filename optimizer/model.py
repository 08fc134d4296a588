"""Plain, frozen dataclasses in and out of the route solver.

Every time is an integer number of seconds since local midnight of the planned day and every
distance an integer number of metres, so the solver never sees floats at its boundary.

Node numbering of a :class:`TravelMatrix` (shared with ``optimizer/travel.py``):

* ``0``: the rep's start place;
* ``1``: the rep's end place;
* ``2 .. 2 + n - 1``: the candidates, in the order of :attr:`DayProblem.candidates`;
* ``2 + n``: the lunch place, only when the lunch break has a location.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

StopKind = Literal["visit", "lunch"]
DropReason = Literal["no_time_left", "closed_that_day", "window_unreachable"]
DROP_REASONS: tuple[DropReason, ...] = (
    "no_time_left",
    "closed_that_day",
    "window_unreachable",
)
DAY_S = 48 * 3600  # a plan may run past midnight, never past the next one


def _check_int(name: str, value: object, *, low: int = 0, high: int = DAY_S) -> None:
    """Reject non-integers (bools included) and values outside [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")


@dataclass(frozen=True, slots=True)
class Location:
    """A WGS84 point; the solver only needs it to label stops, travel.py to measure."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        for name, value, bound in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value) or abs(value) > bound:
                raise ValueError(f"{name} must be within ±{bound}, got {value}")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Bounds the START of a service: it may begin at any second in [start_s, end_s]."""

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        _check_int("start_s", self.start_s)
        _check_int("end_s", self.end_s)
        if self.end_s < self.start_s:
            raise ValueError(f"window ends ({self.end_s}) before it starts ({self.start_s})")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A customer who may be visited today, worth ``prize`` when visited.

    ``windows`` holds zero, one or two disjoint windows for that day (sorted); zero means the
    customer is closed that day. An ``appointment`` is a fixed visit with exactly one window
    that must be kept.
    """

    id: str
    location: Location
    prize: float
    service_s: int
    windows: tuple[TimeWindow, ...]
    appointment: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError("candidate id must be a non-empty string")
        if not isinstance(self.location, Location):
            raise ValueError("location must be a Location")
        if isinstance(self.prize, bool) or not isinstance(self.prize, int | float):
            raise ValueError(f"prize must be a number, got {self.prize!r}")
        if not math.isfinite(self.prize) or self.prize < 0:
            raise ValueError(f"prize must be finite and >= 0, got {self.prize}")
        _check_int("service_s", self.service_s)
        object.__setattr__(self, "windows", tuple(self.windows))
        if len(self.windows) > 2:
            raise ValueError("a candidate has at most two windows a day")
        if not all(isinstance(w, TimeWindow) for w in self.windows):
            raise ValueError("windows must be TimeWindow objects")
        if len(self.windows) == 2 and self.windows[1].start_s <= self.windows[0].end_s:
            raise ValueError("two windows must be sorted and disjoint")
        if self.appointment and len(self.windows) != 1:
            raise ValueError("an appointment has exactly one window")


@dataclass(frozen=True, slots=True)
class LunchBreak:
    """A break of ``duration_s`` starting in [earliest_start_s, latest_start_s].

    Without a location the rep eats where he is: right after the previous stop (or at the
    start place), and drives on from there. A day that ends before lunch can be taken (even
    with no visits) has no lunch stop.
    """

    earliest_start_s: int
    latest_start_s: int
    duration_s: int
    location: Location | None = None

    def __post_init__(self) -> None:
        _check_int("earliest_start_s", self.earliest_start_s)
        _check_int("latest_start_s", self.latest_start_s)
        _check_int("duration_s", self.duration_s, low=1)
        if self.latest_start_s < self.earliest_start_s:
            raise ValueError("lunch latest start is before its earliest start")
        if self.location is not None and not isinstance(self.location, Location):
            raise ValueError("lunch location must be a Location or None")


@dataclass(frozen=True, slots=True)
class RepDay:
    """The rep's working day: leave ``start`` at or after ``start_s``, reach ``end`` by ``end_s``.

    Working time is counted from leaving the start place to reaching the end place, minus the
    lunch break, and may not exceed ``max_working_s``.
    """

    start: Location
    end: Location
    start_s: int
    end_s: int
    max_working_s: int
    lunch: LunchBreak | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.start, Location) or not isinstance(self.end, Location):
            raise ValueError("start and end must be Location objects")
        _check_int("start_s", self.start_s)
        _check_int("end_s", self.end_s)
        _check_int("max_working_s", self.max_working_s, low=1)
        if self.end_s <= self.start_s:
            raise ValueError("the day must end after it starts")
        lunch = self.lunch
        if lunch is not None:
            if not isinstance(lunch, LunchBreak):
                raise ValueError("lunch must be a LunchBreak or None")
            if lunch.earliest_start_s > self.end_s or lunch.latest_start_s < self.start_s:
                raise ValueError("the lunch window lies outside the working day")


def _as_int_matrix(name: str, rows: object) -> tuple[tuple[int, ...], ...]:
    """Copy a square matrix (nested sequences or a numpy array) to tuples of ints >= 0."""
    tolist = getattr(rows, "tolist", None)
    data = tolist() if callable(tolist) else rows
    if not isinstance(data, Sequence):
        raise ValueError(f"{name} must be a square matrix")
    out: list[tuple[int, ...]] = []
    for row in data:
        if not isinstance(row, Sequence) or len(row) != len(data):
            raise ValueError(f"{name} must be square")
        cells = []
        for cell in row:
            if isinstance(cell, bool) or not isinstance(cell, int) or cell < 0:
                raise ValueError(f"{name} must hold non-negative ints, got {cell!r}")
            cells.append(int(cell))
        out.append(tuple(cells))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Driving seconds and metres between nodes (numbering in the module docstring).

    Accepts nested sequences or integer numpy arrays; stored as tuples of Python ints so the
    dataclass stays hashable and comparable. The diagonal must be zero.
    """

    durations_s: tuple[tuple[int, ...], ...]
    distances_m: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        durations = _as_int_matrix("durations_s", self.durations_s)
        distances = _as_int_matrix("distances_m", self.distances_m)
        if len(durations) != len(distances):
            raise ValueError("durations_s and distances_m must have the same size")
        if len(durations) < 2:
            raise ValueError("a matrix needs at least the start and end nodes")
        for i in range(len(durations)):
            if durations[i][i] or distances[i][i]:
                raise ValueError("the diagonal of a travel matrix must be zero")
        object.__setattr__(self, "durations_s", durations)
        object.__setattr__(self, "distances_m", distances)

    @property
    def size(self) -> int:
        """Return the number of nodes."""
        return len(self.durations_s)


@dataclass(frozen=True, slots=True)
class DayProblem:
    """One rep, one day: who may be visited and how long it takes to drive between them."""

    rep: RepDay
    candidates: tuple[Candidate, ...]
    matrix: TravelMatrix

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        if not isinstance(self.rep, RepDay) or not isinstance(self.matrix, TravelMatrix):
            raise ValueError("rep must be a RepDay and matrix a TravelMatrix")
        if not all(isinstance(c, Candidate) for c in self.candidates):
            raise ValueError("candidates must be Candidate objects")
        ids = [c.id for c in self.candidates]
        if len(set(ids)) != len(ids):
            raise ValueError("candidate ids must be unique")
        if self.matrix.size != self.node_count:
            raise ValueError(
                f"matrix has {self.matrix.size} nodes, the problem needs {self.node_count}"
            )

    @property
    def lunch_node(self) -> int | None:
        """Return the matrix node of the lunch place, or None when lunch has no place."""
        lunch = self.rep.lunch
        if lunch is None or lunch.location is None:
            return None
        return 2 + len(self.candidates)

    @property
    def node_count(self) -> int:
        """Return how many nodes the travel matrix must have."""
        return 2 + len(self.candidates) + (1 if self.lunch_node is not None else 0)


@dataclass(frozen=True, slots=True)
class ScheduledStop:
    """One stop of a day route, with the driving that leads to it from the previous stop."""

    kind: StopKind
    candidate_id: str | None
    arrival_s: int
    wait_s: int
    start_s: int
    departure_s: int
    travel_s: int
    travel_m: int

    def __post_init__(self) -> None:
        if self.kind not in ("visit", "lunch"):
            raise ValueError(f"kind must be 'visit' or 'lunch', got {self.kind!r}")
        if (self.kind == "visit") != (self.candidate_id is not None):
            raise ValueError("a visit names its candidate; a lunch names none")
        for name in ("arrival_s", "start_s", "departure_s"):
            _check_int(name, getattr(self, name))
        for name in ("wait_s", "travel_s", "travel_m"):
            _check_int(name, getattr(self, name), high=10**9)
        if self.start_s != self.arrival_s + self.wait_s or self.departure_s < self.start_s:
            raise ValueError("stop times must satisfy arrival + wait = start <= departure")


@dataclass(frozen=True, slots=True)
class DroppedCandidate:
    """A candidate left out of the route, and why."""

    candidate_id: str
    reason: DropReason

    def __post_init__(self) -> None:
        if self.reason not in DROP_REASONS:
            raise ValueError(f"reason must be one of {DROP_REASONS}, got {self.reason!r}")


@dataclass(frozen=True, slots=True)
class DayRoute:
    """The solved day: ordered stops, who was left out, and the day's totals.

    ``end_arrival_s`` is when the rep reaches the end place; ``working_s`` runs from leaving
    the start place (``departure_s``) to that arrival, minus the lunch break.
    """

    stops: tuple[ScheduledStop, ...]
    dropped: tuple[DroppedCandidate, ...]
    total_m: int
    driving_s: int
    working_s: int
    prize: float
    end_arrival_s: int
    departure_s: int = 0
    end_travel_s: int = 0
    end_travel_m: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "stops", tuple(self.stops))
        object.__setattr__(self, "dropped", tuple(self.dropped))
        for name in ("total_m", "driving_s", "working_s"):
            _check_int(name, getattr(self, name), high=10**9)
        _check_int("end_arrival_s", self.end_arrival_s)

    @property
    def visited_ids(self) -> tuple[str, ...]:
        """Return the visited candidate ids in route order."""
        return tuple(s.candidate_id for s in self.stops if s.candidate_id is not None)
