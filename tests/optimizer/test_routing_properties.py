"""Property checks: random small days always give routes the independent checker accepts."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import DayProblem, LunchBreak, TimeWindow, solve_day
from optimizer.checker import check_day
from tests.optimizer.conftest import HOME, H, M, line_problem


@st.composite
def windows(draw: st.DrawFn) -> tuple[TimeWindow, ...]:
    """Draw zero, one or two sorted, disjoint windows inside 8:00-18:00."""
    count = draw(st.integers(0, 2))
    cuts = sorted(draw(st.lists(st.integers(8 * 60, 18 * 60), min_size=2 * count,
                                max_size=2 * count, unique=True)))
    return tuple(TimeWindow(cuts[i] * M, cuts[i + 1] * M) for i in range(0, 2 * count, 2))


@st.composite
def days(draw: st.DrawFn) -> DayProblem:
    """Draw a day on a line: up to six customers, maybe a lunch (with or without a place)."""
    count = draw(st.integers(0, 6))
    spots = [(f"c{i}", draw(st.integers(1, 90)), float(draw(st.integers(0, 50))),
              draw(windows())) for i in range(count)]
    lunch = None
    if draw(st.booleans()):
        earliest = draw(st.integers(11 * 60, 13 * 60)) * M
        place = HOME if draw(st.booleans()) else None
        lunch = LunchBreak(earliest, earliest + draw(st.integers(0, 90)) * M, H, place)
    end = draw(st.integers(14, 19)) * H
    return line_problem(spots, day=(8 * H, end), max_working_s=draw(st.integers(2, 10)) * H,
                        service_s=draw(st.sampled_from([0, 10 * M, 30 * M])), lunch=lunch,
                        lunch_at=draw(st.integers(0, 60)))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problem=days(), seed=st.integers(0, 3))
def test_random_days_pass_the_checker(problem: DayProblem, seed: int) -> None:
    """Tests that every route obeys windows, lunch, day length and working time."""
    route = solve_day(problem, time_limit=timedelta(seconds=0.05), seed=seed)
    assert check_day(problem, route) == []
    assert route == solve_day(problem, time_limit=timedelta(seconds=0.05), seed=seed)
