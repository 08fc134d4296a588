"""Travel matrices for the route solver behind one small interface.

Four providers share the :class:`TravelProvider` protocol:

* :class:`GeodesicProvider`: the default, needs no server. Straight-line (WGS84 ellipsoid)
  distance times a circuity factor, driven at a speed that depends on the time of day.
* :class:`OsrmProvider`: asks an OSRM server's ``/table`` service for road durations and
  distances (standard library ``urllib`` only, so production needs no HTTP client package).
* :class:`CachedProvider`: wraps any of them and keeps recent matrices (LRU, thread-safe),
  because the nightly plan, the week agenda and re-plans ask for the same points again.
* :class:`FallbackProvider`: the caller's opt-in to estimated times when OSRM is down.

Every matrix is in integer seconds and metres and follows the node order of
:class:`optimizer.model.TravelMatrix`; :func:`day_locations` builds that order.

Defaults for Greater São Paulo (reasoning in :class:`SpeedProfile` and
:data:`DEFAULT_CIRCUITY`) are deliberately conservative: a plan that assumes the rep drives
faster than he can is worse than one that leaves a little slack.
"""

from __future__ import annotations

import json
import math
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from geopy.distance import geodesic

from optimizer.model import Candidate, Location, RepDay, TravelMatrix

DAY = 86_400

DEFAULT_CIRCUITY = 1.35
"""Road metres per straight-line metre for short urban trips.

Newell (1980) measured about 1.2 for random pairs in a city; O'Sullivan (1996) 1.21–1.23;
Giacomin & Levinson (2015, 51 US metros) found 1.2–1.4 and that *short* trips are the most
circuitous. A rep's legs are short (1–10 km), and São Paulo's rivers (Tietê, Pinheiros),
rail lines and one-way grids force detours, so we take the upper part of that range.
Calibrate per company against OSRM or GPS check-ins when they are available.
"""

UNROUTABLE_S = 2 * DAY
"""Seconds put on a leg OSRM cannot route: longer than any plannable day, so the solver
drops the stop as unreachable instead of crashing on a missing value."""
UNROUTABLE_M = 10_000_000

_A = 6_378_137.0  # WGS84 semi-major axis, metres
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_FLAT_LIMIT_M = 100_000.0


class TravelError(RuntimeError):
    """A travel matrix could not be produced; the caller chooses the fallback."""


class OsrmError(TravelError):
    """OSRM answered with an error, an unusable body, or not at all."""

    def __init__(self, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"OSRM {code}: {message}" + (f" (HTTP {status})" if status else ""))
        self.code = code
        self.message = message
        self.status = status


class UnroutableError(OsrmError):
    """OSRM found no road between some pairs (``null`` cells) and no fill was allowed."""

    def __init__(self, pairs: Sequence[tuple[int, int]]) -> None:
        super().__init__("Unroutable", f"no road for {len(pairs)} pair(s): {list(pairs)[:5]}")
        self.pairs = tuple(pairs)


class TravelProvider(Protocol):
    """Anything that turns points (in node order) into a travel matrix."""

    def matrix(self, locations: Sequence[Location], *, depart_s: int | None = None) -> TravelMatrix:
        """Return driving seconds and metres between every pair of ``locations``."""
        ...


def day_locations(rep: RepDay, candidates: Sequence[Candidate]) -> list[Location]:
    """Return the points of a day in the solver's node order (start, end, candidates, lunch)."""
    points = [rep.start, rep.end, *(c.location for c in candidates)]
    if rep.lunch is not None and rep.lunch.location is not None:
        points.append(rep.lunch.location)
    return points


