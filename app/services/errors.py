"""The errors services (and the `Scope`) raise when a request cannot be served as asked.

They speak the domain, not HTTP: a service says "not found", "forbidden", "conflict" or
"invalid, because of this field", and `app/errors.py` is the one place that turns each into
a response (the API's JSON error body, or an error page / a flashed message for pages).
Services therefore never import Flask's ``abort`` nor build error responses themselves.

A refusal that carries data its client acts on (the phone's visit flow: the contact that
stands, which the phone adopts) puts it in ``payload``; the JSON error body carries it beside
the message, so that refusal too goes through the one mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base of the domain's refusals; ``status`` is the HTTP status `app/errors.py` maps it to."""

    status: int = 400
    # A name of the refusal's own ("busy", "order_value"); None: the HTTP status's name.
    code: str | None = None

    def __init__(
        self,
        message: str = "",
        *,
        errors: Mapping[str, Any] | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # Field-level messages keyed by the input's field name (empty when none applies).
        self.errors: dict[str, Any] = dict(errors or {})
        # Data the client reads beside the message, added to the JSON error body as it is
        # (``{"contact": {...}}``); never the standard keys, which win over it.
        self.payload: dict[str, Any] = dict(payload or {})


class NotFound(DomainError, LookupError):
    """The object does not exist, or is outside the caller's scope (ids cannot be probed)."""

    status = 404


class Forbidden(DomainError):
    """The caller may see the object but their role may not do this to it."""

    status = 403


class Conflict(DomainError):
    """The request is well-formed but the stored state refuses it (changed meanwhile, busy)."""

    status = 409


class Invalid(DomainError, ValueError):
    """Input a service refuses; ``errors`` says why per field (``{"email": "..."}``)."""

    status = 422

    def __init__(
        self,
        errors: Mapping[str, Any] | None = None,
        *,
        message: str = "",
    ) -> None:
        errors = dict(errors or {})
        super().__init__(
            message or "; ".join(f"{k}: {v}" for k, v in errors.items()), errors=errors
        )

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        """One field's refusal."""
        return cls({name: message})
