"""Compressed responses for phones on weak signal (Flask-Compress), static files included.

Flask-Compress compresses streamed responses by wrapping their iterator, and the file a
static response streams from is then never closed. Static files are small: they are read
into memory and their file closed at once, so they take the plain path (compressed once).
"""

from __future__ import annotations

from flask import Flask, Response, request

from app.extensions import compress


def register(app: Flask) -> None:
    """Compress responses; buffer static files so they are compressed and closed."""
    compress.init_app(app)

    # Registered after Flask-Compress, so it runs before it (after_request runs in reverse).
    @app.after_request
    def buffer_static_file(response: Response) -> Response:
        if request.endpoint != "static" or not response.direct_passthrough:
            return response
        source = response.response
        response.direct_passthrough = False
        body = b"" if response.status_code == 304 else b"".join(response.iter_encoded())
        close = getattr(source, "close", None)
        if close is not None:
            close()
        response.set_data(body)
        return response