def _int_rows(values: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """Round a float matrix to the nested tuples of ints the solver takes."""
    rows: list[list[int]] = np.rint(values).astype(np.int64).tolist()
    return tuple(tuple(row) for row in rows)


# --------------------------------------------------------------------------- speeds


@dataclass(frozen=True, slots=True)
class SpeedBand:
    """Door-to-door driving speed (km/h) for departures in [start_s, end_s) of the day."""

    start_s: int
    end_s: int
    kmh: float

    def __post_init__(self) -> None:
        if not 0 <= self.start_s < self.end_s <= DAY:
            raise ValueError(f"band must satisfy 0 <= start < end <= {DAY}")
        if not math.isfinite(self.kmh) or self.kmh <= 0:
            raise ValueError(f"speed must be positive, got {self.kmh}")


@dataclass(frozen=True, slots=True)
class SpeedProfile:
    """Driving speed by time of day; times outside every band use ``default_kmh``.

    The Greater São Paulo default (:meth:`sao_paulo`) comes from the order of magnitude of
    CET's yearly surveys of the main road network (peak-direction car speeds of about
    20–26 km/h in the morning peak and 15–21 km/h in the evening peak over the 2010s), lowered
    for a rep's trips, which also use local streets and end with finding a place to park.
    """

    bands: tuple[SpeedBand, ...]
    default_kmh: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "bands", tuple(sorted(self.bands, key=lambda b: b.start_s)))
        for prev, nxt in zip(self.bands, self.bands[1:], strict=False):
            if nxt.start_s < prev.end_s:
                raise ValueError("speed bands must not overlap")
        if not math.isfinite(self.default_kmh) or self.default_kmh <= 0:
            raise ValueError("default speed must be positive")

    @classmethod
    def constant(cls, kmh: float) -> SpeedProfile:
        """Return a profile with the same speed all day (tests, rural areas, OSRM checks)."""
        return cls(bands=(), default_kmh=kmh)

    @classmethod
    def sao_paulo(cls) -> SpeedProfile:
        """Return the documented default for urban driving in Greater São Paulo."""
        h = 3600
        return cls(
            bands=(
                SpeedBand(0, 6 * h, 35.0),  # night: near free flow
                SpeedBand(6 * h, 7 * h, 26.0),  # early morning, before the rush
                SpeedBand(7 * h, 10 * h, 17.0),  # morning peak (rodízio 7–10 h)
                SpeedBand(10 * h, 12 * h, 23.0),  # off-peak
                SpeedBand(12 * h, 14 * h, 21.0),  # lunch-time traffic
                SpeedBand(14 * h, 17 * h, 22.0),  # afternoon, building up
                SpeedBand(17 * h, 20 * h, 15.0),  # evening peak (rodízio 17–20 h)
                SpeedBand(20 * h, 22 * h, 25.0),
                SpeedBand(22 * h, DAY, 32.0),
            ),
            default_kmh=22.0,
        )

    def kmh_at(self, t_s: int) -> float:
        """Return the speed for a departure at ``t_s`` seconds after midnight."""
        t = t_s % DAY
        for band in self.bands:
            if band.start_s <= t < band.end_s:
                return band.kmh
        return self.default_kmh

    def typical_kmh(self, start_s: int = 8 * 3600, end_s: int = 18 * 3600) -> float:
        """Return the speed that gives the average time per km over [start_s, end_s).

        Used when no departure time is given: a harmonic mean, because what averages over
        a day is time per kilometre, not speed.
        """
        if end_s <= start_s:
            raise ValueError("end must be after start")
        step = 60
        pace = [1.0 / self.kmh_at(t) for t in range(start_s, end_s, step)]
        return len(pace) / sum(pace)


# --------------------------------------------------------------------------- geodesic


def geodesic_m(a: Location, b: Location) -> float:
    """Return the WGS84 ellipsoidal distance in metres (geopy's Karney algorithm).

    The one distance between two points in Roteiro (check-ins, the demo, geocoding
    suggestions); many points at once go through :func:`geodesic_matrix_m` or
    :func:`geodesic_from_m`, which agree with it.
    """
    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).meters)


