"""The one calendar: does a person work on a day, and if not, why.

A rep works on a date when all of these hold, checked in this order (the first that
fails is the reason shown to people):

1. it is not a national holiday of Brazil;
2. it is not a state holiday of the company's state (``Company.state``, the
   ``holidays`` package's subdivisions);
3. it is not one of the company's own days off (``CompanyDayOff``: municipal holidays,
   collective vacation);
4. it is not in the person's time off (``TimeOff``: vacation, sick leave, other);
5. its weekday is one of the person's working weekdays (``WorkProfile.working_weekdays``;
   Saturday and Sunday allowed; Monday to Friday when there is no profile yet).

Planning (nightly run, ``flask plan``, the week agenda) and the scheduler ask this module,
and the rep's phone shows :meth:`DayOff.label` as the reason a day has no route.
Optional observances the ``holidays`` package lists (Carnival, Corpus Christi) are not days
off by themselves: a company that stops on them adds them to its own list.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
import sqlalchemy as sa
from babel.dates import get_day_names
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _

from app.extensions import db
from app.models import (
    Company,
    CompanyDayOff,
    Role,
    TimeOff,
    TimeOffKind,
    User,
    WorkProfile,
)

COUNTRY = "BR"
DEFAULT_STATE = "SP"
MONDAY_TO_FRIDAY = 0b0011111
# How far ahead to look for a working day before giving up (a month covers any
# collective vacation the company would plan through).
SEARCH_DAYS = 45


@functools.cache
def states() -> tuple[str, ...]:
    """Return the Brazilian states (UF codes) whose holidays the package knows."""
    return tuple(s for s in holidays.country_holidays(COUNTRY).subdivisions if len(s) == 2)


class OffReason(enum.StrEnum):
    """Why someone does not work on a day (most general first)."""

    NATIONAL_HOLIDAY = "national_holiday"
    STATE_HOLIDAY = "state_holiday"
    COMPANY_DAY_OFF = "company_day_off"
    TIME_OFF = "time_off"
    NOT_A_WORKING_WEEKDAY = "not_a_working_weekday"


def _language() -> str:
    """The holiday names' language: the interface's during a request, else Portuguese."""
    if has_request_context() and str(get_locale()) == "en":
        return "en_US"
    return "pt_BR"


@functools.lru_cache(maxsize=256)
def _holiday_table(state: str | None, year: int, language: str) -> Mapping[date, str]:
    """Return the public holidays of Brazil (and of a state when given) of one year."""
    table = holidays.country_holidays(COUNTRY, subdiv=state, years=year, language=language)
    return dict(table.items())


def holiday(day: date, state: str, language: str | None = None) -> tuple[OffReason, str] | None:
    """Return whether a date is a national or state holiday, with its name."""
    language = language or _language()
    national = _holiday_table(None, day.year, language)
    if day in national:
        return OffReason.NATIONAL_HOLIDAY, national[day]
    if state in states():
        local = _holiday_table(state, day.year, language)
        if day in local:
            return OffReason.STATE_HOLIDAY, local[day]
    return None


def holidays_between(first: date, last: date, state: str) -> list[tuple[date, OffReason, str]]:
    """Return the national and state holidays of a date range, in order."""
    out = []
    day = first
    while day <= last:
        found = holiday(day, state)
        if found is not None:
            out.append((day, *found))
        day += timedelta(days=1)
    return out


def optional_days_between(first: date, last: date, state: str) -> list[tuple[date, str]]:
    """Return the optional observances (Carnival, Corpus Christi...) of a range, in order.

    They are not days off by themselves; the company page offers to add them to its list.
    """
    language = _language()
    out: list[tuple[date, str]] = []
    for year in range(first.year, last.year + 1):
        table = holidays.country_holidays(
            COUNTRY,
            subdiv=state if state in states() else None,
            years=year,
            categories=("optional",),
            language=language,
        )
        out.extend((day, name) for day, name in table.items() if first <= day <= last)
    return sorted(out)


@dataclass(frozen=True)
class DayOff:
    """A day someone does not work and why; ``code`` is what run records store."""

    reason: OffReason
    day: date
    detail: str = ""  # state of a state holiday, name of a company day off, kind of time off

    @property
    def code(self) -> str:
        """Return a stable text form (``reason:date:detail``), parsed by :meth:`from_code`."""
        return f"{self.reason.value}:{self.day.isoformat()}:{self.detail}"

    @classmethod
    def from_code(cls, code: str) -> DayOff | None:
        """Read a :attr:`code` back (None when the text is not one)."""
        reason, _sep, rest = code.partition(":")
        day_text, _sep, detail = rest.partition(":")
        try:
            return cls(OffReason(reason), date.fromisoformat(day_text), detail)
        except ValueError:
            return None

    def label(self) -> str:
        """Say why in the interface's language ("Feriado: Natal", "De férias"...)."""
        if self.reason in (OffReason.NATIONAL_HOLIDAY, OffReason.STATE_HOLIDAY):
            found = holiday(self.day, self.detail or DEFAULT_STATE)
            return _("Holiday: %(name)s", name=found[1] if found else self.day.isoformat())
        if self.reason == OffReason.COMPANY_DAY_OFF:
            return _("Company day off: %(name)s", name=self.detail)
        if self.reason == OffReason.TIME_OFF:
            return time_off_label(self.detail)
        weekday = get_day_names(
            "wide", locale=str(get_locale()) if has_request_context() else "pt_BR"
        )
        return _("Weekly day off (%(weekday)s)", weekday=weekday[self.day.weekday()])


