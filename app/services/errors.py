"""The errors services (and the `Scope`) raise when a request cannot be served as asked.

They speak the domain, not HTTP: a service says "not found", "forbidden", "conflict" or
"invalid, because of this field", and `app/errors.py` is the one place that turns each into
a response (the API's JSON error body, or an error page / a flashed message for pages).
Services therefore never import Flask's ``abort`` nor build error responses themselves.

A view that must answer a refusal in its own words (the phone's visit flow, which carries
the contact that stands) catches the subclass it expects; anything it lets through still
gets the one mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    """Base of the domain's refusals; ``status`` is the HTTP status `app/errors.py` maps it to."""

    status: ClassVar[int] = 400
    # A name of the refusal's own ("busy", "order_value"); None: the HTTP status's name.
    code: str | None = None

    def __init__(self, message: str = "", *, errors: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Field-level messages keyed by the input's field name (empty when none applies).
        self.errors: dict[str, Any] = dict(errors or {})


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
