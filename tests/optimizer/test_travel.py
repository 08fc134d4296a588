"""Tests for travel matrices: geodesic estimate, speed profile, OSRM over HTTP, cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest
from geopy.distance import geodesic

from optimizer.model import Candidate, Location, LunchBreak, RepDay, TimeWindow
from optimizer.travel import (
    DEFAULT_CIRCUITY,
    UNROUTABLE_M,
    UNROUTABLE_S,
    CachedProvider,
    FallbackProvider,
    GeodesicProvider,
    OsrmError,
    OsrmProvider,
    SpeedBand,
    SpeedProfile,
    UnroutableError,
    day_locations,
    geodesic_cross_m,
    geodesic_from_m,
    geodesic_m,
    geodesic_matrix_m,
)
from tests.support.osrm_server import OsrmServerState, running_osrm_server

SE = Location(-23.5505, -46.6333)
PINHEIROS = Location(-23.5670, -46.6933)
MOOCA = Location(-23.5580, -46.5990)
SANTANA = Location(-23.5020, -46.6250)
CAMPINAS = Location(-22.9056, -47.0608)


@pytest.fixture
def osrm() -> Iterator[OsrmServerState]:
    """Serve a fake OSRM on a random free 127.0.0.1 port."""
    with running_osrm_server() as state:
        yield state


def test_se_to_pinheiros_matches_hand_computation() -> None:
    """Tests that Sé → Pinheiros is the ≈ 6.39 km geopy gives for the demo centres."""
    # Hand check: Δlat 0.0165° ≈ 1.83 km, Δlon 0.06° × 111.3 × cos 23.56° ≈ 6.12 km → 6.39 km.
    assert geodesic_m(SE, PINHEIROS) == pytest.approx(6392.5, abs=0.5)
    assert geodesic_matrix_m([SE, PINHEIROS])[0, 1] == pytest.approx(6392.5, abs=0.5)


def test_vectorised_distances_match_geopy_within_1e5() -> None:
    """Tests that the numpy path agrees with geopy's exact geodesic over Greater São Paulo."""
    rng = np.random.default_rng(7)
    points = [
        Location(float(lat), float(lon))
        for lat, lon in zip(
            rng.uniform(-23.9, -23.3, 40), rng.uniform(-47.0, -46.3, 40), strict=True
        )
    ]
    fast = geodesic_matrix_m(points)
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            exact = geodesic((points[i].lat, points[i].lon), (points[j].lat, points[j].lon)).m
            assert fast[i, j] == pytest.approx(exact, rel=1e-5)


def test_far_pairs_use_the_exact_geodesic() -> None:
    """Tests that pairs beyond a metro area (Sé → Campinas, ~ 90 km+) are exact."""
    far = geodesic_matrix_m([SE, CAMPINAS, Location(-22.0, -47.9)])
    assert far[0, 2] == pytest.approx(geodesic_m(SE, Location(-22.0, -47.9)), abs=1e-6)
    assert far[0, 1] == pytest.approx(geodesic_m(SE, CAMPINAS), rel=1e-5)


def test_distances_from_one_point_are_a_row_of_the_matrix() -> None:
    """Tests that one point to many agrees with the matrix's row, near and far, and with none."""
    points = [PINHEIROS, MOOCA, SANTANA, CAMPINAS, Location(-22.0, -47.9), SE]
    row = geodesic_from_m(SE, points)
    matrix = geodesic_matrix_m([SE, *points])
    assert row == pytest.approx(matrix[0, 1:], abs=1e-6)
    assert row[-1] == 0.0
    assert row[4] == pytest.approx(geodesic_m(SE, Location(-22.0, -47.9)), abs=1e-6)
    assert geodesic_from_m(SE, []).shape == (0,)


def test_distances_between_two_sets_are_a_block_of_the_matrix() -> None:
    """Tests that rows × columns agree with the square matrix's block, far pairs exact."""
    rows, cols = [SE, CAMPINAS], [PINHEIROS, MOOCA, Location(-22.0, -47.9)]
    block = geodesic_cross_m(rows, cols)
    matrix = geodesic_matrix_m([*rows, *cols])
    assert block == pytest.approx(matrix[:2, 2:], abs=1e-6)
    assert geodesic_cross_m([], cols).shape == (0, 3)


