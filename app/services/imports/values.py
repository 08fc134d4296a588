"""Cell parsers that accept what ERP exports contain: Brazilian numbers and dates, ISO too."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Final

from flask_babel import lazy_gettext as _l

from app.services import money
from app.services import opening_hours as oh

# Larger amounts are typing errors (and would overflow the NUMERIC(14, x) columns).
LIMIT = Decimal("1e10")
# Files are read with Brazilian separators (`1.234` is one thousand two hundred and thirty-four).
IMPORT_LOCALE = "pt_BR"


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user."""


class _Clear:
    """The parsed value of an explicit "empty this field" (a `-` cell, a JSON null)."""

    _instance: _Clear | None = None

    def __new__(cls) -> _Clear:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "CLEAR"


# A blank cell keeps the stored value; only this marker (in files) or null (in JSON) empties it.
CLEAR_MARKER: Final = "-"
CLEAR: Final = _Clear()


_CLOCK = re.compile(r"^(\d{1,2})(?:[:h](\d{2}))?(?::(\d{2}))?h?$")
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
    """Read `1.234,56`, `1234,56`, `1234.56`, `R$ 1.234` or a spreadsheet number.

    Text is read by the one reader of typed numbers (:func:`app.services.money.read_number`,
    Brazilian conventions), so a file reads amounts as the rep's phone and the telesales
    page do; only the bounds and messages here are the import's.
    """
    if isinstance(value, bool):
        raise CellError(_l("not a number"))
    if isinstance(value, int | Decimal):
        return _bounded(Decimal(value))
    if isinstance(value, float):
        return _bounded(Decimal(repr(value)))
    try:
        number = money.read_number(str(value), IMPORT_LOCALE)
    except money.MoneyError:
        raise CellError(_l("not a number")) from None
    return _bounded(number)


def _bounded(number: Decimal) -> Decimal:
    if not number.is_finite():
        raise CellError(_l("not a number"))
    if abs(number) >= LIMIT:
        raise CellError(_l("number too large"))
    return number


def in_column(number: Decimal, precision: int, scale: int) -> Decimal:
    """The number rounded to a NUMERIC(precision, scale) column; CellError when it cannot fit.

    Rounding can carry into a new digit (9999999999.99999 to 4 places is 1E10), so the
    check is on the rounded value: PostgreSQL would refuse it (a 500), SQLite would keep
    an approximate float.
    """
    limit = Decimal(10) ** (precision - scale)
    if abs(number) >= limit:  # also keeps the rounding within Decimal's precision
        raise CellError(_l("number too large"))
    rounded = number.quantize(Decimal(1).scaleb(-scale))
    if abs(rounded) >= limit:
        raise CellError(_l("number too large"))
    return rounded


def amount(value: Any, scale: int, *, positive: bool = False) -> Decimal:
    """Read a quantity or money amount of a NUMERIC(14, scale) column: never negative, and
    above zero when ``positive`` (a quantity, a receivable; a price or a limit may be zero)."""
    number = in_column(decimal(value), 14, scale)
    if positive and number <= 0:
        raise CellError(_l("must be greater than zero"))
    if number < 0:
        raise CellError(_l("must not be negative"))
    return number


def whole_between(value: Any, low: int, high: int) -> int:
    """Read a whole number within [low, high] (an INTEGER column and the field's own sense)."""
    number = integer(value)
    if not low <= number <= high:
        raise CellError(_l("between %(low)s and %(high)s", low=low, high=high))
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


def clock(value: Any) -> time:
    """Read a time of day: `08:00`, `8h`, `8h30`, `08:00:00` or a spreadsheet time."""
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # a spreadsheet time stored as a day fraction
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    match = _CLOCK.match(text(value).lower().replace(" ", ""))
    if match:
        hours, minutes = int(match[1]), int(match[2] or 0)
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise CellError(_l("invalid time (use 08:00)"))


def weekdays(value: Any) -> int:
    """Read weekdays (`seg-sex`, `seg,qua,sex`) as a Monday-first bit mask."""
    try:
        return oh.parse_weekdays(text(value))
    except oh.FormatError as exc:
        raise CellError(str(exc)) from None


def opening_hours(value: Any) -> dict[str, list[list[str]]]:
    """Read opening hours in the text grammar, or (from the API) as a week document."""
    if isinstance(value, dict):
        return week_document(value)
    try:
        week = oh.parse_opening_hours(text(value))
    except oh.FormatError as exc:
        raise CellError(str(exc)) from None
    if not week:
        raise CellError(_l("no opening hours given"))
    return week


def week_document(doc: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Check a structured week (`{"mon": [["08:00", "12:00"]], ...}`) by the text
    grammar's rules."""
    if not doc:
        return {}
    unknown = sorted(set(doc) - set(oh.WEEKDAY_KEYS))
    if unknown:
        raise CellError(_l("unknown weekday: %(name)s", name=", ".join(map(str, unknown))[:60]))
    for spans in doc.values():
        if spans is None:
            continue
        if not isinstance(spans, list) or not all(
            isinstance(s, list) and len(s) == 2 and all(isinstance(t, str) for t in s)
            for s in spans
        ):
            raise CellError(_l('each day takes a list of intervals like ["08:00", "12:00"]'))
    week = {key: [list(s) for s in doc.get(key) or ()] for key in oh.WEEKDAY_KEYS}
    return opening_hours(oh.format_opening_hours(week))


# ---------------------------------------------------------------- stored value -> cell


def show_bool(value: Any) -> str | None:
    """Write a boolean the way `boolean` reads it back."""
    return None if value is None else ("sim" if value else "não")


def show_clock(value: time | None) -> str | None:
    """Write a time of day as `HH:MM`."""
    return None if value is None else value.strftime("%H:%M")


def show_float(value: float | None) -> Decimal | None:
    """A stored float as a Decimal with all its digits (the writers round floats to cents)."""
    return None if value is None else Decimal(repr(float(value)))


def show_weekdays(mask: int | None) -> str | None:
    """Write a weekday mask as `seg-sex` (no restriction: blank)."""
    return oh.format_weekdays(mask) if mask else None


def show_opening_hours(doc: dict[str, Any] | None) -> str | None:
    """Write opening hours as text (no restriction: blank)."""
    return oh.format_opening_hours(doc) or None


def show_text(value: Any) -> Any:
    """Stored value as a cell, unchanged (str, int, Decimal, date or None)."""
    return value


def cell_text(value: Any) -> str:
    """A cell value as the text one would type in it (for the preview and the CLI)."""
    if value is None or value is CLEAR:
        return ""
    if isinstance(value, bool):
        return show_bool(value) or ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return str(value)
