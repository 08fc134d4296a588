"""Forms over a page's query string: the filters of lists, read at the boundary.

A GET changes nothing, so these forms carry no CSRF token, and a value that cannot be read
(``?page=abc``, ``?day=yesterday``) is dropped to its default rather than refused: a link
edited by hand still opens the list. The view hands the typed values to the services.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form


def stripped(value: Any) -> Any:
    """Trim text; an empty text is no value."""
    if isinstance(value, str):
        return value.strip() or None
    return value


class QueryForm(Form):
    """A form read from ``request.args``; every field's ``data`` is typed or its default."""

    def __init__(self, args: MultiDict[str, str], **kwargs: Any) -> None:
        super().__init__(formdata=args, **kwargs)
        for field in self:
            if field.process_errors or field.data is None:
                field.data = field.default
