"""Roteiro's pure optimisation library: plain dataclasses in, plain dataclasses out."""

from optimizer.model import (
    DROP_REASONS,
    Candidate,
    DayProblem,
    DayRoute,
    DroppedCandidate,
    DropReason,
    Location,
    LunchBreak,
    RepDay,
    ScheduledStop,
    TimeWindow,
    TravelMatrix,
)
from optimizer.routing import solve_day

__all__ = [
    "DROP_REASONS",
    "Candidate",
    "DayProblem",
    "DayRoute",
    "DropReason",
    "DroppedCandidate",
    "Location",
    "LunchBreak",
    "RepDay",
    "ScheduledStop",
    "TimeWindow",
    "TravelMatrix",
    "solve_day",
]
