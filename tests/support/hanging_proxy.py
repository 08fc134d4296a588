"""A TCP proxy on 127.0.0.1 whose network can be made to hang: weak signal, for real.

With ``hang`` set, the proxy keeps accepting connections and holds every byte in both
directions without answering or closing, which is what a phone sees when it has a bar of
signal and nothing gets through: requests neither fail nor finish. Clearing ``hang`` lets
the held traffic through. ``slow`` = (round trip in seconds, bytes per second) makes it a
throttled network instead: each request waits a round trip, each answer trickles at that
rate. Browsers talk to it as to any server (its own origin, so its own cookies, service
worker and IndexedDB), service-worker fetches included, which browser-side throttling misses.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class HangingProxy:
    """Forward 127.0.0.1:<port> to a target port; ``hang`` freezes all traffic."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.hang = False
        self.slow: tuple[float, float] | None = None
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Accept connections in a background thread."""
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        """Stop accepting and let the relays end."""
        self._stop.set()
        self._server.close()

    def _accept(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._relay, args=(client,), daemon=True)
            thread.start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            client.close()
            return
        peers = {client: upstream, upstream: client}
        try:
            while not self._stop.is_set():
                if self.hang:
                    time.sleep(0.05)
                    continue
                ready, _, _ = select.select(list(peers), [], [], 0.1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    self._throttle(data, upstream=sock is upstream)
                    peers[sock].sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()

    def _throttle(self, data: bytes, *, upstream: bool) -> None:
        slow = self.slow
        if slow is None:
            return
        round_trip, rate = slow
        time.sleep(len(data) / rate if upstream else round_trip)


@contextmanager
def hanging_proxy(target_port: int) -> Iterator[HangingProxy]:
    """A running proxy in front of a local server, closed afterwards."""
    proxy = HangingProxy(target_port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
