"""Say a regular slot in the user's language: "terça, semanas 1 e 3", "toda terça"."""

from __future__ import annotations

from collections.abc import Iterable

from babel.lists import format_list
from flask import has_request_context
from flask_babel import get_locale, ngettext, pgettext

from app.models import CalendarSlot
from app.models.visit_calendar import CYCLE_WEEKS


def _weekday_name(weekday: int) -> str:
    """Return the weekday's short spoken name ("terça", "Tuesday")."""
    names = (
        pgettext("regular weekday", "Monday"),
        pgettext("regular weekday", "Tuesday"),
        pgettext("regular weekday", "Wednesday"),
        pgettext("regular weekday", "Thursday"),
        pgettext("regular weekday", "Friday"),
        pgettext("regular weekday", "Saturday"),
        pgettext("regular weekday", "Sunday"),
    )
    return names[weekday]


def _every_weekday(weekday: int) -> str:
    """Return "toda terça", "todo sábado": whole phrases, as the article's gender varies."""
    phrases = (
        pgettext("regular weekday", "every Monday"),
        pgettext("regular weekday", "every Tuesday"),
        pgettext("regular weekday", "every Wednesday"),
        pgettext("regular weekday", "every Thursday"),
        pgettext("regular weekday", "every Friday"),
        pgettext("regular weekday", "every Saturday"),
        pgettext("regular weekday", "every Sunday"),
    )
    return phrases[weekday]


def describe(weekday: int, weeks: Iterable[int]) -> str:
    """Say a regular slot in the user's language: "terça, semanas 1 e 3", "toda terça".

    ``weeks`` are the cycle's weeks 0-3; people count them from 1.
    """
    listed = sorted(set(weeks))
    if listed == list(range(CYCLE_WEEKS)):
        return _every_weekday(weekday)
    name = _weekday_name(weekday)
    locale = str(get_locale()) if has_request_context() else "pt_BR"
    numbers = format_list([str(w + 1) for w in listed], locale=locale or "pt_BR")
    return ngettext(
        "%(weekday)s, week %(weeks)s",
        "%(weekday)s, weeks %(weeks)s",
        len(listed),
        weekday=name,
        weeks=numbers,
    )


def describe_slot(slot: CalendarSlot) -> str:
    """Say a stored slot in the user's language (see :func:`describe`)."""
    return describe(slot.weekday, slot.week_list)
