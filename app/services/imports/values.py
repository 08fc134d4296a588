"""Cell parsers that accept what ERP exports contain: Brazilian numbers and dates, ISO too."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

# Larger amounts are typing errors (and would overflow the NUMERIC(14, x) columns).
LIMIT = Decimal("1e10")


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user."""


_BR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+)?(?:Z|[+-]\d{2}:?\d{2})?$")
_TRUE = {"1", "s", "sim", "y", "yes", "true", "verdadeiro", "ativo", "x"}
_FALSE = {"0", "n", "nao", "no", "false", "falso", "inativo"}


def is_blank(value: Any) -> bool:
    """Tell whether a cell is empty (None or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def fold(text: str) -> str:
    """Lower-case, accent-free, alphanumeric-only key for headers and choices."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def text(value: Any) -> str:
    """Text of a cell, trimmed; numbers from spreadsheets lose a trailing `.0`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def decimal(value: Any) -> Decimal:
    """Read `1.234,56`, `1234,56`, `1234.56` or a spreadsheet number."""
    if isinstance(value, bool):
        raise CellError(_l("not a number"))
    if isinstance(value, int | Decimal):
        return _bounded(Decimal(value))
    if isinstance(value, float):
        return _bounded(Decimal(repr(value)))
    raw = str(value).strip().replace("R$", "").replace(" ", "").replace("\u00a0", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError(_l("not a number")) from None
    return _bounded(number)


def _bounded(number: Decimal) -> Decimal:
    if not number.is_finite():
        raise CellError(_l("not a number"))
    if abs(number) >= LIMIT:
        raise CellError(_l("number too large"))
    return number


def integer(value: Any) -> int:
    """Read a whole number."""
    number = decimal(value)
    if number != number.to_integral_value():
        raise CellError(_l("not a whole number"))
    return int(number)


def day(value: Any) -> date:
    """Read `23/11/2026`, `2026-11-23` or a spreadsheet date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    try:
        if match := _BR_DATE.match(raw):
            d, m, y = (int(g) for g in match.groups())
            return date(y, m, d)
        if match := _ISO_DATE.match(raw):
            y, m, d = (int(g) for g in match.groups())
            return date(y, m, d)
    except ValueError:
        raise CellError(_l("invalid date")) from None
    raise CellError(_l("invalid date (use 23/11/2026)"))


def boolean(value: Any) -> bool:
    """Read sim/não, yes/no, 1/0, true/false."""
    if isinstance(value, bool):
        return value
    key = fold(text(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(_l("use sim or não"))


def coordinate(limit: float) -> Any:
    """Parser of a latitude (limit 90) or longitude (limit 180)."""

    def parse(value: Any) -> float:
        number = float(decimal(value))
        if not -limit <= number <= limit:
            raise CellError(_l("out of range"))
        return number

    return parse
