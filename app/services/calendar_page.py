"""What the supervisor's calendar page shows: a rep's four weeks, day by day, with figures.

The stored calendar (:mod:`app.services.visit_calendars`) says which customers each day of
the cycle holds. This module lays it out as weeks × working weekdays for the current
cycle's real dates and adds, per day, the loop the rep would drive through those very
customers (:func:`optimizer.visit_calendar.tour.estimate_tour`): its kilometres, the order
the day's map numbers them in, and the day's workload as service plus that loop's driving
(the figure the optimiser balances, within minutes of the routed day; its own per-visit
share of driving is blind to a customer moved by hand to the other side of town). Reading
only: the page's actions go through the calendar service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from babel.dates import get_day_names
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from app.extensions import db
from app.models import (
    CalendarSlot,
    CalendarTrigger,
    Channel,
    Customer,
    Role,
    User,
    VisitCalendar,
)
from app.models.visit_calendar import CYCLE_WEEKS
from app.security.scope import Scope
from app.services import visit_calendars
from app.services.routing import PlanningError
from optimizer.model import Location
from optimizer.visit_calendar import CalendarSettings
from optimizer.visit_calendar.tour import estimate_tour

CADENCE_WEEKS: dict[str, tuple[tuple[int, ...], ...]] = {
    "weekly": ((0, 1, 2, 3),),
    "fortnightly": ((0, 2), (1, 3)),
    "monthly": ((0,), (1,), (2,), (3,)),
}


def weekday_names(width: Literal["abbreviated", "wide"] = "wide") -> list[str]:
    """Return the weekdays' names in the user's language, Monday first."""
    names = get_day_names(width, locale=str(get_locale()))
    return [str(names[d]).rstrip(".") for d in range(7)]


def weeks_label(weeks: Iterable[int]) -> str:
    """Say some weeks of the cycle as people count them: "semanas 1 e 3", "toda semana"."""
    listed = sorted(set(weeks))
    if listed == list(range(CYCLE_WEEKS)):
        return _("every week")
    numbers = " / ".join(str(w + 1) for w in listed)
    if len(listed) == 2:
        numbers = _("%(first)d and %(second)d", first=listed[0] + 1, second=listed[1] + 1)
    return ngettext("week %(weeks)s", "weeks %(weeks)s", len(listed), weeks=numbers)


def cadence_label(cadence: str) -> str:
    """Say a calendar cadence in the user's language."""
    return {
        "weekly": _("weekly"),
        "fortnightly": _("fortnightly"),
        "monthly": _("monthly"),
    }.get(cadence, cadence)


def conflict_label(reason: str) -> str:
    """Say why the optimiser could not place a customer."""
    return {
        "closed_on_working_days": _("closed on every day the rep works"),
        "no_delivery_fit": _("no visit day lets its orders reach the delivery in time"),
        "pin_not_allowed": _("pinned to a day it can no longer take"),
        "over_capacity": _("the portfolio does not fit the rep's working time"),
    }.get(reason, reason)


@dataclass(frozen=True)
class CellCustomer:
    """One customer in a day of the grid."""

    id: int
    name: str
    district: str | None
    service_s: int
    pinned: bool
    stop: int  # position in the day's estimated loop, from 1


@dataclass(frozen=True)
class DayCell:
    """One working date of the cycle: its customers, workload, capacity and loop."""

    date: date
    week: int
    weekday: int
    customers: tuple[CellCustomer, ...]
    load_s: int
    service_s: int
    capacity_s: int
    level: str
    km: float

    @property
    def travel_s(self) -> int:
        """Return the driving share of the workload, in seconds."""
        return max(0, self.load_s - self.service_s)

    @property
    def share(self) -> float:
        """Return the workload as a share of the rep's working time that day."""
        return self.load_s / self.capacity_s if self.capacity_s else 0.0


@dataclass(frozen=True)
class WeekRow:
    """One week of the cycle: its number (0-3), its Monday and a cell per working weekday."""

    week: int
    monday: date
    cells: tuple[DayCell | None, ...]


@dataclass(frozen=True)
class SlotInfo:
    """A customer of the rep's field portfolio and its regular slot, for the side panel."""

    id: int
    name: str
    erp_code: str
    district: str | None
    cadence: str
    weekday: int | None
    weeks: tuple[int, ...]
    pinned: bool
    pinned_by: str | None
    pinned_at: datetime | None
    moved_by: str | None
    regular_day: str | None
    has_position: bool
    delivery_weekdays: int


