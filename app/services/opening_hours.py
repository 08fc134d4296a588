"""The text forms of a customer's opening hours and delivery weekdays.

One grammar is shared by the import cells, the API's string form and the customer edit
page, so what an admin types in any of them means the same thing:

- opening hours: ``seg-sex 08:00-12:00 14:00-18:00; sáb 08:00-12:00``. Groups are
  separated by ``;``; each names weekdays (``dom seg ter qua qui sex sáb``, accents and
  case optional, English ``mon..sun`` and full names accepted; ranges ``seg-sex``,
  lists ``seg,qua``) and then up to two intervals, or ``fechado`` (closed). Weekdays no
  group names are closed. A blank text means "no restriction".
- delivery weekdays: ``seg,qua,sex`` or ``seg-sex``.

Stored forms (see ``app.models.customer``): opening hours as ``{}`` for "no
restriction", otherwise all seven keys ``mon..sun`` with a list of ``["HH:MM",
"HH:MM"]`` intervals (empty: closed); delivery weekdays as a bit mask, Monday = bit 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Short Portuguese names, Monday first, as written back by the formatters.
PT_SHORT = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
ALL_WEEKDAYS = 0b1111111
MAX_INTERVALS = 2

_NAMES = {
    **{name: i for i, name in enumerate(("seg", "ter", "qua", "qui", "sex", "sab", "dom"))},
    **{name: i for i, name in enumerate(WEEKDAY_KEYS)},
    **{
        name: i
        for i, name in enumerate(
            ("segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo")
        )
    },
    **{
        name: i
        for i, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
_CLOSED = {"fechado", "closed"}
_GROUP = re.compile(r"^(?P<days>.+?)\s+(?P<rest>\d.*|[a-z]+)$")
_INTERVAL = re.compile(r"^(\d{1,2})(?:[:h](\d{2})?)?-(\d{1,2})(?:[:h](\d{2})?)?$")


class FormatError(ValueError):
    """Text that does not follow the grammar; the message is shown to the user."""


def _plain(text: str) -> str:
    """Lower-case without accents; dashes and spaces normalised."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    folded = re.sub(r"[\u2010-\u2015]", "-", folded)
    folded = re.sub(r"\s*-\s*", "-", folded)
    folded = re.sub(r"\s*,\s*", ",", folded)
    return re.sub(r"\s+", " ", folded).strip()


def _weekday(name: str) -> int:
    name = name.removesuffix("-feira").strip(". ")
    if name not in _NAMES:
        raise FormatError(_l("unknown weekday: %(name)s", name=name))
    return _NAMES[name]


def _weekday_set(spec: str) -> list[int]:
    """Weekdays of ``seg-sex``, ``seg,qua`` or a mix, in the order written."""
    days: list[int] = []
    for part in spec.split(","):
        if not part:
            raise FormatError(_l("empty weekday in a list"))
        if "-" in part.replace("-feira", ""):
            first, last = part.replace("-feira", "").split("-", 1)
            start, end = _weekday(first), _weekday(last)
            span = (end - start) % 7
            days.extend((start + k) % 7 for k in range(span + 1))
        else:
            days.append(_weekday(part))
    return days


def parse_weekdays(text: str | None) -> int:
    """Read delivery weekdays (``seg,qua,sex``, ``seg-sex``) as a Monday-first bit mask.

    Raises ``FormatError`` on an unknown name or an empty text (callers decide what a
    blank means before calling).
    """
    plain = _plain(text or "")
    if not plain:
        raise FormatError(_l("no weekday given"))
    mask = 0
    for day in _weekday_set(plain.replace(" ", ",")):
        mask |= 1 << day
    return mask


def format_weekdays(mask: int) -> str:
    """Write a bit mask back in the short Portuguese form (``seg-sex``, ``seg,qua``)."""
    return ",".join(_runs([i for i in range(7) if mask >> i & 1]))


def _runs(days: Sequence[int]) -> list[str]:
    """Monday-first day numbers as ``seg-sex`` runs of three or more, else single names."""
    out: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        if j - i >= 2:
            out.append(f"{PT_SHORT[days[i]]}-{PT_SHORT[days[j]]}")
        else:
            out.extend(PT_SHORT[d] for d in days[i : j + 1])
        i = j + 1
    return out


def _minutes(hours: str, minutes: str | None) -> int:
    h, m = int(hours), int(minutes or 0)
    if m > 59 or h > 24 or (h == 24 and m):
        time = f"{hours}:{minutes or '00'}"
        raise FormatError(_l("invalid time: %(time)s", time=time))
    return h * 60 + m


def _clock(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def _intervals(rest: str) -> list[list[str]]:
    if rest in _CLOSED:
        return []
    spans: list[tuple[int, int]] = []
    for token in rest.split(" "):
        match = _INTERVAL.match(token)
        if not match:
            raise FormatError(
                _l("expected an interval like 08:00-12:00, got: %(text)s", text=token)
            )
        start = _minutes(match[1], match[2])
        end = _minutes(match[3], match[4])
        if end <= start:
            raise FormatError(_l("interval ends before it starts: %(text)s", text=token))
        spans.append((start, end))
    if len(spans) > MAX_INTERVALS:
        raise FormatError(_l("at most two intervals per day"))
    spans.sort()
    if len(spans) == 2 and spans[1][0] < spans[0][1]:
        raise FormatError(_l("intervals overlap: %(text)s", text=rest))
    return [[_clock(a), _clock(b)] for a, b in spans]


def parse_opening_hours(text: str | None) -> dict[str, list[list[str]]]:
    """Read the opening-hours text into its stored form (``{}`` when blank).

    Raises ``FormatError`` naming the part that cannot be read.
    """
    plain = _plain(text or "")
    if not plain:
        return {}
    week: dict[str, list[list[str]]] = {key: [] for key in WEEKDAY_KEYS}
    seen: set[int] = set()
    for group in filter(None, (g.strip() for g in plain.split(";"))):
        match = _GROUP.match(group)
        if not match:
            raise FormatError(_l("expected weekdays then hours, got: %(text)s", text=group))
        spans = _intervals(match["rest"])
        for day in _weekday_set(match["days"].replace(" ", ",")):
            if day in seen:
                raise FormatError(_l("weekday given twice: %(day)s", day=PT_SHORT[day]))
            seen.add(day)
            week[WEEKDAY_KEYS[day]] = [list(s) for s in spans]
    return week


def normalize_opening_hours(doc: Mapping[str, Any] | None) -> dict[str, list[list[str]]]:
    """Return a stored document in canonical form (``{}`` stays "no restriction")."""
    if not doc:
        return {}
    return {key: [[str(a), str(b)] for a, b in doc.get(key) or ()] for key in WEEKDAY_KEYS}


def format_opening_hours(doc: Mapping[str, Any] | None) -> str:
    """Write a stored document as text that `parse_opening_hours` reads back equal."""
    week = normalize_opening_hours(doc)
    if not week:
        return ""
    by_hours: dict[str, list[int]] = {}
    for i, key in enumerate(WEEKDAY_KEYS):
        if week[key]:
            text = " ".join(f"{a}-{b}" for a, b in week[key])
            by_hours.setdefault(text, []).append(i)
    if not by_hours:
        return "seg-dom fechado"
    groups = sorted(by_hours.items(), key=lambda item: item[1][0])
    return "; ".join(f"{','.join(_runs(days))} {hours}" for hours, days in groups)
