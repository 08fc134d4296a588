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