@dataclass(frozen=True)
class CalendarPage:
    """Everything the page shows for one rep."""

    rep: User
    calendar: VisitCalendar | None
    weekdays: tuple[int, ...]
    weeks: tuple[WeekRow, ...]
    slots: dict[int, SlotInfo]
    unplaced: tuple[SlotInfo, ...]
    conflicts: tuple[tuple[str | None, str], ...]
    base: tuple[float, float] | None
    error: str | None = None
    maps: dict[str, Any] = field(default_factory=dict)

    @property
    def days(self) -> list[DayCell]:
        """Return every working day of the cycle, in date order."""
        return [c for w in self.weeks for c in w.cells if c is not None]

    @property
    def spread_s(self) -> int:
        """Return the difference between the most and least loaded working day."""
        loads = [d.load_s for d in self.days]
        return max(loads) - min(loads) if loads else 0

    @property
    def total_km(self) -> float:
        """Return the estimated kilometres of the whole cycle."""
        return sum(d.km for d in self.days)


def calendar_reps(*, scope: Scope) -> list[tuple[User, VisitCalendar | None]]:
    """Return the field reps in scope with their stored calendar (None: never computed)."""
    reps = db.session.scalars(
        sa.select(User)
        .where(scope.user_filter(), User.role == Role.REP, User.active.is_(True))
        .order_by(User.name)
    ).all()
    calendars = {
        c.user_id: c
        for c in db.session.scalars(
            sa.select(VisitCalendar).where(VisitCalendar.user_id.in_([r.id for r in reps]))
        )
    }
    return [(r, calendars.get(r.id)) for r in reps]


def get_rep(*, scope: Scope, rep_id: int) -> User | None:
    """Return a field rep in the scope, or None (another team, company or role)."""
    return db.session.scalar(
        sa.select(User).where(User.id == rep_id, scope.user_filter(), User.role == Role.REP)
    )


def _names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(wanted))).all())


def _portfolio(rep: User, only: int | None = None) -> list[Customer]:
    query = sa.select(Customer).where(
        Customer.owner_id == rep.id,
        Customer.active.is_(True),
        Customer.channel == Channel.FIELD,
    )
    if only is not None:
        query = query.where(Customer.id == only)
    return list(db.session.scalars(query.order_by(Customer.trade_name, Customer.id)))


def _slot_infos(
    rep: User, calendar: VisitCalendar | None, only: int | None = None
) -> dict[int, SlotInfo]:
    """Return every field customer of the rep (or only one) with its slot, if it has one."""
    slots = {s.customer_id: s for s in calendar.slots} if calendar is not None else {}
    if only is not None:
        slots = {k: v for k, v in slots.items() if k == only}
    people = _names(
        [s.pinned_by_id for s in slots.values()] + [s.moved_by_id for s in slots.values()]
    )
    out = {}
    for c in _portfolio(rep, only):
        slot = slots.get(c.id)
        weeks = slot.week_list if slot is not None else ()
        out[c.id] = SlotInfo(
            id=c.id,
            name=c.display_name,
            erp_code=c.erp_code,
            district=c.district,
            cadence=visit_calendars.cadence_for(c.visit_frequency_days),
            weekday=slot.weekday if slot is not None and weeks else None,
            weeks=weeks,
            pinned=bool(slot and slot.pinned),
            pinned_by=people.get(slot.pinned_by_id) if slot and slot.pinned_by_id else None,
            pinned_at=slot.pinned_at if slot else None,
            moved_by=people.get(slot.moved_by_id) if slot and slot.moved_by_id else None,
            regular_day=visit_calendars.describe_slot(slot) if slot and weeks else None,
            has_position=c.has_position,
            delivery_weekdays=c.delivery_weekdays,
        )
    return out


def _cell(
    day: visit_calendars.CycleDayView,
    slots: dict[int, SlotInfo],
    positions: dict[int, tuple[float, float]],
    service: dict[int, int],
    base: Location,
    settings: CalendarSettings,
) -> tuple[DayCell, dict[str, Any]]:
    """Build one day's cell and its map: customers in the order of the estimated loop."""
    ids = [i for i in day.customer_ids if i in slots]
    located = [i for i in ids if i in positions]
    tour = estimate_tour(
        base,
        [Location(*positions[i]) for i in located],
        kmh=settings.rough_kmh,
        circuity=settings.circuity,
    )
    order = [located[k] for k in tour.order] + [i for i in ids if i not in positions]
    customers = tuple(
        CellCustomer(
            id=i,
            name=slots[i].name,
            district=slots[i].district,
            service_s=service.get(i, 0),
            pinned=slots[i].pinned,
            stop=n,
        )
        for n, i in enumerate(order, start=1)
    )
    service_s = sum(c.service_s for c in customers)
    routed = replace(day, load_s=service_s + tour.drive_s)
    cell = DayCell(
        date=day.date,
        week=day.week,
        weekday=day.weekday,
        customers=customers,
        load_s=routed.load_s,
        service_s=service_s,
        capacity_s=day.capacity_s,
        level=str(routed.load),
        km=round(tour.km, 1),
    )
    points = [
        {
            "id": c.id,
            "name": c.name,
            "n": c.stop,
            "pinned": c.pinned,
            "lat": round(positions[c.id][0], 5),
            "lon": round(positions[c.id][1], 5),
        }
        for c in customers
        if c.id in positions
    ]
    return cell, {"points": points, "km": cell.km}


