"""Money typed by people: one reading of `1.234,56`, `99,90` and `99.90` for every input.

Reps type amounts on a phone keyboard that may offer only a dot, in a locale whose
decimal mark is a comma. The rules, mirrored by ``static/js/rep/money.js`` (the two are
checked against one table of cases, ``tests/data/money_cases.json``):

* one separator followed by one or two digits is the decimal mark, whatever the locale
  (``99.90`` and ``99,90`` are both ninety-nine and ninety cents);
* with both separators, the last one is the decimal mark and the other groups thousands;
* one separator that cannot group thousands (not one to three digits, the mark, then three
  digits: ``12.3456``, ``1234.567``) is the decimal mark (an amount with more than two
  decimals is refused below, so amounts read the same as the JavaScript's);
* otherwise the locale decides, through Babel's strict parser (``1.234`` is one thousand
  two hundred and thirty-four in pt-BR, and an error in English, where it has three
  decimals).

Amounts are never negative and carry at most two decimals. The same reading, signed and with
any number of decimals, is :func:`read_number`: the import's cells (quantities, prices,
coordinates) use it, so a file and a phone read `1.234,56` alike.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal

MAX_AMOUNT = Decimal("1e12")
CENT = Decimal("0.01")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_PLAIN = re.compile(r"^\d+(?:[.,](\d{1,2}))?$")
_DIGITS_AND_MARKS = re.compile(r"^\d[\d.,]*$")
_BOTH = re.compile(r"^(\d{1,3}(?:([.,])\d{3})*)([.,])(\d+)$")
# One separator that cannot be grouping thousands (not 1-3 digits, mark, 3 digits): decimal.
_ONE_MARK = re.compile(r"^(\d+)([.,])(\d+)$")


class MoneyError(ValueError):
    """Text that is not an amount of money, or not a number (the message says why, in English)."""


def _normalise(text: str) -> str:
    cleaned = _SPACES.sub("", text.strip())
    if cleaned.upper().startswith("R$"):
        cleaned = cleaned[2:]
    return cleaned


def _with_both(cleaned: str) -> Decimal | None:
    """`1.234,56` or `1,234.56`: the last separator is the decimal mark."""
    match = _BOTH.match(cleaned)
    if match is None:
        return None
    whole, group, mark, cents = match.groups()
    if group is None or group == mark:  # one kind of separator: not this rule's case
        return None
    return Decimal(whole.replace(group, "") + "." + cents)


def read_number(text: str | int | float | Decimal, locale: str = "pt_BR") -> Decimal:
    """Read a number typed in ``locale`` (or given as one), signed, with any decimals.

    The separators follow the module's rules; a leading ``-`` makes it negative, ``R$`` and
    spaces are ignored. Raise MoneyError for anything else (a bool, blank text, letters,
    separators that group nothing, infinity or NaN). Callers set their own bounds.
    """
    if isinstance(text, bool):
        raise MoneyError("not an amount")
    if isinstance(text, int | float | Decimal):
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            raise MoneyError("not an amount") from None
    else:
        number = _parse_text(str(text), locale)
    if not number.is_finite():
        raise MoneyError("not an amount")
    return number


def parse_money(text: str | int | float | Decimal, locale: str = "pt_BR") -> Decimal:
    """Read an amount typed in ``locale`` (or given as a number); raise MoneyError."""
    amount = read_number(text, locale)
    if amount < 0:
        raise MoneyError("an amount cannot be negative")
    # Before rounding: 30 digits do not even round within Decimal's 28-digit precision.
    if amount >= MAX_AMOUNT:
        raise MoneyError("amount out of range")
    if amount != amount.quantize(CENT):
        raise MoneyError("at most two decimal places")
    return amount.quantize(CENT)


def _parse_text(text: str, locale: str) -> Decimal:
    cleaned = _normalise(text)
    negative = cleaned.startswith("-")
    if negative:
        cleaned = _normalise(cleaned[1:])
    if not cleaned:
        raise MoneyError("empty amount")
    if not _DIGITS_AND_MARKS.match(cleaned):
        raise MoneyError(f"{text!r} is not an amount")
    number = _unsigned(cleaned, locale)
    if number is None:
        raise MoneyError(f"{text!r} is not an amount")
    return -number if negative else number


def _unsigned(cleaned: str, locale: str) -> Decimal | None:
    """Digits and separators as a number, or None when the separators make no sense."""
    if _PLAIN.match(cleaned):
        return Decimal(cleaned.replace(",", "."))
    both = _with_both(cleaned)
    if both is not None:
        return both
    one = _ONE_MARK.match(cleaned)
    if one is not None and not (len(one.group(1)) <= 3 and len(one.group(3)) == 3):
        return Decimal(f"{one.group(1)}.{one.group(3)}")
    try:
        return Decimal(parse_decimal(cleaned, locale=locale, strict=True))
    except (NumberFormatError, InvalidOperation, ValueError):
        return None
