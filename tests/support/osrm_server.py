"""A small real HTTP server on 127.0.0.1 that answers OSRM's ``/table`` and ``/route`` services.

It speaks OSRM's JSON format (``code``, ``durations``, ``distances``, ``sources``,
``destinations``; ``null`` for unroutable pairs; ``{"code": ..., "message": ...}``
errors with HTTP 400) so the OSRM travel provider and the app's settings can be
tested end to end over a socket without a routing engine. Travel is a haversine
distance times a circuity factor at a constant speed: simple enough to check by hand.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

EARTH_RADIUS_M = 6_371_008.8


@dataclass
class OsrmServerState:
    """What the fake server does, and what it has seen; tests may change it live."""

    speed_mps: float = 10.0
    circuity: float = 1.3
    max_table_size: int = 100
    islands: set[tuple[float, float]] = field(default_factory=set)
    """(lon, lat) points that no road reaches: every pair with another point is null."""
    error_code: str | None = None
    """When set, answer HTTP 400 with this OSRM error code (e.g. ``NoTable``)."""
    http_status: int | None = None
    """When set, answer with this bare HTTP status and a non-JSON body."""
    delay_s: float = 0.0
    paths: list[str] = field(default_factory=list)
    base_url: str = ""

    @property
    def route_calls(self) -> int:
        """Count the /route requests served so far."""
        return sum(1 for p in self.paths if p.startswith("/route/"))

    @property
    def table_calls(self) -> int:
        """Count the /table requests served so far."""
        return sum(1 for p in self.paths if p.startswith("/table/"))


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance in metres between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


class _BadRequest(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _parse_coordinates(text: str) -> list[tuple[float, float]]:
    coords = []
    for pair in unquote(text).split(";"):
        parts = pair.split(",")
        if len(parts) != 2:
            raise _BadRequest("InvalidQuery", f"Query string malformed close to {pair!r}")
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError as exc:
            raise _BadRequest("InvalidQuery", f"Query string malformed: {pair!r}") from exc
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _BadRequest("InvalidValue", f"Invalid coordinate value {pair!r}")
        coords.append((lon, lat))
    return coords


def _parse_indices(query: dict[str, list[str]], key: str, n: int) -> list[int]:
    raw = query.get(key, ["all"])[0]
    if raw == "all":
        return list(range(n))
    try:
        indices = [int(i) for i in raw.split(";")]
    except ValueError as exc:
        raise _BadRequest("InvalidOptions", f"{key} is not a list of indices") from exc
    if any(not 0 <= i < n for i in indices):
        raise _BadRequest("InvalidOptions", f"{key} index out of range")
    return indices


def _waypoint(point: tuple[float, float]) -> dict[str, Any]:
    return {
        "hint": "fake",
        "distance": 0.0,
        "name": "",
        "location": [round(point[0], 6), round(point[1], 6)],
    }


def build_table(state: OsrmServerState, path: str, query: dict[str, list[str]]) -> Any:
    """Answer one /table request as OSRM would, or raise ``_BadRequest``."""
    parts = path.split("/")
    if len(parts) != 5 or parts[1] != "table" or parts[2] != "v1" or not parts[4]:
        raise _BadRequest("InvalidUrl", f"URL string malformed close to {path!r}")
    coords = _parse_coordinates(parts[4])
    if len(coords) > state.max_table_size:
        raise _BadRequest("TooBig", "Too many table coordinates")
    sources = _parse_indices(query, "sources", len(coords))
    destinations = _parse_indices(query, "destinations", len(coords))
    annotations = set(query.get("annotations", ["duration"])[0].split(","))
    durations: list[list[float | None]] = []
    distances: list[list[float | None]] = []
    for i in sources:
        d_row: list[float | None] = []
        m_row: list[float | None] = []
        for j in destinations:
            a, b = coords[i], coords[j]
            if a != b and (a in state.islands or b in state.islands):
                d_row.append(None)
                m_row.append(None)
                continue
            metres = haversine_m(a, b) * state.circuity
            m_row.append(round(metres, 1))
            d_row.append(round(metres / state.speed_mps, 1))
        durations.append(d_row)
        distances.append(m_row)
    body: dict[str, Any] = {
        "code": "Ok",
        "sources": [_waypoint(coords[i]) for i in sources],
        "destinations": [_waypoint(coords[j]) for j in destinations],
    }
    if "duration" in annotations:
        body["durations"] = durations
    if "distance" in annotations:
        body["distances"] = distances
    return body


def build_route(path: str) -> Any:
    """Answer one /route request: a GeoJSON line that turns a corner between each pair of
    waypoints (east-west first, then north-south), so a road differs from a straight line."""
    parts = path.split("/")
    if len(parts) != 5 or parts[1] != "route" or parts[2] != "v1" or not parts[4]:
        raise _BadRequest("InvalidUrl", f"URL string malformed close to {path!r}")
    coords = _parse_coordinates(parts[4])
    if len(coords) < 2:
        raise _BadRequest("InvalidQuery", "A route needs two coordinates")
    line = [coords[0]]
    metres = 0.0
    for a, b in itertools.pairwise(coords):
        corner = (b[0], a[1])
        line += [corner, b]
        metres += haversine_m(a, corner) + haversine_m(corner, b)
    return {
        "code": "Ok",
        "routes": [
            {
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in line]},
                "distance": round(metres, 1),
                "duration": round(metres / 10.0, 1),
            }
        ],
        "waypoints": [_waypoint(c) for c in coords],
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        state = self.server.state
        state.paths.append(self.path)
        if state.delay_s:
            time.sleep(state.delay_s)
        if state.http_status is not None:
            self._send(state.http_status, b"upstream trouble", "text/plain")
            return
        url = urlsplit(self.path)
        try:
            if state.error_code is not None:
                raise _BadRequest(state.error_code, "forced by the test")
            if url.path.startswith("/route/"):
                body = build_route(url.path)
            else:
                body = build_table(state, url.path, parse_qs(url.query))
        except _BadRequest as exc:
            payload = {"code": exc.code, "message": exc.message}
            self._send(400, json.dumps(payload).encode(), "application/json")
            return
        self._send(200, json.dumps(body).encode(), "application/json; charset=UTF-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: OsrmServerState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hung up first (timeout tests); report anything else."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextmanager
def running_osrm_server(**options: Any) -> Iterator[OsrmServerState]:
    """Serve a fake OSRM on a free 127.0.0.1 port for the duration of the block."""
    state = OsrmServerState(**options)
    server = _Server(state)
    host, port = server.server_address[:2]
    state.base_url = f"http://{host!s}:{port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
