"""Read stored calendars: a rep's calendar, the customers of a date, a customer's slot.

A customer moved to another rep, lost or turned to telesales since the last computation is
left out of every read: a calendar is stale until recomputed, never wrong.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import CalendarSlot, Channel, Customer, VisitCalendar
from app.models.visit_calendar import CYCLE_WEEKS
from optimizer.visit_calendar import Cadence


def cadence_for(frequency_days: int) -> Cadence:
    """Return the calendar cadence closest to a visit frequency in days.

    Up to 10 days is weekly, up to 21 fortnightly, anything longer monthly: a four-week
    cycle cannot hold a customer less than once, and visiting more often than weekly is the
    score's job (urgent extras on top of the calendar).
    """
    if frequency_days <= 10:
        return "weekly"
    if frequency_days <= 21:
        return "fortnightly"
    return "monthly"


def calendar_for(*, rep_id: int) -> VisitCalendar | None:
    """Return the rep's stored calendar (None before the first computation)."""
    return db.session.scalar(sa.select(VisitCalendar).where(VisitCalendar.user_id == rep_id))


def cycle_monday(day: date) -> date:
    """Return the Monday of the week of ``day`` (where a new cycle starts)."""
    return day - timedelta(days=day.weekday())


def week_of(calendar: VisitCalendar, day: date) -> int:
    """Return the week of the cycle (0-3) a date falls in; the cycle repeats every 4 weeks."""
    return calendar.week_of(day)


def slots_on(*, rep_id: int, day: date) -> list[CalendarSlot]:
    """Return the slots of the rep's calendar visited on ``day``, customers still his.

    A customer moved to another rep, lost (inactive) or turned to telesales since the last
    computation is left out: the calendar is stale until recomputed, never wrong.
    """
    calendar = calendar_for(rep_id=rep_id)
    if calendar is None:
        return []
    week = calendar.week_of(day)
    rows = db.session.scalars(
        sa.select(CalendarSlot)
        .join(Customer, Customer.id == CalendarSlot.customer_id)
        .where(
            CalendarSlot.calendar_id == calendar.id,
            CalendarSlot.weekday == day.weekday(),
            CalendarSlot.weeks.op("&")(1 << week) != 0,
            Customer.owner_id == rep_id,
            Customer.active.is_(True),
            Customer.channel == Channel.FIELD,
        )
        .order_by(CalendarSlot.customer_id)
    )
    return list(rows)


def customers_on(*, rep_id: int, day: date) -> list[int]:
    """Return the ids of the customers whose regular day is ``day`` in the rep's calendar."""
    return [slot.customer_id for slot in slots_on(rep_id=rep_id, day=day)]


def company_day_customers(*, company_id: int, day: date) -> dict[int, set[int]]:
    """Return, by rep id, the customers of every stored calendar of the company on ``day``.

    One query for the nightly run; the same filters as :func:`slots_on`.
    """
    out: dict[int, set[int]] = {}
    rows = db.session.execute(
        sa.select(VisitCalendar.user_id, VisitCalendar.cycle_start, CalendarSlot.customer_id)
        .join(CalendarSlot, CalendarSlot.calendar_id == VisitCalendar.id)
        .join(Customer, Customer.id == CalendarSlot.customer_id)
        .where(
            VisitCalendar.company_id == company_id,
            CalendarSlot.weekday == day.weekday(),
            Customer.owner_id == VisitCalendar.user_id,
            Customer.active.is_(True),
            Customer.channel == Channel.FIELD,
        )
        .add_columns(CalendarSlot.weeks)
    )
    for user_id, start, customer_id, weeks in rows:
        week = (day - start).days // 7 % CYCLE_WEEKS
        if weeks >> week & 1:
            out.setdefault(user_id, set()).add(customer_id)
    return out


def slot_for_customer(*, customer_id: int) -> CalendarSlot | None:
    """Return the customer's slot in its owner's calendar, if it has one."""
    return db.session.scalar(
        sa.select(CalendarSlot)
        .join(VisitCalendar, VisitCalendar.id == CalendarSlot.calendar_id)
        .join(Customer, Customer.id == CalendarSlot.customer_id)
        .where(CalendarSlot.customer_id == customer_id, VisitCalendar.user_id == Customer.owner_id)
    )