def test_geodesic_matrix_is_symmetric_with_zero_diagonal() -> None:
    """Tests symmetry, the zero diagonal and integer cells."""
    m = GeodesicProvider().matrix([SE, PINHEIROS, MOOCA, SANTANA, SE], depart_s=11 * 3600)
    d = np.array(m.durations_s)
    assert (d == d.T).all()
    assert (np.diag(d) == 0).all()
    assert d[0, 4] == 0  # the same point twice costs nothing
    assert all(isinstance(v, int) for row in m.distances_m for v in row)


def test_duration_is_distance_times_circuity_over_speed() -> None:
    """Tests the hand-checkable formula at a constant 36 km/h (10 m/s)."""
    provider = GeodesicProvider(SpeedProfile.constant(36.0), circuity=1.5)
    m = provider.matrix([SE, PINHEIROS])
    assert m.distances_m[0][1] == round(6392.5 * 1.5)
    assert m.durations_s[0][1] == round(6392.5 * 1.5 / 10)


def test_leg_overhead_is_added_to_moves_only() -> None:
    """Tests that parking overhead is added to legs between different points only."""
    provider = GeodesicProvider(SpeedProfile.constant(36.0), circuity=1.0, leg_overhead_s=120)
    m = provider.matrix([SE, SE, PINHEIROS])
    assert m.durations_s[0][1] == 0
    assert m.durations_s[0][2] == round(6392.5 / 10) + 120


def test_default_circuity_is_documented_urban_value() -> None:
    """Tests that the default circuity is in the 1.3–1.4 range the docstring argues for."""
    assert 1.3 <= DEFAULT_CIRCUITY <= 1.4
    assert GeodesicProvider().circuity == DEFAULT_CIRCUITY


@pytest.mark.parametrize(
    ("hour", "low", "high"),
    [(8, 15, 18), (18, 14, 18), (11, 22, 25), (15, 20, 25), (3, 30, 40)],
)
def test_sao_paulo_speed_by_hour(hour: int, low: float, high: float) -> None:
    """Tests that peaks are slower than off-peak in the São Paulo default."""
    assert low <= SpeedProfile.sao_paulo().kmh_at(hour * 3600) <= high


def test_peak_matrix_is_slower_than_off_peak() -> None:
    """Tests that the same trip takes longer when leaving at 18 h than at 11 h."""
    instant = GeodesicProvider(horizon_s=0)
    peak = instant.matrix([SE, PINHEIROS], depart_s=18 * 3600).durations_s[0][1]
    calm = instant.matrix([SE, PINHEIROS], depart_s=11 * 3600).durations_s[0][1]
    assert peak == round(6392.5 * DEFAULT_CIRCUITY / (15 / 3.6))
    assert calm == round(6392.5 * DEFAULT_CIRCUITY / (23 / 3.6))


def test_matrix_speed_averages_the_hours_after_departure() -> None:
    """Tests the default 3 h horizon: leaving at 16 h averages 16–19 h (22, 15, 15 km/h)."""
    provider = GeodesicProvider()
    assert provider.kmh(16 * 3600) == pytest.approx(3 / (1 / 22 + 2 / 15))
    assert provider.kmh(None) == pytest.approx(SpeedProfile.sao_paulo().typical_kmh())
    late = provider.matrix([SE, PINHEIROS], depart_s=16 * 3600).durations_s[0][1]
    early = provider.matrix([SE, PINHEIROS], depart_s=10 * 3600).durations_s[0][1]
    assert late > early


def test_typical_speed_is_the_harmonic_mean() -> None:
    """Tests that half a window at 10 km/h and half at 40 km/h average to 16 km/h."""
    profile = SpeedProfile((SpeedBand(0, 3600, 10.0), SpeedBand(3600, 7200, 40.0)), 99.0)
    assert profile.typical_kmh(0, 7200) == pytest.approx(16.0)
    assert profile.kmh_at(86_400 + 100) == 10.0  # wraps past midnight
    assert profile.kmh_at(5 * 3600) == 99.0


@pytest.mark.parametrize(
    "bands",
    [
        (SpeedBand(0, 3600, 10.0), SpeedBand(1800, 7200, 20.0)),
    ],
)
def test_overlapping_bands_are_rejected(bands: tuple[SpeedBand, ...]) -> None:
    """Tests that overlapping speed bands raise ValueError."""
    with pytest.raises(ValueError, match="overlap"):
        SpeedProfile(bands, 20.0)


@pytest.mark.parametrize(
    ("start", "end", "kmh"),
    [(-1, 10, 5.0), (10, 10, 5.0), (0, 10, 0.0), (0, 90_000, 5.0)],
)
def test_invalid_speed_band_raises(start: int, end: int, kmh: float) -> None:
    """Tests validation of speed bands."""
    with pytest.raises(ValueError, match=r"band|speed"):
        SpeedBand(start, end, kmh)


