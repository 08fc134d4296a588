"""Validation of the public dataclasses and the package's independence from the app."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from optimizer import (
    Candidate,
    DayProblem,
    DroppedCandidate,
    Location,
    LunchBreak,
    RepDay,
    ScheduledStop,
    TimeWindow,
    TravelMatrix,
)
from tests.optimizer.conftest import HOME, H

WINDOW = TimeWindow(8 * H, 18 * H)


def candidate(**kw: Any) -> Candidate:
    """Build a valid candidate, overriding some fields."""
    fields: dict[str, Any] = {
        "id": "a",
        "location": HOME,
        "prize": 1.0,
        "service_s": 600,
        "windows": (WINDOW,),
    }
    return Candidate(**{**fields, **kw})


def rep(**kw: Any) -> RepDay:
    """Build a valid rep day, overriding some fields."""
    fields: dict[str, Any] = {
        "start": HOME,
        "end": HOME,
        "start_s": 8 * H,
        "end_s": 18 * H,
        "max_working_s": 9 * H,
        "lunch": None,
    }
    return RepDay(**{**fields, **kw})


def stop(**kw: Any) -> ScheduledStop:
    """Build a valid stop, overriding some fields."""
    fields: dict[str, Any] = {
        "kind": "visit",
        "candidate_id": "a",
        "arrival_s": 100,
        "wait_s": 0,
        "start_s": 100,
        "departure_s": 200,
        "travel_s": 5,
        "travel_m": 50,
    }
    return ScheduledStop(**{**fields, **kw})


@pytest.mark.parametrize(
    "build",
    [
        lambda: Location(91.0, 0.0),
        lambda: Location(0.0, float("nan")),
        lambda: TimeWindow(100, 50),
        lambda: TimeWindow(-1, 50),
        lambda: TimeWindow(1.5, 50),  # type: ignore[arg-type]
        lambda: candidate(id=""),
        lambda: candidate(prize=-1.0),
        lambda: candidate(prize=float("inf")),
        lambda: candidate(service_s=True),
        lambda: candidate(windows=(WINDOW, WINDOW)),
        lambda: candidate(windows=(WINDOW,) * 3),
        lambda: candidate(appointment=True, windows=()),
        lambda: LunchBreak(13 * H, 12 * H, H),
        lambda: LunchBreak(12 * H, 13 * H, 0),
        lambda: rep(end_s=8 * H),
        lambda: rep(max_working_s=0),
        lambda: rep(lunch=LunchBreak(20 * H, 21 * H, H)),
        lambda: TravelMatrix(((0, 1), (1, 0), (2, 2)), ((0, 1), (1, 0), (2, 2))),
        lambda: TravelMatrix(((0, -1), (1, 0)), ((0, 1), (1, 0))),
        lambda: TravelMatrix(((1, 1), (1, 0)), ((0, 1), (1, 0))),
        lambda: TravelMatrix(((0, 1.5), (1, 0)), ((0, 1), (1, 0))),
        lambda: DayProblem(rep(), (candidate(),), TravelMatrix(((0, 1), (1, 0)), ((0, 1), (1, 0)))),
        lambda: DayProblem(
            rep(),
            (candidate(), candidate()),
            TravelMatrix(np.zeros((4, 4), dtype=int), np.zeros((4, 4), dtype=int)),
        ),
        lambda: stop(kind="drive"),
        lambda: stop(kind="lunch"),
        lambda: stop(wait_s=10),
        lambda: DroppedCandidate("a", "bored"),  # type: ignore[arg-type]
    ],
)
def test_invalid_arguments_raise(build: Callable[[], object]) -> None:
    """Tests that every invalid dataclass is refused with ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        build()


def test_matrix_accepts_numpy_and_stores_plain_ints() -> None:
    """Tests that numpy matrices are copied into hashable tuples of Python ints."""
    grid = np.array([[0, 7, 3], [7, 0, 4], [3, 4, 0]], dtype=np.int32)
    matrix = TravelMatrix(grid, grid * 10)
    assert matrix.durations_s[0] == (0, 7, 3)
    assert type(matrix.distances_m[2][1]) is int
    assert hash(matrix) == hash(TravelMatrix(grid.tolist(), (grid * 10).tolist()))


def test_problem_counts_the_lunch_place_as_the_last_node() -> None:
    """Tests the node numbering: start, end, candidates, then the lunch place."""
    lunch = LunchBreak(12 * H, 13 * H, H, Location(0.0, 0.0))
    zeros = np.zeros((4, 4), dtype=int)
    problem = DayProblem(rep(lunch=lunch), (candidate(),), TravelMatrix(zeros, zeros))
    assert problem.lunch_node == 3
    assert problem.node_count == 4


def test_importing_optimizer_pulls_in_no_web_or_database_code() -> None:
    """Tests that the optimizer stays a pure library (no flask, sqlalchemy or app)."""
    code = (
        "import sys, optimizer, optimizer.routing, optimizer.checker, optimizer.__main__\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'app')]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
