"""How the customer card words opening hours, delivery days and how the customer is served."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _

from app.portfolio import bp
from app.services.opening_hours import WEEKDAY_KEYS, normalize_opening_hours


def _day_names() -> list[str]:
    names = get_day_names("abbreviated", locale=str(get_locale()))
    return [str(names[i]).rstrip(".") for i in range(7)]


def _runs(days: list[int], names: list[str]) -> str:
    """``seg–sex`` for three or more days in a row, else a list (Monday-first day numbers)."""
    parts, i = [], 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        parts.append(
            f"{names[days[i]]}–{names[days[j]]}"
            if j - i >= 2
            else ", ".join(names[d] for d in days[i : j + 1])
        )
        i = j + 1
    return ", ".join(parts)


@bp.app_template_global()
def opening_hours_lines(doc: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Group weekdays with the same hours: [("seg–sex", "08:00–12:00, 14:00–18:00"),
    ("dom", "closed")]."""
    week = normalize_opening_hours(doc)
    if not week:
        return []
    names = _day_names()
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(WEEKDAY_KEYS):
        text = ", ".join(f"{a}–{b}" for a, b in week[key]) or _("closed")
        groups.setdefault(text, []).append(i)
    return [
        (_runs(days, names), text) for text, days in sorted(groups.items(), key=lambda g: g[1][0])
    ]


@bp.app_template_global()
def weekday_names(mask: int) -> str:
    """Name the weekdays of a Monday-first bit mask (``seg–sex``)."""
    return _runs([d for d in range(7) if mask >> d & 1], _day_names()) or "—"