def test_day_locations_follow_the_solver_node_order() -> None:
    """Tests start, end, candidates, then the lunch place."""
    lunch = LunchBreak(12 * 3600, 13 * 3600, 3600, location=SANTANA)
    rep = RepDay(SE, PINHEIROS, 8 * 3600, 18 * 3600, 9 * 3600, lunch)
    c = Candidate("c1", MOOCA, 1.0, 600, (TimeWindow(8 * 3600, 17 * 3600),))
    assert day_locations(rep, [c]) == [SE, PINHEIROS, MOOCA, SANTANA]


# --------------------------------------------------------------------------- OSRM


def test_osrm_matrix_is_parsed_from_a_real_http_answer(osrm: OsrmServerState) -> None:
    """Tests the URL (lon,lat order, annotations) and the parsed integer matrix."""
    m = OsrmProvider(osrm.base_url).matrix([SE, PINHEIROS, MOOCA])
    assert osrm.paths[0].startswith("/table/v1/driving/-46.633300,-23.550500;-46.693300,")
    assert "annotations=duration,distance" in osrm.paths[0]
    # The fake server drives haversine × 1.3 at 10 m/s; haversine Sé → Pinheiros ≈ 6400 m.
    assert m.distances_m[0][1] == pytest.approx(6400 * 1.3, rel=0.01)
    assert m.durations_s[0][1] == pytest.approx(6400 * 1.3 / 10, rel=0.01)
    assert [m.durations_s[i][i] for i in range(3)] == [0, 0, 0]


def test_osrm_large_matrix_is_fetched_in_blocks(osrm: OsrmServerState) -> None:
    """Tests that more points than max_table_size are fetched in blocks and agree."""
    points = [Location(-23.5 - 0.01 * i, -46.6 - 0.007 * i) for i in range(9)]
    whole = OsrmProvider(osrm.base_url).matrix(points)
    osrm.max_table_size = 4
    blocks = OsrmProvider(osrm.base_url, max_table_size=4).matrix(points)
    assert blocks == whole
    assert osrm.table_calls == 1 + 25  # 9 points in blocks of 2: 5 × 5 requests
    assert sum("sources=" in p for p in osrm.paths[1:]) == 20  # off-diagonal blocks


def test_osrm_unroutable_pairs_are_filled(osrm: OsrmServerState) -> None:
    """Tests that null cells become the documented 'unroutable' values."""
    osrm.islands.add((MOOCA.lon, MOOCA.lat))
    m = OsrmProvider(osrm.base_url).matrix([SE, PINHEIROS, MOOCA])
    assert m.durations_s[0][2] == UNROUTABLE_S
    assert m.distances_m[2][1] == UNROUTABLE_M
    assert m.durations_s[2][2] == 0
    assert m.durations_s[0][1] < UNROUTABLE_S


def test_osrm_unroutable_pairs_can_raise(osrm: OsrmServerState) -> None:
    """Tests that unroutable_s=None turns null cells into UnroutableError."""
    osrm.islands.add((MOOCA.lon, MOOCA.lat))
    with pytest.raises(UnroutableError) as info:
        OsrmProvider(osrm.base_url, unroutable_s=None).matrix([SE, PINHEIROS, MOOCA])
    assert set(info.value.pairs) == {(0, 2), (1, 2), (2, 0), (2, 1)}


def test_osrm_error_code_becomes_osrm_error(osrm: OsrmServerState) -> None:
    """Tests that a JSON error answer (code != Ok) raises OsrmError with its code."""
    osrm.error_code = "NoTable"
    with pytest.raises(OsrmError) as info:
        OsrmProvider(osrm.base_url).matrix([SE, PINHEIROS])
    assert info.value.code == "NoTable"
    assert info.value.status == 400


def test_osrm_http_error_without_json(osrm: OsrmServerState) -> None:
    """Tests that a bare HTTP 502 raises OsrmError('HTTPError')."""
    osrm.http_status = 502
    with pytest.raises(OsrmError) as info:
        OsrmProvider(osrm.base_url).matrix([SE, PINHEIROS])
    assert (info.value.code, info.value.status) == ("HTTPError", 502)


def test_osrm_timeout_and_closed_port_raise_unreachable(osrm: OsrmServerState) -> None:
    """Tests that a slow or absent server raises OsrmError('Unreachable')."""
    osrm.delay_s = 0.5
    with pytest.raises(OsrmError) as info:
        OsrmProvider(osrm.base_url, timeout=0.1).matrix([SE, PINHEIROS])
    assert info.value.code == "Unreachable"
    with running_osrm_server() as gone:
        url = gone.base_url
    with pytest.raises(OsrmError, match="Unreachable"):
        OsrmProvider(url, timeout=1).matrix([SE, PINHEIROS])


