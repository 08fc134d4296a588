"""Which calendars are due: mark them stale on a portfolio change, list those to compute.

Calendars are recomputed when a portfolio changes (``app/services/calendar_triggers.py``
calls :func:`mark_stale`) or a supervisor asks, never every night.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.extensions import db
from app.models import CalendarStatus, CalendarTrigger, VisitCalendar, utcnow
from app.services.visit_calendars.reading import calendar_for


def mark_stale(*, user_ids: Iterable[int], reason: CalendarTrigger) -> int:
    """Mark these reps' calendars for recomputation by the next nightly run; flush only.

    The first reason since the last computation is kept. Returns how many were marked.
    """
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return 0
    marked = 0
    for calendar in db.session.scalars(
        sa.select(VisitCalendar).where(VisitCalendar.user_id.in_(ids))
    ):
        if not calendar.stale:
            calendar.stale, calendar.stale_reason = True, reason
            calendar.stale_since = utcnow()
            marked += 1
    db.session.flush()
    return marked


def pending_trigger(*, rep_id: int) -> CalendarTrigger:
    """Return why the rep's calendar is due: its stale reason, or SETUP when it has none."""
    calendar = calendar_for(rep_id=rep_id)
    if calendar is None or calendar.stale_reason is None:
        return CalendarTrigger.SETUP
    return calendar.stale_reason


def reps_to_compute(*, company_id: int, rep_ids: Iterable[int]) -> list[int]:
    """Return the reps among ``rep_ids`` whose calendar is stale or was never computed."""
    wanted = set(rep_ids)
    fresh = set(
        db.session.scalars(
            sa.select(VisitCalendar.user_id).where(
                VisitCalendar.company_id == company_id,
                VisitCalendar.stale.is_(False),
                VisitCalendar.status.in_(
                    [CalendarStatus.OPTIMAL, CalendarStatus.FEASIBLE, CalendarStatus.INFEASIBLE]
                ),
            )
        )
    )
    return sorted(wanted - fresh)


# --------------------------------------------------------------------------- editing