def _local_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Distances in metres between broadcast arrays of points (radians), by local radii.

    The ellipsoid's local radii of curvature at the pair's mean latitude (meridional M, prime
    vertical N): ``hypot(N cos φ Δλ, M Δφ)``. Over a metro area this agrees with geopy's exact
    geodesic within 1e-5 relative (checked by the tests); callers redo pairs beyond
    ``_FLAT_LIMIT_M`` exactly.
    """
    phi = (lat1 + lat2) / 2.0
    w = 1.0 - _E2 * np.sin(phi) ** 2
    n_radius = _A / np.sqrt(w)
    m_radius = _A * (1.0 - _E2) / w**1.5
    dlon = lon2 - lon1
    dlon = (dlon + math.pi) % (2 * math.pi) - math.pi
    out: np.ndarray = np.hypot(n_radius * np.cos(phi) * dlon, m_radius * (lat2 - lat1))
    return out


def _radians(locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
    lat = np.radians(np.array([p.lat for p in locations], dtype=float))
    lon = np.radians(np.array([p.lon for p in locations], dtype=float))
    return lat, lon


def geodesic_matrix_m(locations: Sequence[Location]) -> np.ndarray:
    """Return the matrix of WGS84 distances in metres, vectorised.

    Pairs closer than 100 km use :func:`_local_m` at numpy speed; the rare longer pairs are
    computed exactly with :func:`geodesic_m`.
    """
    lat, lon = _radians(locations)
    dist = _local_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    far = np.argwhere(np.triu(dist > _FLAT_LIMIT_M, k=1))
    for i, j in far:
        dist[i, j] = dist[j, i] = geodesic_m(locations[i], locations[j])
    return dist


def geodesic_cross_m(rows: Sequence[Location], cols: Sequence[Location]) -> np.ndarray:
    """Return the WGS84 distances in metres from every point of ``rows`` to every one of
    ``cols`` (a rectangle of :func:`geodesic_matrix_m`'s arithmetic; pairs >100 km exact)."""
    if not rows or not cols:
        return np.zeros((len(rows), len(cols)))
    lat1, lon1 = _radians(rows)
    lat2, lon2 = _radians(cols)
    dist = _local_m(lat1[:, None], lon1[:, None], lat2[None, :], lon2[None, :])
    for i, j in np.argwhere(dist > _FLAT_LIMIT_M).tolist():
        dist[i, j] = geodesic_m(rows[i], cols[j])
    return dist


def geodesic_from_m(origin: Location, locations: Sequence[Location]) -> np.ndarray:
    """Return the WGS84 distances in metres from ``origin`` to each of ``locations``.

    For ranking many points around one (a rep's nearby customers): the same arithmetic as
    :func:`geodesic_matrix_m`, one row of it, without building the whole matrix.
    """
    if not locations:
        return np.zeros(0)
    lat, lon = _radians(locations)
    o_lat, o_lon = math.radians(origin.lat), math.radians(origin.lon)
    dist = _local_m(np.full_like(lat, o_lat), np.full_like(lon, o_lon), lat, lon)
    for i in np.flatnonzero(dist > _FLAT_LIMIT_M).tolist():
        dist[i] = geodesic_m(origin, locations[i])
    return dist


class GeodesicProvider:
    """Straight-line distance × circuity, at the speed of the departure's time of day.

    The solver takes one matrix for a whole day (or the rest of it), so a matrix "departing
    at ``depart_s``" uses the average pace of the ``horizon_s`` that follow: a re-plan at
    16:30 feels the evening peak, one at 10:00 mostly does not. ``depart_s=None`` means a
    whole working day (08–18 h); ``horizon_s=0`` uses the speed at ``depart_s`` alone.

    Parameters
    ----------
    speed
        Speed by time of day; defaults to :meth:`SpeedProfile.sao_paulo`.
    circuity
        Road metres per straight-line metre; defaults to :data:`DEFAULT_CIRCUITY`.
    leg_overhead_s
        Fixed seconds added to every leg between two different points (parking, walking to
        the door); 0 by default so that times stay checkable by hand.
    horizon_s
        Seconds after ``depart_s`` whose average pace the matrix uses (3 h by default).
    """

    def __init__(
        self,
        speed: SpeedProfile | None = None,
        *,
        circuity: float = DEFAULT_CIRCUITY,
        leg_overhead_s: int = 0,
        horizon_s: int = 3 * 3600,
    ) -> None:
        if not math.isfinite(circuity) or circuity < 1.0:
            raise ValueError(f"circuity must be >= 1, got {circuity}")
        if leg_overhead_s < 0 or horizon_s < 0:
            raise ValueError("leg overhead and horizon must be >= 0")
        self.horizon_s = horizon_s
        self.speed = speed if speed is not None else SpeedProfile.sao_paulo()
        self.circuity = circuity
        self.leg_overhead_s = leg_overhead_s

    def kmh(self, depart_s: int | None) -> float:
        """Return the speed used for a matrix departing at ``depart_s``."""
        if depart_s is None:
            return self.speed.typical_kmh()
        if self.horizon_s == 0:
            return self.speed.kmh_at(depart_s)
        return self.speed.typical_kmh(depart_s, depart_s + self.horizon_s)

    def matrix(self, locations: Sequence[Location], *, depart_s: int | None = None) -> TravelMatrix:
        """Return the road estimate between every pair of ``locations``."""
        if len(locations) < 2:
            raise ValueError("a travel matrix needs at least two locations")
        road_m = geodesic_matrix_m(locations) * self.circuity
        mps = self.kmh(depart_s) / 3.6
        seconds = road_m / mps
        moving = road_m > 0
        seconds[moving] += self.leg_overhead_s
        return TravelMatrix(durations_s=_int_rows(seconds), distances_m=_int_rows(road_m))


# --------------------------------------------------------------------------- OSRM


class OsrmProvider:
    """Road durations and distances from an OSRM server's ``/table/v1`` service.

    OSRM's durations do not depend on the departure time, so ``depart_s`` is ignored.
    Matrices larger than the server's ``--max-table-size`` (100 by default in osrm-routed)
    are fetched in blocks with the ``sources``/``destinations`` parameters.

    Parameters
    ----------
    base_url
        The server, e.g. ``http://osrm:5000`` (from the app's settings).
    profile
        The profile segment of the URL (``driving``).
    timeout
        Seconds to wait for each HTTP request.
    max_table_size
        Most coordinates sent in one request.
    unroutable_s
        Seconds to put on legs OSRM cannot route (``null``); None raises
        :class:`UnroutableError` instead.
    """

    def __init__(
        self,
        base_url: str,
        profile: str = "driving",
        timeout: float = 10.0,
        *,
        max_table_size: int = 100,
        unroutable_s: int | None = UNROUTABLE_S,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if max_table_size < 2:
            raise ValueError("max_table_size must be at least 2")
        self.base_url = base_url.rstrip("/")
        self.profile = urllib.parse.quote(profile, safe="")
        self.timeout = timeout
        self.max_table_size = max_table_size
        self.unroutable_s = unroutable_s

    def matrix(self, locations: Sequence[Location], *, depart_s: int | None = None) -> TravelMatrix:
        """Return OSRM's matrix for ``locations``; raise :class:`OsrmError` on failure."""
        n = len(locations)
        if n < 2:
            raise ValueError("a travel matrix needs at least two locations")
        durations = np.zeros((n, n), dtype=float)
        distances = np.zeros((n, n), dtype=float)
        missing = np.zeros((n, n), dtype=bool)
        block = n if n <= self.max_table_size else self.max_table_size // 2
        starts = range(0, n, block)
        for si in starts:
            rows = list(range(si, min(si + block, n)))
            for di in starts:
                cols = list(range(di, min(di + block, n)))
                self._fill_block(locations, rows, cols, durations, distances, missing)
        return self._finish(durations, distances, missing)

    def _fill_block(
        self,
        locations: Sequence[Location],
        rows: list[int],
        cols: list[int],
        durations: np.ndarray,
        distances: np.ndarray,
        missing: np.ndarray,
    ) -> None:
        """Fetch one block of the matrix into the output arrays."""
        nodes = rows if rows == cols else rows + cols
        params = "annotations=duration,distance"
        if rows != cols:
            src = ";".join(str(i) for i in range(len(rows)))
            dst = ";".join(str(i) for i in range(len(rows), len(nodes)))
            params += f"&sources={src}&destinations={dst}"
        coords = ";".join(f"{locations[i].lon:.6f},{locations[i].lat:.6f}" for i in nodes)
        body = self._get(f"{self.base_url}/table/v1/{self.profile}/{coords}?{params}")
        dur = _grid(body, "durations", len(rows), len(cols))
        dist = _grid(body, "distances", len(rows), len(cols))
        for a, i in enumerate(rows):
            for b, j in enumerate(cols):
                if i == j:
                    continue
                if dur[a][b] is None or dist[a][b] is None:
                    missing[i, j] = True
                else:
                    durations[i, j] = dur[a][b]
                    distances[i, j] = dist[a][b]

    def _finish(
        self, durations: np.ndarray, distances: np.ndarray, missing: np.ndarray
    ) -> TravelMatrix:
        """Fill or reject unroutable pairs and round to integers."""
        if missing.any():
            if self.unroutable_s is None:
                raise UnroutableError([(int(i), int(j)) for i, j in np.argwhere(missing)])
            durations[missing] = self.unroutable_s
            distances[missing] = UNROUTABLE_M
        return TravelMatrix(durations_s=_int_rows(durations), distances_m=_int_rows(distances))

    def route_path(self, locations: Sequence[Location]) -> list[Location]:
        """The road geometry through ``locations`` in their order (OSRM's ``/route/v1``).

        For drawing a route on a map: the full overview as GeoJSON, no turn-by-turn steps.
        Raises :class:`OsrmError` when the server fails or answers without a route.
        """
        if len(locations) < 2:
            raise ValueError("a route needs at least two locations")
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in locations)
        params = "overview=full&geometries=geojson&steps=false"
        body = self._get(f"{self.base_url}/route/v1/{self.profile}/{coords}?{params}")
        return _route_geometry(body)

    def _get(self, url: str) -> Any:
        """GET ``url`` and return the decoded OSRM body, raising :class:`OsrmError`."""
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                raw_error = exc.read()
            raise _error_from_body(raw_error, exc.code) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OsrmError("Unreachable", f"{self.base_url}: {reason}") from exc
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise OsrmError("BadResponse", "the answer is not JSON") from exc
        if not isinstance(body, dict) or body.get("code") != "Ok":
            raise _error_from_body(raw, 200)
        return body


def _error_from_body(raw: bytes, status: int) -> OsrmError:
    """Build the clearest error from an OSRM error body (JSON or not)."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict) and "code" in body:
        return OsrmError(str(body["code"]), str(body.get("message", "")), status=status)
    return OsrmError("HTTPError", raw[:200].decode("utf-8", "replace"), status=status)


def _route_geometry(body: Any) -> list[Location]:
    """The first route's GeoJSON line of a ``/route`` answer, checked, as locations."""
    try:
        coords = body["routes"][0]["geometry"]["coordinates"]
        path = [Location(float(lat), float(lon)) for lon, lat in coords]
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise OsrmError("BadResponse", "the answer has no route geometry") from exc
    if len(path) < 2:
        raise OsrmError("BadResponse", "the route geometry has fewer than two points")
    return path


def _grid(body: Any, key: str, rows: int, cols: int) -> list[list[float | None]]:
    """Return ``body[key]`` checked to be a rows × cols grid of numbers or nulls."""
    grid = body.get(key)
    ok = (
        isinstance(grid, list)
        and len(grid) == rows
        and all(isinstance(r, list) and len(r) == cols for r in grid)
        and all(v is None or isinstance(v, int | float) for r in grid for v in r)
    )
    if not ok:
        raise OsrmError("BadResponse", f"'{key}' is missing or is not a {rows}x{cols} grid")
    return grid  # type: ignore[no-any-return]


class FallbackProvider:
    """Ask ``primary`` (e.g. OSRM); on :class:`TravelError` answer with ``fallback``.

    The caller opts into this: a plan on estimated times is better than no plan at 6 a.m.,
    but ``failures`` counts how often it happened so the app can warn and log it.
    """

    def __init__(self, primary: TravelProvider, fallback: TravelProvider) -> None:
        self.primary = primary
        self.fallback = fallback
        self.failures = 0
        self.last_error: TravelError | None = None
        self._lock = threading.Lock()

    def matrix(self, locations: Sequence[Location], *, depart_s: int | None = None) -> TravelMatrix:
        """Return the primary's matrix, or the fallback's when the primary fails."""
        try:
            return self.primary.matrix(locations, depart_s=depart_s)
        except TravelError as exc:
            with self._lock:
                self.failures += 1
                self.last_error = exc
            return self.fallback.matrix(locations, depart_s=depart_s)


# --------------------------------------------------------------------------- cache


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Hits and misses since the cache was built."""

    hits: int
    misses: int
    size: int


class CachedProvider:
    """Keep the most recent matrices of another provider (LRU, thread-safe).

    Keys are the coordinates rounded to ``decimals`` (5 ≈ 1 m) and the departure rounded
    down to a ``bucket_s`` time bucket. The inner provider is called with the rounded points
    and the bucket's start, so the answer never depends on which caller came first.
    Concurrent requests for the same key compute it once; the others wait for it.
    """

    def __init__(
        self,
        inner: TravelProvider,
        max_entries: int = 256,
        *,
        decimals: int = 5,
        bucket_s: int = 1800,
    ) -> None:
        if max_entries < 1 or bucket_s < 1:
            raise ValueError("max_entries and bucket_s must be positive")
        self.inner = inner
        self.max_entries = max_entries
        self.decimals = decimals
        self.bucket_s = bucket_s
        self._entries: OrderedDict[Hashable, TravelMatrix] = OrderedDict()
        self._inflight: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    @property
    def stats(self) -> CacheStats:
        """Return hit and miss counts and the number of matrices held."""
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries))

    def clear(self) -> None:
        """Forget every cached matrix (e.g. after the OSRM data was updated)."""
        with self._lock:
            self._entries.clear()

    def matrix(self, locations: Sequence[Location], *, depart_s: int | None = None) -> TravelMatrix:
        """Return the cached matrix for these points and time bucket, computing it once."""
        points = tuple(
            Location(round(p.lat, self.decimals), round(p.lon, self.decimals)) for p in locations
        )
        bucket = None if depart_s is None else (depart_s // self.bucket_s) * self.bucket_s
        key = (points, bucket)
        while True:
            with self._lock:
                found = self._entries.get(key)
                if found is not None:
                    self._entries.move_to_end(key)
                    self._hits += 1
                    return found
                event = self._inflight.get(key)
                if event is None:
                    self._inflight[key] = threading.Event()
                    self._misses += 1
                    break
            event.wait()
        try:
            result = self.inner.matrix(points, depart_s=bucket)
            with self._lock:
                self._entries[key] = result
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        finally:
            with self._lock:
                self._inflight.pop(key).set()
        return result
