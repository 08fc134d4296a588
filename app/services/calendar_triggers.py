"""Mark visit calendars stale when what they were computed from changes, whoever changes it.

A rep's calendar depends on his field portfolio (which customers, their cadence, opening
hours, position, service time and delivery days), on his working week and base, and on the
company's delivery rule and lead time. Customers change through pages, the import, the API
and bulk actions; rather than asking each writer to remember the calendar, one session hook
watches the flushed rows and marks the affected calendars stale
(:func:`app.services.visit_calendars.mark_stale`'s columns). The nightly run recomputes
stale calendars before it plans; nothing is solved inside the request that made the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import CalendarTrigger, CompanySettings, Customer, VisitCalendar, WorkProfile
from app.models.base import utcnow

# Customer columns a calendar is computed from.
CUSTOMER_COLUMNS = (
    "owner_id",
    "active",
    "channel",
    "visit_frequency_days",
    "opening_hours",
    "latitude",
    "longitude",
    "service_minutes",
    "delivery_weekdays",
)
# Work profile columns that shape the rep's cycle.
PROFILE_COLUMNS = (
    "working_weekdays",
    "day_start",
    "day_end",
    "lunch_earliest",
    "lunch_latest",
    "lunch_minutes",
    "max_working_minutes",
    "start_lat",
    "start_lon",
)
# Planning settings the calendar's hard rules read (and the score's lead_time_days).
SETTINGS_KEYS = ("delivery_rule", "lead_time_days")
_PENDING = "roteiro_calendar_stale"


def _changed(obj: Any, columns: Iterable[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[c].history.has_changes() for c in columns)


def _owners(obj: Customer) -> set[int]:
    """Return the customer's owner now and before this flush."""
    history = sa.inspect(obj).attrs.owner_id.history
    owners = {*history.added, *history.deleted, *history.unchanged, obj.owner_id}
    return {o for o in owners if o is not None}


def _touched(obj: Any) -> tuple[set[int], CalendarTrigger] | None:
    """Return the reps whose calendar a changed row touches, and why (None: none)."""
    if isinstance(obj, Customer):
        return _owners(obj), CalendarTrigger.PORTFOLIO
    if isinstance(obj, WorkProfile) and obj.user_id is not None:
        return {obj.user_id}, CalendarTrigger.WORK_PROFILE
    return None


def _collect(session: Session, _context: Any, _instances: Any) -> None:
    """Note, before the flush, whose calendars the flushed changes touch and why."""
    pending: dict[int, CalendarTrigger] = session.info.setdefault(_PENDING, {})
    companies: set[int] = session.info.setdefault(_PENDING + "_companies", set())
    changed = [
        obj
        for obj in session.dirty
        if (isinstance(obj, Customer) and _changed(obj, CUSTOMER_COLUMNS))
        or (isinstance(obj, WorkProfile) and _changed(obj, PROFILE_COLUMNS))
    ]
    for obj in [*session.new, *session.deleted, *changed]:
        if isinstance(obj, CompanySettings) and obj.company_id is not None:
            companies.add(obj.company_id)
        touched = _touched(obj)
        if touched is not None:
            for user_id in touched[0]:
                pending.setdefault(user_id, touched[1])


def _settings_changed(session: Session, company_id: int) -> bool:
    """Tell whether the company's newest settings version changed the calendar's rules."""
    rows = session.execute(
        sa.select(CompanySettings.planning, CompanySettings.scoring)
        .where(CompanySettings.company_id == company_id)
        .order_by(CompanySettings.version.desc())
        .limit(2)
    ).all()
    if len(rows) < 2:
        return False
    (new_planning, new_scoring), (old_planning, old_scoring) = rows
    return any(
        (new_planning or {}).get(k) != (old_planning or {}).get(k) for k in SETTINGS_KEYS
    ) or (new_scoring or {}).get("lead_time_days") != (old_scoring or {}).get("lead_time_days")


def _apply(session: Session, _context: Any) -> None:
    """After the flush, mark the noted calendars stale in one statement per reason."""
    pending: dict[int, CalendarTrigger] = session.info.pop(_PENDING, {})
    companies: set[int] = session.info.pop(_PENDING + "_companies", set())
    now = utcnow()
    by_reason: dict[CalendarTrigger, list[int]] = {}
    for user_id, reason in pending.items():
        by_reason.setdefault(reason, []).append(user_id)
    statements = [
        sa.update(VisitCalendar).where(VisitCalendar.user_id.in_(sorted(ids)))
        for _reason, ids in sorted(by_reason.items())
    ]
    reasons = [reason for reason, _ids in sorted(by_reason.items())]
    with session.no_autoflush:
        for company_id in sorted(companies):
            if _settings_changed(session, company_id):
                statements.append(
                    sa.update(VisitCalendar).where(VisitCalendar.company_id == company_id)
                )
                reasons.append(CalendarTrigger.SETTINGS)
    if not statements:
        return
    for statement, reason in zip(statements, reasons, strict=True):
        session.execute(
            statement.where(VisitCalendar.stale.is_(False))
            .values(stale=True, stale_reason=reason, stale_since=now)
            .execution_options(synchronize_session=False)
        )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, VisitCalendar):
            session.expire(obj, ["stale", "stale_reason", "stale_since"])


def register() -> None:
    """Install the hooks on every ORM session (once, however many apps are built).

    On the Session class rather than the app's scoped session, so sessions made elsewhere
    (a job's own session, a test's) see the same rule.
    """
    if not sa.event.contains(Session, "before_flush", _collect):
        sa.event.listen(Session, "before_flush", _collect)
        sa.event.listen(Session, "after_flush_postexec", _apply)
