"""Tests for timing a day in a given order, and for keeping the old order on a re-plan."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.checker import check_day
from optimizer.model import (
    Candidate,
    DayProblem,
    Location,
    LunchBreak,
    RepDay,
    TimeWindow,
)
from optimizer.replan import ReplanGain, choose_route, replan_rest_of_day
from optimizer.routing import solve_day
from optimizer.sequence import LUNCH, route_in_order
from optimizer.travel import GeodesicProvider, day_locations
from tests.optimizer.test_replan import BASE, make_problem

H = 3600
PROVIDER = GeodesicProvider()
LIMIT = timedelta(seconds=0.2)


def line_problem(
    *, lunch: bool = False, windows: dict[str, TimeWindow] | None = None
) -> DayProblem:
    """Five customers on a line east of the base, 20 min each, open all day."""
    rep = RepDay(BASE, BASE, 8 * H, 18 * H, 9 * H, LunchBreak(12 * H, 13 * H, H) if lunch else None)
    cands = tuple(
        Candidate(
            f"e{i}",
            Location(-23.5505, -46.62 + 0.01 * i),
            10.0,
            1200,
            ((windows or {}).get(f"e{i}", TimeWindow(8 * H, 18 * H)),),
        )
        for i in range(5)
    )
    matrix = PROVIDER.matrix(day_locations(rep, cands), depart_s=rep.start_s)
    return DayProblem(rep, cands, matrix)


def test_the_order_is_kept_and_feasible() -> None:
    """Tests that the stops come in the given order, each at its earliest start."""
    problem = line_problem()
    order = ["e3", "e0", "e4", "e1"]
    route = route_in_order(problem, order)
    assert route is not None
    assert list(route.visited_ids) == order
    assert check_day(problem, route) == []
    assert route.stops[0].arrival_s == 8 * H + problem.matrix.durations_s[0][2 + 3]
    assert {d.candidate_id for d in route.dropped} == {"e2"}


def test_a_stop_that_no_longer_fits_is_left_out() -> None:
    """Tests that a stop whose window has passed is skipped and the rest keep their order."""
    problem = line_problem(windows={"e1": TimeWindow(8 * H, 8 * H + 60)})
    route = route_in_order(problem, ["e0", "e1", "e2"])
    assert route is not None
    assert list(route.visited_ids) == ["e0", "e2"]
    assert check_day(problem, route) == []


def test_lunch_stays_where_it_was_or_moves_earlier_when_due() -> None:
    """Tests that lunch is taken at its place in the order, or before a stop that would miss it."""
    problem = line_problem(lunch=True)
    at_place = route_in_order(problem, ["e0", "e1", LUNCH, "e2"])
    assert at_place is not None
    assert [s.candidate_id or LUNCH for s in at_place.stops] == ["e0", "e1", LUNCH, "e2"]
    assert check_day(problem, at_place) == []
    late = line_problem(lunch=True, windows={"e4": TimeWindow(14 * H, 15 * H)})
    moved = route_in_order(late, ["e0", "e4", LUNCH])
    assert moved is not None
    assert [s.candidate_id or LUNCH for s in moved.stops] == ["e0", LUNCH, "e4"]
    assert check_day(late, moved) == []


def test_a_missed_appointment_makes_the_order_unusable() -> None:
    """Tests that an order leaving out an appointment is refused (None)."""
    base = line_problem()
    cands = list(base.candidates)
    cands[2] = Candidate("e2", cands[2].location, 10.0, 1200, (TimeWindow(9 * H, 10 * H),), True)
    problem = DayProblem(base.rep, tuple(cands), base.matrix)
    assert route_in_order(problem, ["e0", "e1"]) is None


@settings(max_examples=40, deadline=None)
@given(order=st.permutations([f"c{i}" for i in range(10)] + ["split", LUNCH]))
def test_any_order_gives_a_feasible_subsequence(order: list[str]) -> None:
    """Tests that whatever the order, the timed route is feasible and visits a subsequence of it."""
    problem = make_problem()
    route = route_in_order(problem, order)
    if route is None:
        return
    assert check_day(problem, route) == []
    visits = list(route.visited_ids)
    assert visits == [cid for cid in order if cid in set(visits)]


def test_choose_keeps_the_old_order_unless_the_gain_shows() -> None:
    """Tests that a small saving keeps the old order, and a stop more or a big saving does not."""
    problem = line_problem()
    kept = route_in_order(problem, ["e0", "e1", "e2", "e3"])
    better = route_in_order(problem, ["e0", "e1", "e2", "e3", "e4"])
    worse = route_in_order(problem, ["e3", "e0", "e2", "e1"])
    assert kept is not None
    assert better is not None
    assert worse is not None
    assert choose_route(kept, kept) == (kept, None)
    route, gain = choose_route(kept, better)
    assert route is better
    assert gain is not None
    assert gain.extra_visits == 1
    route, gain = choose_route(worse, kept)
    assert route is kept
    assert gain == ReplanGain(0, worse.driving_s - kept.driving_s, worse.total_m - kept.total_m)
    assert gain.driving_saved_s >= 10 * 60


def test_replan_keeps_a_good_order_and_says_what_a_new_one_gains() -> None:
    """Tests that re-planning keeps the rep's order when it is already good, and moves a bad one."""
    problem = line_problem()
    good = solve_day(problem, time_limit=LIMIT)
    again = replan_rest_of_day(
        problem,
        good,
        now_s=8 * H,
        current=BASE,
        provider=PROVIDER,
        time_limit=LIMIT,
        keep_order_unless_gain=True,
    )
    assert again.kept_order
    assert again.gain is None
    assert again.route.visited_ids == good.visited_ids
    assert not again.diff.moved
    zigzag = route_in_order(problem, ["e4", "e0", "e3", "e1", "e2"])
    assert zigzag is not None
    fixed = replan_rest_of_day(
        problem,
        zigzag,
        now_s=8 * H,
        current=BASE,
        provider=PROVIDER,
        time_limit=LIMIT,
        keep_order_unless_gain=True,
    )
    assert not fixed.kept_order
    assert fixed.gain is not None
    assert fixed.gain.driving_saved_s >= 10 * 60
    assert check_day(fixed.problem, fixed.route) == []
