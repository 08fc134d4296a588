"""Every error a request can end in, answered in one place.

HTTP errors and the domain's refusals (`app/services/errors.py`: not found, forbidden,
conflict, invalid with its fields) become the API's JSON error body
(``{"error": {"status", "code", "message", "details"}}``, plus a refusal's own payload, such as
the visit that stands) under /api/ or for a JSON client,
and an error page or a flashed message for pages. The 500 handler rolls back so a failed
request leaves nothing half-written.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Flask,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    ServiceUnavailable,
    default_exceptions,
)
from werkzeug.wrappers import Response

from app.extensions import db
from app.services import errors as domain

# Seconds a client is asked to wait when SQLite's write lock stayed busy.
BUSY_RETRY_AFTER_S = 2


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _error_body(exc: HTTPException) -> dict[str, object]:
    """status, code, message and details (validation messages given to webargs/smorest abort)."""
    data = getattr(exc, "data", None) or {}
    details = data.get("errors") or data.get("messages")
    return {
        **(data.get("payload") or {}),
        "status": exc.code,
        "code": data.get("code") or exc.name.lower().replace(" ", "_"),
        "message": str(data.get("message") or exc.description),
        "details": details,
    }


def as_http(exc: domain.DomainError) -> HTTPException:
    """The HTTP error of a domain refusal: its status, its message, its field errors.

    A "not found" (or a refusal without a message) keeps the HTTP error's standard
    description, so a scope's "not found" reads exactly like any other 404.
    """
    http = default_exceptions.get(exc.status, BadRequest)()
    if isinstance(exc, domain.NotFound) or not exc.message:
        # What was looked for is for the log, not for someone probing ids.
        return http
    http.description = exc.message
    data: dict[str, object] = {"errors": exc.errors or None}
    if exc.code:
        data["code"] = exc.code  # a refusal with a name of its own ("busy", "order_value")
    if exc.payload:
        data["payload"] = exc.payload  # what the client acts on (the contact that stands)
    http.data = data  # type: ignore[attr-defined]
    return http


def _safe_referrer() -> str | None:
    """The page the form was posted from, when it is ours (never an open redirect)."""
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else None


def http_error(exc: HTTPException) -> Response:
    """The JSON error body under /api/ (or for a JSON client), the error page otherwise."""
    if _wants_json():
        response = jsonify({"error": _error_body(exc)})
    else:
        response = make_response(render_template("errors/error.html", error=exc))
    response.status_code = exc.code or 500
    # The exception's own headers: Allow on a 405, WWW-Authenticate, Retry-After...
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def domain_error(exc: domain.DomainError) -> Response:
    """A service refused: nothing it wrote is kept; JSON, a page, or back to the form."""
    db.session.rollback()
    http = as_http(exc)
    back = _safe_referrer()
    if (
        not _wants_json()
        and isinstance(exc, domain.Conflict | domain.Invalid)
        and exc.message
        and back
    ):
        # A page's form refused by the rules: say why on the page it came from.
        for message in exc.errors.values() or [exc.message]:
            flash(str(message), "error")
        return redirect(back, 303)
    return http_error(http)


def register(app: Flask) -> None:
    """Install handlers for HTTP errors and unexpected exceptions."""

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(domain.DomainError, domain_error)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        megabytes = f"{int(current_app.config['MAX_CONTENT_LENGTH']) / 2**20:.3g}"
        if _wants_json():
            exc.description = f"The request body is larger than {megabytes} MB."
            return http_error(exc)
        if request.blueprint == "imports":
            # Back to the upload form, which says what to do instead.
            flash(
                _(
                    "The file is larger than %(mb)s MB; split it or import it with the "
                    "command line (flask import).",
                    mb=megabytes,
                ),
                "error",
            )
            return redirect(url_for("imports.index"), 303)
        exc.description = _("The request is larger than %(mb)s MB.", mb=megabytes)
        return http_error(exc)

    @app.errorhandler(sa.exc.OperationalError)
    def database_busy(exc: sa.exc.OperationalError):  # type: ignore[no-untyped-def]
        """SQLite's one write lock stayed taken past the busy timeout: a 503 the phone's
        queue retries, not a 500 (anything else from the driver is still a 500)."""
        if "database is locked" not in str(exc):
            raise exc
        db.session.rollback()
        busy = ServiceUnavailable("The database is busy; try again in a moment.")
        busy.retry_after = BUSY_RETRY_AFTER_S
        return http_error(busy)

    @app.errorhandler(500)
    def server_error(exc: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        if _wants_json():
            body = {
                "error": {
                    "status": 500,
                    "code": "internal_error",
                    "message": "Internal server error",
                    "details": None,
                }
            }
            return jsonify(body), 500
        return render_template("errors/error.html", error=None), 500
