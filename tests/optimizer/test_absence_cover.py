"""The absence cover: orphan visits onto other reps' days and the telesales list.

Property checks on random small cities (hypothesis): every receiving day passes the
independent checker, keeps its existing stops in their order, no visit appears twice, each
visit is accounted for exactly once, and only neighbouring (or forced) days take a visit.
Then a few hand-made cases: a visit goes to the nearby rep, an appointment keeps its window,
phone capacity, forced assignments, a day that no longer fits takes nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.absence_cover import (
    PHONE,
    CoverPlan,
    CoverProblem,
    CoverSettings,
    OrphanVisit,
    ReceivingDay,
    neighbours,
    solve_cover,
)
from optimizer.checker import check_day
from optimizer.model import Candidate, Location, LunchBreak, RepDay, TimeWindow
from optimizer.travel import GeodesicProvider

H, M = 3600, 60
FAST = timedelta(milliseconds=300)
PROVIDER = GeodesicProvider()
OPEN = (TimeWindow(8 * H, 17 * H),)


def spot(dx_km: float, dy_km: float) -> Location:
    """A point ``dx`` km east and ``dy`` km north of central São Paulo."""
    return Location(-23.55 + dy_km / 111.0, -46.63 + dx_km / 102.0)


def rep_day(base: Location, *, end_h: int = 18, lunch: bool = True) -> RepDay:
    return RepDay(
        base,
        base,
        8 * H,
        end_h * H,
        9 * H,
        LunchBreak(11 * H + 30 * M, 13 * H + 30 * M, H) if lunch else None,
    )


def cand(cid: str, where: Location, *, prize: float = 10.0, service_m: int = 20, windows=OPEN):
    return Candidate(cid, where, prize, service_m * M, windows, appointment=False)


# --------------------------------------------------------------------------- properties


@st.composite
def cities(draw: st.DrawFn) -> CoverProblem:
    """Draw 1-4 receiving days of 0-4 stops each and 0-8 orphan visits in a 20 km square."""
    coord = st.floats(-10.0, 10.0, allow_nan=False)
    days = []
    for d in range(draw(st.integers(1, 4))):
        base = spot(draw(coord), draw(coord))
        stops = tuple(
            cand(
                f"d{d}s{i}",
                spot(draw(coord), draw(coord)),
                service_m=draw(st.sampled_from([10, 30])),
            )
            for i in range(draw(st.integers(0, 4)))
        )
        days.append(
            ReceivingDay(
                f"day{d}",
                rep_day(base, end_h=draw(st.integers(13, 18)), lunch=draw(st.booleans())),
                stops,
            )
        )
    visits = []
    for i in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["appointment", "collection", "rescue", "urgent"]))
        if kind == "appointment":
            start = draw(st.integers(9, 15)) * H
            windows: tuple[TimeWindow, ...] = (TimeWindow(start, start + H),)
        else:
            windows = draw(
                st.sampled_from([OPEN, (), (TimeWindow(8 * H, 12 * H), TimeWindow(14 * H, 17 * H))])
            )
        forced = draw(st.sampled_from([None, None, None, PHONE, "day0"]))
        visits.append(
            OrphanVisit(
                Candidate(
                    f"v{i}",
                    spot(draw(coord), draw(coord)),
                    float(draw(st.integers(0, 60))),
                    draw(st.sampled_from([15, 30])) * M,
                    windows,
                    appointment=kind == "appointment",
                ),
                kind,
                by_phone=kind != "appointment",
                forced=forced,
            )
        )
    return CoverProblem(
        tuple(days),
        tuple(visits),
        CoverSettings(
            neighbours=draw(st.integers(1, 3)),
            reach_m=draw(st.sampled_from([5_000, 30_000])),
            phone_capacity=draw(st.integers(0, 3)),
            max_added=draw(st.sampled_from([None, 0, 1, 2])),
            time_limit=FAST,
            guided=False,
        ),
    )


def assert_sound(problem: CoverProblem, plan: CoverPlan) -> None:
    """What every plan must satisfy, whatever the instance."""
    days = {d.id: d for d in problem.days}
    accounted = [v for r in plan.routes for v in r.added]
    accounted += list(plan.by_phone) + [u.visit_id for u in plan.unplaced]
    assert sorted(accounted) == sorted(v.id for v in problem.visits)  # once each, none lost
    visits = {v.id: v for v in problem.visits}
    allowed = neighbours(problem, range(len(problem.days)))
    for r in plan.routes:
        day = days[r.day_id]
        assert r.day_id not in plan.rigid
        assert check_day(r.problem, r.route) == [], r.day_id
        visited = list(r.route.visited_ids)
        assert max(Counter(visited).values()) == 1
        existing = [s.id for s in day.stops]
        assert [v for v in visited if v in set(existing)] == existing  # all kept, in order
        assert sorted(v for v in visited if v not in set(existing)) == sorted(r.added)
        assert r.before.visited_ids == tuple(existing)
        cap = problem.settings.max_added
        free = [vid for vid in r.added if visits[vid].forced is None]
        assert cap is None or len(free) <= cap
        for vid in r.added:
            visit = visits[vid]
            assert visit.forced != PHONE
            assert visit.forced in (None, r.day_id)
            index = next(i for i, d in enumerate(problem.days) if d.id == r.day_id)
            assert index in allowed[vid]
    forced_phone = [v.id for v in problem.visits if v.forced == PHONE]
    assert set(forced_phone) <= set(plan.by_phone)
    assert len(plan.by_phone) <= max(problem.settings.phone_capacity, len(forced_phone))
    assert all(visits[v].by_phone or visits[v].forced == PHONE for v in plan.by_phone)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cities())
def test_every_cover_plan_is_sound(problem: CoverProblem) -> None:
    assert_sound(problem, solve_cover(problem, PROVIDER))


# --------------------------------------------------------------------------- cases


def test_a_visit_goes_to_the_rep_next_door_not_across_town() -> None:
    near = ReceivingDay("near", rep_day(spot(0, 0)), (cand("a", spot(1, 0)), cand("b", spot(0, 1))))
    far = ReceivingDay("far", rep_day(spot(40, 0)), (cand("c", spot(41, 0)),))
    visit = OrphanVisit(cand("v", spot(1, 1)), "collection")
    problem = CoverProblem((near, far), (visit,), CoverSettings(time_limit=FAST, guided=False))
    plan = solve_cover(problem, PROVIDER)
    assert plan.placed() == {"v": "near"}
    (route,) = plan.routes
    assert route.added_m > 0
    assert route.added_s >= 20 * M
    assert_sound(problem, plan)


def test_an_appointment_keeps_its_window() -> None:
    day = ReceivingDay("r", rep_day(spot(0, 0)), (cand("a", spot(2, 0)),))
    window = TimeWindow(15 * H, 15 * H + 30 * M)
    visit = OrphanVisit(
        Candidate("appt", spot(3, 0), 5.0, 30 * M, (window,), appointment=True),
        "appointment",
        by_phone=False,
    )
    problem = CoverProblem((day,), (visit,), CoverSettings(time_limit=FAST, guided=False))
    plan = solve_cover(problem, PROVIDER)
    (route,) = plan.routes
    stop = next(s for s in route.route.stops if s.candidate_id == "appt")
    assert window.start_s <= stop.start_s <= window.end_s
    assert_sound(problem, plan)


def test_a_full_day_sends_callable_visits_to_telesales_up_to_its_capacity() -> None:
    # a day that ends at 13h with lunch and a long visit: no room for anything else
    day = ReceivingDay("r", rep_day(spot(0, 0), end_h=13), (cand("a", spot(1, 0), service_m=230),))
    visits = (
        *(OrphanVisit(cand(f"v{i}", spot(1, i * 0.2), prize=float(i)), "urgent") for i in range(3)),
        OrphanVisit(cand("appt", spot(1, 1)), "appointment", by_phone=False),
    )
    problem = CoverProblem(
        (day,), visits, CoverSettings(phone_capacity=2, time_limit=FAST, guided=False)
    )
    plan = solve_cover(problem, PROVIDER)
    assert plan.routes == ()
    assert plan.by_phone == ("v2", "v1")  # the most urgent first
    reasons = {u.visit_id: (u.reason, u.call_list_full) for u in plan.unplaced}
    assert reasons == {"v0": ("no_time_left", True), "appt": ("no_time_left", False)}


def test_forced_lines_follow_the_supervisor() -> None:
    a = ReceivingDay("a", rep_day(spot(0, 0)))
    b = ReceivingDay("b", rep_day(spot(15, 0)))
    visits = (
        OrphanVisit(cand("to_b", spot(0, 1)), "rescue", forced="b"),
        OrphanVisit(cand("to_phone", spot(0, 1.5)), "rescue", forced=PHONE),
        OrphanVisit(cand("free", spot(0, 2)), "rescue"),
    )
    problem = CoverProblem((a, b), visits, CoverSettings(time_limit=FAST, guided=False))
    plan = solve_cover(problem, PROVIDER)
    placed = plan.placed()
    assert placed["to_b"] == "b"  # far from b's base, but the supervisor said so
    assert "free" in placed
    assert plan.by_phone == ("to_phone",)
    assert_sound(problem, plan)


def test_a_cap_spreads_a_cluster_over_the_nearby_reps() -> None:
    days = (
        ReceivingDay("a", rep_day(spot(0, 0))),
        ReceivingDay("b", rep_day(spot(2, 0))),
    )
    visits = tuple(
        OrphanVisit(cand(f"v{i}", spot(0.2 * i, 0.5)), "urgent", by_phone=False) for i in range(4)
    )
    loose = solve_cover(CoverProblem(days, visits, CoverSettings(time_limit=FAST)), PROVIDER)
    assert set(loose.placed().values()) == {"a"}  # the nearest rep alone, without a cap
    capped = CoverProblem(days, visits, CoverSettings(max_added=2, time_limit=FAST))
    plan = solve_cover(capped, PROVIDER)
    assert sorted(plan.placed().values()) == ["a", "a", "b", "b"]
    assert_sound(capped, plan)


def test_nobody_nearby_and_closed_days_are_said_so() -> None:
    day = ReceivingDay("r", rep_day(spot(0, 0)))
    visits = (
        OrphanVisit(cand("far", spot(80, 0)), "collection", by_phone=False),
        OrphanVisit(cand("closed", spot(1, 0), windows=()), "urgent", by_phone=False),
    )
    problem = CoverProblem((day,), visits, CoverSettings(time_limit=FAST, guided=False))
    plan = solve_cover(problem, PROVIDER)
    assert {u.visit_id: u.reason for u in plan.unplaced} == {
        "far": "no_rep_nearby",
        "closed": "closed_that_day",
    }


def test_a_day_that_no_longer_fits_is_left_untouched() -> None:
    stops = tuple(cand(f"s{i}", spot(5 * i, 5), service_m=120) for i in range(6))
    day = ReceivingDay("over", rep_day(spot(0, 0)), stops)
    visit = OrphanVisit(cand("v", spot(1, 1)), "urgent", by_phone=False)
    problem = CoverProblem((day,), (visit,), CoverSettings(time_limit=FAST, guided=False))
    plan = solve_cover(problem, PROVIDER)
    assert plan.rigid == ("over",)
    assert plan.routes == ()
    assert [(u.visit_id, u.reason) for u in plan.unplaced] == [("v", "no_time_left")]


def test_bad_input_is_refused() -> None:
    day = ReceivingDay("r", rep_day(spot(0, 0)), (cand("x", spot(1, 0)),))
    with pytest.raises(ValueError, match="once"):
        CoverProblem((day,), (OrphanVisit(cand("x", spot(1, 0)), "urgent"),))
    with pytest.raises(ValueError, match="unknown day"):
        CoverProblem((day,), (OrphanVisit(cand("y", spot(1, 0)), "urgent", forced="nope"),))
    with pytest.raises(ValueError, match="kind"):
        OrphanVisit(cand("y", spot(1, 0)), "sell")  # type: ignore[arg-type]
