"""REST API v1 (JSON, token auth) documented by flask-smorest at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from app.api.schemas import ErrorSchema


class RoteiroApi(Api):
    """flask-smorest with our error body; app/errors.py renders every /api/ error."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Keep the app's own handlers (one error format for the whole /api/ tree)."""


api = RoteiroApi()

SPEC_OPTIONS: dict[str, Any] = {
    "info": {
        "description": "Roteiro REST API: bulk upsert of ERP data, plans and contacts export. "
        "Authenticate with `Authorization: Bearer <token>` (tokens: account page)."
    },
    "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearerAuth": []}],
}


def init_api(app: Flask) -> None:
    """Configure and attach the API blueprints (token auth, CSRF-exempt)."""
    from app.api import actions, capacity, targets, views
    from app.extensions import csrf

    app.config.setdefault("API_TITLE", "Roteiro API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    api.init_app(app)
    for blueprint in (*views.BLUEPRINTS, actions.bp, capacity.bp, targets.bp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