def test_osrm_server_rejects_too_many_coordinates(osrm: OsrmServerState) -> None:
    """Tests that a server with a small table size answers TooBig, and we report it."""
    osrm.max_table_size = 2
    with pytest.raises(OsrmError) as info:
        OsrmProvider(osrm.base_url).matrix([SE, PINHEIROS, MOOCA])
    assert info.value.code == "TooBig"


# --------------------------------------------------------------------------- cache


def test_cache_hits_on_repeated_and_nearby_requests() -> None:
    """Tests hits for the same points within ~1 m and the same 30-minute bucket."""
    cache = CachedProvider(GeodesicProvider(), max_entries=4)
    first = cache.matrix([SE, PINHEIROS], depart_s=8 * 3600)
    nudged = Location(SE.lat + 1e-7, SE.lon)
    again = cache.matrix([nudged, PINHEIROS], depart_s=8 * 3600 + 600)
    assert again is first
    assert cache.stats.hits == 1
    assert cache.stats.misses == 1
    cache.matrix([SE, PINHEIROS], depart_s=18 * 3600)
    assert cache.stats.misses == 2


def test_cache_evicts_least_recently_used() -> None:
    """Tests that the LRU keeps max_entries matrices, dropping the oldest unused one."""
    cache = CachedProvider(GeodesicProvider(), max_entries=2)
    cache.matrix([SE, PINHEIROS])
    cache.matrix([SE, MOOCA])
    cache.matrix([SE, PINHEIROS])  # refresh: MOOCA is now the oldest
    cache.matrix([SE, SANTANA])
    assert cache.stats.size == 2
    cache.matrix([SE, PINHEIROS])
    assert cache.stats.hits == 2
    cache.matrix([SE, MOOCA])
    assert cache.stats.misses == 4


def test_cache_computes_once_under_concurrency(osrm: OsrmServerState) -> None:
    """Tests that eight threads asking for the same matrix cause one OSRM request."""
    osrm.delay_s = 0.2
    cache = CachedProvider(OsrmProvider(osrm.base_url))
    results = []
    barrier = threading.Barrier(8)

    def ask() -> None:
        barrier.wait()
        results.append(cache.matrix([SE, PINHEIROS, MOOCA]))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert osrm.table_calls == 1
    assert len(results) == 8
    assert all(r is results[0] for r in results)


def test_cache_does_not_store_failures(osrm: OsrmServerState) -> None:
    """Tests that an OSRM failure is raised and a later success is cached."""
    cache = CachedProvider(OsrmProvider(osrm.base_url))
    osrm.error_code = "NoTable"
    with pytest.raises(OsrmError):
        cache.matrix([SE, PINHEIROS])
    osrm.error_code = None
    cache.matrix([SE, PINHEIROS])
    cache.matrix([SE, PINHEIROS])
    assert (cache.stats.hits, cache.stats.size) == (1, 1)


def test_fallback_answers_when_osrm_fails(osrm: OsrmServerState) -> None:
    """Tests that the fallback provider answers, and counts, OSRM failures."""
    estimate = GeodesicProvider()
    provider = FallbackProvider(OsrmProvider(osrm.base_url), estimate)
    from_osrm = provider.matrix([SE, PINHEIROS])
    osrm.http_status = 503
    fallback = provider.matrix([SE, PINHEIROS])
    assert fallback == estimate.matrix([SE, PINHEIROS])
    assert fallback != from_osrm
    assert provider.failures == 1
    assert isinstance(provider.last_error, OsrmError)


def test_osrm_route_path_is_the_road_geometry_through_the_stops() -> None:
    """Tests OSRM's /route answer read as a line through the points, and a failure raised."""
    points = [Location(-23.55, -46.63), Location(-23.56, -46.65), Location(-23.54, -46.66)]
    with running_osrm_server() as osrm:
        provider = OsrmProvider(osrm.base_url)
        path = provider.route_path(points)
        assert path[::2] == points  # the fake turns one corner between each pair
        assert path[1] == Location(-23.55, -46.65)
        assert osrm.route_calls == 1
        osrm.error_code = "NoRoute"
        with pytest.raises(OsrmError):
            provider.route_path(points)
    with pytest.raises(ValueError, match="two locations"):
        provider.route_path(points[:1])
