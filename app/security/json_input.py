"""Every JSON body the app reads goes through ``loads``: bounded nesting, no control characters.

Python's JSON parser recurses per nesting level, so a body of a few thousand ``[`` used
to end in a RecursionError (a 500) and a few hundred levels could still exhaust the stack
of whatever walked the result. Nothing the API takes is nested more than a few levels,
so a body deeper than ``MAX_DEPTH`` is refused as invalid JSON (a clear 400). Strings
lose their control characters here, once, for the REST API and the rep's phone alike
(``app.services.cell_safety.clean_text``).

Flask's ``request.get_json`` (and every ``flask.json.loads``) uses it through
``BoundedJSONProvider``; flask-smorest's argument parser through ``BoundedParser``.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Request, abort
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from app.services.cell_safety import clean_text

MAX_DEPTH = 32


class JSONInputError(json.JSONDecodeError):
    """A body that is JSON but not one the app accepts (nested too deeply)."""


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """Parse a JSON body; raise ``json.JSONDecodeError`` (a ValueError) when it is refused."""
    try:
        value = json.loads(data, **kwargs)
    except RecursionError:
        raise _too_deep() from None
    return _cleaned(value, 1)


def _too_deep() -> JSONInputError:
    # A non-empty `doc`: webargs reads an error about an empty document as "no body".
    return JSONInputError(f"JSON nested deeper than {MAX_DEPTH} levels", "(body)", 0)


def _cleaned(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | dict) and depth > MAX_DEPTH:
        raise _too_deep()
    if isinstance(value, list):
        return [_cleaned(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): _cleaned(item, depth + 1) for key, item in value.items()}
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider reading through ``loads``: ``get_json`` answers refusals with 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


class BoundedParser(FlaskParser):
    """webargs' Flask parser reading JSON through ``loads``, saying why a body is refused."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return loads(req.get_data(cache=True))

    def _handle_invalid_json_error(
        self,
        error: json.JSONDecodeError | UnicodeDecodeError,
        req: Request,
        *args: Any,
        **kwargs: Any,
    ) -> NoReturn:
        message = error.msg if isinstance(error, JSONInputError) else "Invalid JSON body."
        abort(400, description=message)
