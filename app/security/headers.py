"""Security headers on every response: CSP without inline scripts, no framing, HSTS behind TLS."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.security import limits


def tile_origin(tile_url: str) -> str:
    """Origin of the map tile server, the one outside host pages may load from."""
    parts = urlsplit(tile_url.replace("{s}.", ""))
    host = parts.netloc
    if "{s}" in tile_url:
        host = "*." + host
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    """Build the CSP: everything from our origin, tiles from the tile server."""
    tiles = tile_origin(current_app.config["TILE_URL"])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {tiles}",
            "connect-src 'self'",
            "font-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (ROTEIRO_TRUSTED_PROXIES=N), believe their X-Forwarded-* headers.

    TLS usually ends at the proxy: without this, the app would see plain http and build
    http:// URLs, and every client would share the proxy's address (and its login-limit
    counter). Only the last N hops are trusted, so clients cannot spoof them. The value is
    checked at start-up; proxy headers arriving while it is 0 are reported once.
    """
    hops = limits.trusted_proxies(app)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    limits.warn_unconfigured_proxy(app, hops)


def register(app: Flask) -> None:
    """Add the headers after every request."""
    trust_proxies(app)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy())
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages, API answers and exports are per user: never kept by a browser or proxy
            # cache (a shared computer's back button, a proxy serving them to someone else).
            # Views that need revalidation instead (service worker, manifest) set their own.
            headers.setdefault("Cache-Control", "no-store")
        if current_app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