def working_weekdays(rep: User) -> tuple[int, ...]:
    """Return the weekdays the rep works (Monday = 0), from his work profile."""
    profile = rep.work_profile
    return tuple(d for d in range(7) if profile is not None and profile.works_on(d))


def slot_info(*, rep: User, customer_id: int) -> SlotInfo | None:
    """Return one field customer of the rep with its slot, without laying out the cycle."""
    calendar = visit_calendars.calendar_for(rep_id=rep.id)
    return _slot_infos(rep, calendar, only=customer_id).get(customer_id)


def build(*, rep: User, today: date) -> CalendarPage:
    """Lay out the rep's stored calendar for the cycle that contains ``today``."""
    calendar = visit_calendars.calendar_for(rep_id=rep.id)
    slots = _slot_infos(rep, calendar)
    conflicts = tuple(
        (slots[int(c["customer_id"])].name if c.get("customer_id") in slots else None, c["reason"])
        for c in (calendar.conflicts if calendar is not None else [])
        if isinstance(c, dict) and c.get("reason")
    )
    unplaced = tuple(s for s in slots.values() if s.weekday is None)
    empty = CalendarPage(rep, calendar, (), (), slots, unplaced, conflicts, None)
    try:
        job = visit_calendars.prepare(rep=rep, trigger=CalendarTrigger.SETUP).work
    except PlanningError as exc:
        return replace(empty, error=str(exc))
    base = job.rep.base
    weekdays = tuple(d for d in range(7) if job.rep.capacity_s[d] > 0)
    if calendar is None:
        return replace(empty, weekdays=weekdays, base=(base.lat, base.lon))
    days = visit_calendars.cycle_days(rep=rep, first=today)
    customers = db.session.execute(
        sa.select(
            Customer.id, Customer.latitude, Customer.longitude, Customer.service_minutes
        ).where(Customer.id.in_(list(slots)))
    ).all()
    positions = {
        i: (lat, lon) for i, lat, lon, _m in customers if lat is not None and lon is not None
    }
    service = {i: int(m or 0) * 60 for i, _lat, _lon, m in customers}
    by_date: dict[date, DayCell] = {}
    maps: dict[str, Any] = {}
    for day in days:
        cell, drawn = _cell(day, slots, positions, service, base, job.settings)
        by_date[day.date] = cell
        maps[day.date.isoformat()] = drawn
    first = days[0].date - timedelta(days=7 * days[0].week + days[0].weekday) if days else today
    weeks = tuple(
        WeekRow(
            week=w,
            monday=first + timedelta(days=7 * w),
            cells=tuple(by_date.get(first + timedelta(days=7 * w + d)) for d in weekdays),
        )
        for w in range(CYCLE_WEEKS)
    )
    return CalendarPage(
        rep=rep,
        calendar=calendar,
        weekdays=weekdays,
        weeks=weeks,
        slots=slots,
        unplaced=unplaced,
        conflicts=conflicts,
        base=(base.lat, base.lon),
        maps=maps,
    )


def week_choices(cadence: str) -> list[tuple[tuple[int, ...], str]]:
    """Return the weeks a customer of this cadence may be visited on, with their labels."""
    return [(weeks, weeks_label(weeks)) for weeks in CADENCE_WEEKS.get(cadence, ())]


def regular_days(customer_ids: Iterable[int]) -> dict[int, str]:
    """Return "terça, semanas 1 e 3" for the customers that have a slot in their owner's calendar.

    One query for a list (the rep's week); customers moved to another rep since the last
    computation have none until it is recomputed.
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(CalendarSlot.customer_id, CalendarSlot.weekday, CalendarSlot.weeks)
        .join(VisitCalendar, VisitCalendar.id == CalendarSlot.calendar_id)
        .join(Customer, Customer.id == CalendarSlot.customer_id)
        .where(CalendarSlot.customer_id.in_(ids), VisitCalendar.user_id == Customer.owner_id)
    ).all()
    return {
        cid: visit_calendars.describe(weekday, [w for w in range(CYCLE_WEEKS) if weeks >> w & 1])
        for cid, weekday, weeks in rows
        if weeks
    }
