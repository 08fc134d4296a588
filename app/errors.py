"""Error pages; the 500 handler rolls back so a failed request leaves nothing half-written."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def _error_body(exc: HTTPException) -> dict[str, object]:
    """status, code, message and details (validation messages given to webargs/smorest abort)."""
    data = getattr(exc, "data", None) or {}
    details = data.get("errors") or data.get("messages")
    return {"status": exc.code, "code": exc.name.lower().replace(" ", "_"),
            "message": str(data.get("message") or exc.description), "details": details}


def register(app: Flask) -> None:
    """Install handlers for HTTP errors and unexpected exceptions."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if _wants_json():
            return jsonify({"error": _error_body(exc)}), exc.code
        return render_template("errors/error.html", error=exc), exc.code

    @app.errorhandler(500)
    def server_error(exc: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        if _wants_json():
            body = {"error": {"status": 500, "code": "internal_error",
                              "message": "Internal server error", "details": None}}
            return jsonify(body), 500
        return render_template("errors/error.html", error=None), 500
