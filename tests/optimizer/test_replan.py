"""Tests for re-planning the rest of a day: start, visited, pinned, lunch and the diff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.checker import check_day
from optimizer.model import (
    Candidate,
    DayProblem,
    DayRoute,
    DroppedCandidate,
    Location,
    LunchBreak,
    RepDay,
    ScheduledStop,
    TimeWindow,
)
from optimizer.replan import MovedStop, diff_routes, replan_rest_of_day
from optimizer.routing import solve_day
from optimizer.travel import GeodesicProvider, day_locations

H = 3600
BASE = Location(-23.5505, -46.6333)
PROVIDER = GeodesicProvider()
LIMIT = timedelta(seconds=0.2)


def make_problem(*, lunch: bool = True, n: int = 10) -> DayProblem:
    """Return a day around Sé: n customers on a ring, one far away and worth little."""
    rep = RepDay(
        BASE,
        BASE,
        8 * H,
        18 * H,
        9 * H,
        LunchBreak(12 * H, 13 * H + 1800, H) if lunch else None,
    )
    cands = [
        Candidate(
            f"c{i}",
            Location(-23.5505 + 0.01 * ((i % 5) - 2), -46.6333 + 0.012 * (i // 5 - 0.5)),
            10.0 + i,
            1800,
            (TimeWindow(8 * H, 17 * H),),
        )
        for i in range(n)
    ]
    cands.append(
        Candidate(
            "split",
            Location(-23.54, -46.62),
            5.0,
            1200,
            (TimeWindow(8 * H, 11 * H), TimeWindow(14 * H, 16 * H)),
        )
    )
    matrix = PROVIDER.matrix(day_locations(rep, cands), depart_s=rep.start_s)
    return DayProblem(rep, tuple(cands), matrix)


def route_of(ids: list[str], dropped: tuple[DroppedCandidate, ...] = ()) -> DayRoute:
    """Build a hand-made route visiting ``ids`` every half hour from 9 h."""
    stops = tuple(
        ScheduledStop(
            "visit",
            cid,
            9 * H + k * 1800,
            0,
            9 * H + k * 1800,
            9 * H + k * 1800 + 900,
            900,
            5000,
        )
        for k, cid in enumerate(ids)
    )
    end = 9 * H + len(ids) * 1800
    return DayRoute(stops, dropped, 5000 * len(ids), 900 * len(ids), end - 8 * H, 1.0, end, 8 * H)


def test_diff_on_a_hand_made_case() -> None:
    """Tests kept, moved, added, dropped and visited for a hand-checked pair of routes."""
    old = route_of(["A", "B", "C", "D", "F"])
    new = route_of(["C", "B", "D", "E"], (DroppedCandidate("F", "window_unreachable"),))
    diff = diff_routes(old, new, visited_ids={"A"}, pinned_ids={"D"})
    # Rest of the old route: B C D F. Longest common order with C B D E: C, D.
    assert diff.kept == ("C", "D")
    assert diff.moved == (MovedStop("B", old_position=0, new_position=1),)
    assert diff.added == ("E",)
    assert diff.dropped == (DroppedCandidate("F", "window_unreachable"),)
    assert diff.pinned == ("D",)
    assert diff.visited == ("A",)
    assert diff.changed


def test_diff_of_an_unchanged_rest_is_empty() -> None:
    """Tests that the same remaining order gives no moves, additions or drops."""
    diff = diff_routes(route_of(["A", "B", "C"]), route_of(["B", "C"]), visited_ids={"A"})
    assert (diff.kept, diff.moved, diff.added, diff.dropped) == (("B", "C"), (), (), ())
    assert not diff.changed


def test_replan_starts_now_from_the_current_position() -> None:
    """Tests that the new day leaves the current place at now, with the working time left."""
    problem = make_problem(lunch=False)
    first = solve_day(problem, time_limit=LIMIT)
    done = first.stops[1]
    here = next(c.location for c in problem.candidates if c.id == done.candidate_id)
    visited = first.visited_ids[:2]
    result = replan_rest_of_day(
        problem,
        first,
        now_s=done.departure_s,
        current=here,
        provider=PROVIDER,
        visited_ids=visited,
        time_limit=LIMIT,
    )
    rep = result.problem.rep
    assert (rep.start, rep.start_s, rep.end) == (here, done.departure_s, BASE)
    assert rep.max_working_s == 9 * H - (done.departure_s - first.departure_s)
    assert result.route.departure_s >= done.departure_s
    assert result.route.stops[0].arrival_s >= done.departure_s
    assert check_day(result.problem, result.route) == []


def test_visited_stops_are_not_revisited() -> None:
    """Tests that visited customers leave the problem and the route."""
    problem = make_problem()
    first = solve_day(problem, time_limit=LIMIT)
    visited = set(first.visited_ids[:3])
    result = replan_rest_of_day(
        problem,
        first,
        now_s=first.stops[2].departure_s,
        current=BASE,
        provider=PROVIDER,
        visited_ids=visited,
        time_limit=LIMIT,
    )
    assert not visited & set(result.route.visited_ids)
    assert not visited & {c.id for c in result.problem.candidates}
    assert set(result.diff.visited) == visited


def test_pinned_stops_stay_as_mandatory_visits() -> None:
    """Tests that pinned candidates, even ones the old route dropped, are in the new route."""
    problem = make_problem(n=24)  # more than a day holds: some are dropped
    first = solve_day(problem, time_limit=LIMIT)
    assert first.dropped
    pins = {first.dropped[0].candidate_id, "split"} - set(first.visited_ids)
    pins |= {first.visited_ids[-1]}
    result = replan_rest_of_day(
        problem,
        first,
        now_s=10 * H,
        current=BASE,
        provider=PROVIDER,
        pinned_ids=pins,
        time_limit=LIMIT,
    )
    assert pins <= set(result.route.visited_ids)
    assert set(result.diff.pinned) == pins
    for cand in result.problem.candidates:
        assert cand.appointment == (cand.id in pins)
        assert len(cand.windows) == 1 or cand.id not in pins
    assert check_day(result.problem, result.route) == []


def test_lunch_is_kept_until_taken() -> None:
    """Tests that lunch stays in the plan before it is taken and leaves it afterwards."""
    problem = make_problem()
    first = solve_day(problem, time_limit=LIMIT)
    lunch = next(s for s in first.stops if s.kind == "lunch")
    before = replan_rest_of_day(
        problem,
        first,
        now_s=lunch.start_s - 600,
        current=BASE,
        provider=PROVIDER,
        time_limit=LIMIT,
    )
    assert before.problem.rep.lunch is not None
    assert before.problem.rep.lunch.earliest_start_s >= lunch.start_s - 600
    assert [s.kind for s in before.route.stops].count("lunch") == 1
    after = replan_rest_of_day(
        problem,
        first,
        now_s=lunch.departure_s,
        current=BASE,
        provider=PROVIDER,
        time_limit=LIMIT,
    )
    assert after.problem.rep.lunch is None
    assert "lunch" not in [s.kind for s in after.route.stops]


def test_lunch_window_passed_means_lunch_now() -> None:
    """Tests that a lunch not taken by the end of its window is planned right away."""
    problem = make_problem()
    first = solve_day(problem, time_limit=LIMIT)
    late = 14 * H
    result = replan_rest_of_day(
        problem,
        first,
        now_s=late,
        current=BASE,
        provider=PROVIDER,
        lunch_taken=False,
        time_limit=LIMIT,
    )
    lunch = result.problem.rep.lunch
    assert lunch is not None
    assert lunch.earliest_start_s == lunch.latest_start_s == late


def test_after_hours_the_plan_is_to_drive_home() -> None:
    """Tests that re-planning after the end of the day visits nobody and does not fail."""
    problem = make_problem(lunch=False)
    first = solve_day(problem, time_limit=LIMIT)
    far = Location(-23.60, -46.70)
    result = replan_rest_of_day(
        problem, first, now_s=19 * H, current=far, provider=PROVIDER, time_limit=LIMIT
    )
    assert result.route.visited_ids == ()
    assert result.route.end_arrival_s >= 19 * H
    assert {d.candidate_id for d in result.route.dropped} == {c.id for c in problem.candidates}


def test_replan_is_deterministic() -> None:
    """Tests that the same inputs and seed give the same re-plan."""
    problem = make_problem(n=18)
    first = solve_day(problem, time_limit=LIMIT)
    kwargs = {
        "now_s": 11 * H,
        "current": Location(-23.56, -46.64),
        "provider": PROVIDER,
        "visited_ids": first.visited_ids[:2],
        # an iteration budget, not the clock, ends the search: the test holds under load
        "time_limit": timedelta(seconds=120),
        "iterations": 20,
        "seed": 4,
    }
    assert replan_rest_of_day(problem, first, **kwargs) == replan_rest_of_day(
        problem, first, **kwargs
    )


def test_unknown_ids_raise() -> None:
    """Tests that pinning or visiting a customer that is not a candidate is an error."""
    problem = make_problem(n=3)
    first = solve_day(problem, time_limit=LIMIT)
    with pytest.raises(ValueError, match="ghost"):
        replan_rest_of_day(
            problem,
            first,
            now_s=9 * H,
            current=BASE,
            provider=PROVIDER,
            pinned_ids={"ghost"},
        )


@given(
    old=st.permutations([f"s{i}" for i in range(8)]).map(lambda p: p[: len(p) // 2 + 2]),
    new=st.lists(st.sampled_from([f"s{i}" for i in range(10)]), unique=True, max_size=8),
    visited=st.sets(st.sampled_from([f"s{i}" for i in range(8)]), max_size=3),
)
def test_diff_accounts_for_every_stop(old: list[str], new: list[str], visited: set[str]) -> None:
    """Tests that kept + moved + added is the new route and kept + moved + dropped the old."""
    new = [cid for cid in new if cid not in visited]
    diff = diff_routes(route_of(list(old)), route_of(new), visited_ids=visited)
    rest = [cid for cid in old if cid not in visited]
    moved = {m.candidate_id for m in diff.moved}
    assert set(diff.kept) | moved | set(diff.added) == set(new)
    assert set(diff.kept) | moved | {d.candidate_id for d in diff.dropped} == set(rest)
    assert len(diff.kept) + len(moved) + len(diff.added) == len(new)
    assert [cid for cid in rest if cid in set(diff.kept)] == list(diff.kept)
    for m in diff.moved:
        assert rest[m.old_position] == new[m.new_position] == m.candidate_id


def test_replan_during_lunch_starts_after_it() -> None:
    """Tests that re-planning in the middle of lunch resumes when the lunch ends."""
    problem = make_problem()
    first = solve_day(problem, time_limit=LIMIT)
    lunch = next(s for s in first.stops if s.kind == "lunch")
    result = replan_rest_of_day(
        problem,
        first,
        now_s=lunch.start_s + 600,
        current=BASE,
        provider=PROVIDER,
        time_limit=LIMIT,
    )
    assert result.problem.rep.start_s == lunch.departure_s
    assert result.problem.rep.lunch is None
