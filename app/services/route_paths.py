"""Road geometry of a day's route for the map, from OSRM when the company configured it.

The team's day draws each rep's route; straight lines between stops say little in a city, so
when an OSRM server is configured the line follows the roads (OSRM's ``/route`` service through
the stops in order). A plan's geometry only changes when its stops do, so it is cached per plan
(id, revision and the stops' positions) in the process: the page polls every 30 seconds and
asks OSRM once per plan and worker. A failure (server down, no route) is remembered for a few
minutes so a poll does not wait on a dead server each time; the page then draws straight lines
and says so. Without OSRM, always straight lines (``None``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from optimizer.model import Location
from optimizer.travel import OsrmError, OsrmProvider

CACHE_SIZE = 512  # plans; a few hundred reps' days
TIMEOUT_S = 3.0  # a map line is not worth a long wait inside a page request
RETRY_AFTER_S = 300.0

Point = tuple[float, float]
_Key = tuple[str, int, int, tuple[Point, ...]]
_cache: OrderedDict[_Key, tuple[tuple[Point, ...] | None, float]] = OrderedDict()
_lock = threading.Lock()


def road_path(
    *, osrm_url: str | None, plan_id: int, revision: int, points: Sequence[Point]
) -> list[Point] | None:
    """The road line (lat, lon) through a plan's stops in order; None: draw straight lines.

    None without OSRM, with fewer than two points, or when OSRM failed (within the last
    ``RETRY_AFTER_S`` seconds).
    """
    if not osrm_url or len(points) < 2:
        return None
    key: _Key = (osrm_url, plan_id, revision, tuple(points))
    now = time.monotonic()
    with _lock:
        found = _cache.get(key)
        if found is not None and (found[0] is not None or now - found[1] < RETRY_AFTER_S):
            _cache.move_to_end(key)
            return list(found[0]) if found[0] is not None else None
    try:
        path = OsrmProvider(osrm_url, timeout=TIMEOUT_S).route_path(
            [Location(lat, lon) for lat, lon in points]
        )
        line: tuple[Point, ...] | None = tuple((p.lat, p.lon) for p in path)
    except (OsrmError, ValueError):
        line = None
    with _lock:
        _cache[key] = (line, now)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return list(line) if line is not None else None


def clear() -> None:
    """Forget every cached line (tests; a changed OSRM server is a new key anyway)."""
    with _lock:
        _cache.clear()
