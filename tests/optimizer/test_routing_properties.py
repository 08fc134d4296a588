"""Property checks on random small problems.

* Every route passes the independent checker (days and TOPTW instances alike).
* The two engines agree: OR-Tools' routing model accepts every route the project's ILS found
  (``EngineReport.agreed``); a disagreement is a bug in one of the two models.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import DayProblem, LunchBreak, TimeWindow, _engine, solve_day
from optimizer.checker import check_day, check_optw
from optimizer.instances import OptwInstance, optw_core
from optimizer.routing import solve_day_report
from tests.optimizer.conftest import HOME, H, M, line_problem


@st.composite
def windows(draw: st.DrawFn) -> tuple[TimeWindow, ...]:
    """Draw zero, one or two sorted, disjoint windows inside 8:00-18:00."""
    count = draw(st.integers(0, 2))
    cuts = sorted(
        draw(
            st.lists(
                st.integers(8 * 60, 18 * 60), min_size=2 * count, max_size=2 * count, unique=True
            )
        )
    )
    return tuple(TimeWindow(cuts[i] * M, cuts[i + 1] * M) for i in range(0, 2 * count, 2))


@st.composite
def days(draw: st.DrawFn) -> DayProblem:
    """Draw a day on a line: up to six customers, maybe a lunch (with or without a place)."""
    count = draw(st.integers(0, 6))
    spots = [
        (f"c{i}", draw(st.integers(1, 90)), float(draw(st.integers(0, 50))), draw(windows()))
        for i in range(count)
    ]
    lunch = None
    if draw(st.booleans()):
        earliest = draw(st.integers(11 * 60, 13 * 60)) * M
        place = HOME if draw(st.booleans()) else None
        lunch = LunchBreak(earliest, earliest + draw(st.integers(0, 90)) * M, H, place)
    end = draw(st.integers(14, 19)) * H
    return line_problem(
        spots,
        day=(8 * H, end),
        max_working_s=draw(st.integers(2, 10)) * H,
        service_s=draw(st.sampled_from([0, 10 * M, 30 * M])),
        lunch=lunch,
        lunch_at=draw(st.integers(0, 60)),
    )


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(problem=days(), seed=st.integers(0, 3))
def test_random_days_pass_the_checker(problem: DayProblem, seed: int) -> None:
    """Tests that every route obeys windows, lunch, day length and working time."""
    route, report = solve_day_report(problem, time_limit=timedelta(seconds=0.05), seed=seed)
    assert report.agreed  # OR-Tools' model accepted the ILS day
    assert check_day(problem, route) == []
    assert route.prize >= report.ils_prize - 1e-9
    assert route == solve_day(problem, time_limit=timedelta(seconds=0.05), seed=seed)


@st.composite
def toptw(draw: st.DrawFn) -> tuple[OptwInstance, int]:
    """Draw a small TOPTW instance in the published format's conventions, and a tour count."""
    count = draw(st.integers(1, 12))
    tmax = draw(st.integers(60, 400))
    xy = [(50.0, 50.0)]
    service, score, opn, cls = [0.0], [0.0], [0.0], [float(tmax)]
    for _ in range(count):
        xy.append((float(draw(st.integers(0, 100))), float(draw(st.integers(0, 100)))))
        start = draw(st.integers(0, tmax))
        service.append(float(draw(st.integers(0, 30))))
        score.append(float(draw(st.integers(1, 30))))
        opn.append(float(start))
        cls.append(float(start + draw(st.integers(0, 120))))
    inst = OptwInstance("random", tuple(xy), tuple(service), tuple(score), tuple(opn), tuple(cls))
    return inst, draw(st.integers(1, 3))


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(case=toptw(), seed=st.integers(0, 3))
def test_random_toptw_routes_are_feasible_and_both_engines_agree(
    case: tuple[OptwInstance, int], seed: int
) -> None:
    """Tests that OR-Tools accepts the ILS tours and returns tours the checker accepts."""
    inst, tours = case
    core = optw_core(inst, tours)
    best, _, report = _engine.solve(core, seconds=0.05, seed=seed, iterations=30)
    assert report.agreed
    routes = [[int(n) for n in t[1:-1]] for t in best.tours]
    assert check_optw(inst, routes, tours=tours, score=best.prize) == []
    assert (round(best.prize, 6), -best.travel) >= (round(report.ils_prize, 6), -report.ils_travel)
