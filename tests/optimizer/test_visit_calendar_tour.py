"""The day loop estimate of the calendar page: hand-checked cases and properties."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.model import Location
from optimizer.visit_calendar.geometry import KM_PER_DEG_LAT, project
from optimizer.visit_calendar.tour import estimate_tour

BASE = Location(-23.55, -46.63)


def _north(km: float) -> Location:
    return Location(BASE.lat + km / KM_PER_DEG_LAT, BASE.lon)


def test_empty_day_drives_nothing():
    """Tests that a day without visits has no loop."""
    tour = estimate_tour(BASE, [], kmh=30)
    assert (tour.order, tour.km, tour.drive_s) == ((), 0.0, 0)


def test_points_on_a_line_are_driven_out_and_back():
    """Tests a loop checked by hand: three points north of the base, 1, 2 and 5 km out."""
    tour = estimate_tour(BASE, [_north(5), _north(1), _north(2)], kmh=30, circuity=1.0)
    assert tour.order in ((1, 2, 0), (0, 2, 1))
    assert tour.km == pytest.approx(10.0, rel=1e-3)
    assert tour.drive_s == pytest.approx(1200, abs=2)  # 10 km at 30 km/h


def test_circuity_scales_the_loop():
    """Tests that road km are straight-line km times the circuity factor."""
    flat = estimate_tour(BASE, [_north(3)], kmh=30, circuity=1.0)
    road = estimate_tour(BASE, [_north(3)], kmh=30, circuity=1.35)
    assert road.km == pytest.approx(flat.km * 1.35)


@pytest.mark.parametrize(("kmh", "circuity"), [(0, 1.3), (-5, 1.3), (30, 0.9)])
def test_nonsense_speed_or_circuity_is_refused(kmh, circuity):
    """Tests the validation of the estimate's parameters."""
    with pytest.raises(ValueError, match="kmh must be"):
        estimate_tour(BASE, [_north(1)], kmh=kmh, circuity=circuity)


offsets = st.tuples(st.floats(-0.08, 0.08), st.floats(-0.08, 0.08))


def _brute_force_km(points: list[Location]) -> float:
    """The shortest loop over every order of the points (straight lines on the plane)."""
    xy = project([BASE, *points], BASE)

    def leg(a: int, b: int) -> float:
        return float(math.dist(xy[a], xy[b]))

    best = math.inf
    for order in itertools.permutations(range(1, len(points) + 1)):
        loop = [0, *order, 0]
        best = min(best, sum(leg(a, b) for a, b in itertools.pairwise(loop)))
    return best


@settings(max_examples=60, deadline=None)
@given(st.lists(offsets, min_size=1, max_size=6))
def test_loop_visits_each_point_once_and_is_near_optimal(deltas):
    """Tests that every point is visited exactly once and that the loop is within 15 % of
    the shortest one (every order tried)."""
    points = [Location(BASE.lat + a, BASE.lon + b) for a, b in deltas]
    tour = estimate_tour(BASE, points, kmh=25, circuity=1.0)
    assert sorted(tour.order) == list(range(len(points)))
    assert tour.km <= _brute_force_km(points) * 1.15 + 1e-9


def test_day_driving_splits_the_loop_into_fixed_and_shares_checked_by_hand():
    """Tests the calendar's calibration of one day: members on a line 1, 2 and 5 km north
    (loop 10 km); removing the 5 km point saves 6 km, the others nothing; an outsider 1 km
    east of the 2 km point costs its cheapest insertion, into the 5 km leg back to the base;
    the rest is fixed (4 km)."""
    import numpy as np

    from optimizer.visit_calendar.tour import day_driving

    everyone = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 5.0], [1.0, 2.0]])
    driving = day_driving(np.zeros(2), everyone, [0, 1, 2], circuity=1.0)
    assert driving.km == pytest.approx(10.0)
    assert driving.per_customer[:3] == pytest.approx([0.0, 0.0, 6.0])
    assert driving.fixed == pytest.approx(4.0)
    assert driving.km == pytest.approx(driving.fixed + driving.per_customer[:3].sum())
    # Cheapest edge for (1, 2): the way back, 5 km point -> base: sqrt(10) + sqrt(5) - 5.
    assert driving.per_customer[3] == pytest.approx(math.sqrt(10.0) + math.sqrt(5.0) - 5.0)
    empty = day_driving(np.zeros(2), everyone, [], circuity=1.5)
    assert (empty.km, empty.fixed) == (0.0, 0.0)
    assert empty.per_customer[2] == pytest.approx(2 * 5.0 * 1.5)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), min_size=1, max_size=8, unique=True)
)
def test_day_driving_prices_members_by_removal_and_outsiders_by_insertion(points):
    """Tests, on random days, that the loop is its fixed part plus its members' shares and that
    an outsider's share is its cheapest insertion, found by brute force over the loop's edges."""
    import numpy as np

    from optimizer.visit_calendar.tour import day_driving

    everyone = np.array([*points, (3.3, -4.4)], dtype=np.float64)
    members = list(range(len(points)))
    driving = day_driving(np.zeros(2), everyone, members, circuity=1.2)
    shares = float(driving.per_customer[: len(points)].sum())
    assert driving.fixed >= 0.0
    assert all(v >= -1e-9 for v in driving.per_customer)
    if driving.fixed > 0:
        assert driving.km == pytest.approx(driving.fixed + shares, abs=1e-6)
    outsider = driving.per_customer[-1]
    stops = [np.zeros(2), *everyone[:-1]]
    best = min(
        np.hypot(*(everyone[-1] - a)) + np.hypot(*(everyone[-1] - b)) - np.hypot(*(a - b))
        for a, b in itertools.permutations(stops, 2)
    )
    # The loop's own edges are a subset of all pairs: its insertion is never cheaper.
    assert outsider >= best * 1.2 - 1e-6
