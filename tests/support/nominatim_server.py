"""A small real HTTP server on 127.0.0.1 that answers like Nominatim's `/search` (JSON format).

Known places are matched by a case-insensitive substring of the `q` parameter; anything
else answers `[]` (not found). It records each query and User-Agent so tests can check
caching and the identification Nominatim's usage policy asks for.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class NominatimState:
    """Places the server knows and what it has been asked."""

    places: dict[str, tuple[float, float]] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    params: list[dict[str, list[str]]] = field(default_factory=list)
    status: int = 200
    base_url: str = ""


def _handler(state: NominatimState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = parse_qs(parts.query)
            if parts.path != "/search":
                self._send(404, {"error": "not found"})
                return
            query = params.get("q", [""])[0]
            state.queries.append(query)
            state.params.append(params)
            state.user_agents.append(self.headers.get("User-Agent", ""))
            if state.status != 200:
                self._send(state.status, {"error": "unavailable"})
                return
            hits = [
                {
                    "lat": f"{lat:.7f}",
                    "lon": f"{lon:.7f}",
                    "display_name": f"{name}, Brasil",
                    "place_id": i,
                    "class": "place",
                    "type": "house",
                    "importance": 0.5,
                }
                for i, (name, (lat, lon)) in enumerate(state.places.items())
                if name.lower() in query.lower()
            ]
            self._send(200, hits[:1])

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def nominatim_server(
    places: dict[str, tuple[float, float]] | None = None,
) -> Iterator[NominatimState]:
    """Run the fake Nominatim on a free port for the duration of the block."""
    state = NominatimState(places=dict(places or {}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
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