def time_off_label(kind: str) -> str:
    """Say what a time-off kind means for the day ("De férias", "Licença médica")."""
    words = {
        TimeOffKind.VACATION.value: _("On vacation"),
        TimeOffKind.SICK_LEAVE.value: _("On sick leave"),
    }
    return words.get(kind, _("Time off"))


@dataclass(frozen=True)
class _Range:
    first: date
    last: date
    text: str


@dataclass
class CompanyCalendar:
    """A company's days off and its people's time off, loaded once for many questions."""

    company_id: int
    state: str
    days_off: Sequence[_Range] = ()
    time_off: Mapping[int, Sequence[_Range]] = field(default_factory=dict)

    def company_day_off(self, day: date) -> DayOff | None:
        """Return why nobody in the company works on a date (holiday or own day off)."""
        found = holiday(day, self.state)
        if found is not None:
            reason, _name = found
            return DayOff(reason, day, self.state if reason == OffReason.STATE_HOLIDAY else "")
        for span in self.days_off:
            if span.first <= day <= span.last:
                return DayOff(OffReason.COMPANY_DAY_OFF, day, span.text)
        return None

    def why_off(self, user: User, day: date) -> DayOff | None:
        """Return why a person does not work on a date, or None when they work."""
        closed = self.company_day_off(day)
        if closed is not None:
            return closed
        for span in self.time_off.get(user.id, ()):
            if span.first <= day <= span.last:
                return DayOff(OffReason.TIME_OFF, day, span.text)
        if not weekdays_of(user.work_profile) >> day.weekday() & 1:
            return DayOff(OffReason.NOT_A_WORKING_WEEKDAY, day)
        return None

    def works(self, user: User, day: date) -> bool:
        """Tell whether a person works on a date."""
        return self.why_off(user, day) is None

    def working_days_after(self, user: User, day: date, count: int) -> list[date]:
        """Return the person's next ``count`` working dates after ``day``."""
        out: list[date] = []
        cur = day
        for _step in range(count * 7 + SEARCH_DAYS):
            cur += timedelta(days=1)
            if self.works(user, cur):
                out.append(cur)
                if len(out) == count:
                    break
        return out


def weekdays_of(profile: WorkProfile | None) -> int:
    """Return a profile's working weekdays as a Monday-first bit mask (Mon–Fri without one)."""
    return MONDAY_TO_FRIDAY if profile is None else profile.working_weekdays


def load(*, company_id: int, since: date, user_ids: Iterable[int] | None = None) -> CompanyCalendar:
    """Load a company's calendar for questions about ``since`` and later dates (3 queries)."""
    state = (
        db.session.scalar(sa.select(Company.state).where(Company.id == company_id)) or DEFAULT_STATE
    )
    days_off = [
        _Range(first, last, name)
        for first, last, name in db.session.execute(
            sa.select(CompanyDayOff.first_day, CompanyDayOff.last_day, CompanyDayOff.name)
            .where(CompanyDayOff.company_id == company_id, CompanyDayOff.last_day >= since)
            .order_by(CompanyDayOff.first_day)
        )
    ]
    query = (
        sa.select(TimeOff.user_id, TimeOff.first_day, TimeOff.last_day, TimeOff.kind)
        .where(TimeOff.company_id == company_id, TimeOff.last_day >= since)
        .order_by(TimeOff.first_day)
    )
    if user_ids is not None:
        query = query.where(TimeOff.user_id.in_(list(user_ids)))
    time_off: dict[int, list[_Range]] = {}
    for user_id, first, last, kind in db.session.execute(query):
        time_off.setdefault(user_id, []).append(_Range(first, last, TimeOffKind(kind).value))
    return CompanyCalendar(company_id, state, tuple(days_off), time_off)


def why_not_working(user: User, day: date) -> DayOff | None:
    """Return why a person does not work on a date (None: they work). For one-off questions."""
    calendar = load(company_id=user.company_id, since=day, user_ids=[user.id])
    return calendar.why_off(user, day)


def active_reps(company_id: int) -> list[User]:
    """Return the company's active field reps (the people the nightly run plans)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.company_id == company_id, User.role == Role.REP, User.active.is_(True))
            .order_by(User.id)
        )
    )


def anyone_works(calendar: CompanyCalendar, reps: Sequence[User], day: date) -> bool:
    """Tell whether at least one of the reps works on a date."""
    return calendar.company_day_off(day) is None and any(calendar.works(rep, day) for rep in reps)


def next_planning_day(*, company_id: int, today: date) -> date:
    """Return the first date from ``today`` on which some active rep of the company works.

    Falls back to ``today`` when nobody works in the coming weeks (no reps yet, say), so a
    run by hand still reports each rep's reason.
    """
    calendar = load(company_id=company_id, since=today)
    reps = active_reps(company_id)
    for offset in range(SEARCH_DAYS):
        day = today + timedelta(days=offset)
        if anyone_works(calendar, reps, day):
            return day
    return today
