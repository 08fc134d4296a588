"""A supervisor's "re-optimise this calendar": recorded by the page, solved by the scheduler.

CP-SAT takes up to the company's ``calendar_seconds`` per rep, far too long for a web
request, so the page only records the request: the rep's calendar is marked stale with the
reason ``supervisor`` (a calendar row is created, pending, when the rep had none) and the
request is audited with who asked. :func:`run_requested` (the scheduler's queue poll, or
``flask jobs run-once calendars``) then re-optimises each such calendar, pinned customers
kept, one rep per transaction. The page shows the request as queued until then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_percent
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AuditLog, CalendarStatus, CalendarTrigger, User, VisitCalendar, utcnow
from app.services import visit_calendars
from app.services.clock import local_today
from app.services.routing import PlanningError
from app.transactions import checkpoint

log = logging.getLogger(__name__)
ACTION = "calendar.reoptimise"


def request_reoptimise(*, rep: User, by: User) -> VisitCalendar:
    """Queue re-optimising the rep's calendar (pins kept) and audit who asked; flush only."""
    calendar = visit_calendars.calendar_for(rep_id=rep.id) or _first_calendar(rep)
    calendar.stale, calendar.stale_reason = True, CalendarTrigger.SUPERVISOR
    calendar.stale_since = utcnow()
    db.session.add(
        AuditLog(
            company_id=rep.company_id,
            actor_id=by.id,
            action=ACTION,
            target=f"user:{rep.id}",
            details={"rep": rep.name},
        )
    )
    db.session.flush()
    return calendar


def _first_calendar(rep: User) -> VisitCalendar:
    """Create the rep's pending calendar; a parallel request that created it first wins."""
    calendar = VisitCalendar(
        company_id=rep.company_id,
        user_id=rep.id,
        cycle_start=visit_calendars.cycle_monday(local_today()),
        status=CalendarStatus.PENDING,
    )
    try:
        with db.session.begin_nested():
            db.session.add(calendar)
    except IntegrityError:  # two supervisors asked at once: use the row the other wrote
        existing = visit_calendars.calendar_for(rep_id=rep.id)
        if existing is None:
            raise
        return existing
    return calendar


@dataclass(frozen=True)
class RequestState:
    """Whether a re-optimisation is waiting for the scheduler, since when, and who asked."""

    queued: bool
    since: datetime | None = None
    by: str | None = None


def _requester(rep_id: int) -> tuple[int | None, str | None]:
    """Return who asked last to re-optimise this rep's calendar (id and name)."""
    row = db.session.execute(
        sa.select(AuditLog.actor_id, User.name)
        .join(User, User.id == AuditLog.actor_id, isouter=True)
        .where(AuditLog.action == ACTION, AuditLog.target == f"user:{rep_id}")
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def state(*, calendar: VisitCalendar | None) -> RequestState:
    """Tell whether the calendar waits for a re-optimisation a supervisor asked for."""
    if (
        calendar is None
        or not calendar.stale
        or calendar.stale_reason != CalendarTrigger.SUPERVISOR
    ):
        return RequestState(False)
    return RequestState(True, calendar.stale_since, _requester(calendar.user_id)[1])


def status_label(calendar: VisitCalendar | None) -> str:
    """Say the state of a rep's calendar in a few words."""
    if calendar is None:
        return _("Not computed yet")
    return {
        CalendarStatus.PENDING: _("Waiting for its first computation"),
        CalendarStatus.OPTIMAL: _("Optimal"),
        CalendarStatus.FEASIBLE: _(
            "Good (gap %(gap)s)", gap=format_percent(calendar.gap or 0, "#,##0.0%")
        ),
        CalendarStatus.INFEASIBLE: _("Some customers fit no day"),
        CalendarStatus.UNKNOWN: _("No calendar found in time"),
    }.get(calendar.status, str(calendar.status))


def requested() -> list[int]:
    """Return the reps whose calendar a supervisor asked to re-optimise, oldest request first."""
    return list(
        db.session.scalars(
            sa.select(VisitCalendar.user_id)
            .where(
                VisitCalendar.stale.is_(True),
                VisitCalendar.stale_reason == CalendarTrigger.SUPERVISOR,
            )
            .order_by(VisitCalendar.stale_since, VisitCalendar.id)
        )
    )


def run_requested(*, seconds: float | None = None) -> list[tuple[int, str]]:
    """Re-optimise every requested calendar, one rep per transaction; return (rep, outcome).

    A rep who cannot be planned (no work profile or base) keeps the request's mark off and
    the reason logged, so the queue never spins on him.
    """
    out = []
    for rep_id in requested():
        rep = db.session.get(User, rep_id)
        calendar = visit_calendars.calendar_for(rep_id=rep_id)
        if rep is None or calendar is None:
            continue
        asker_id, _name = _requester(rep_id)
        asker = db.session.get(User, asker_id) if asker_id else None
        try:
            outcome = visit_calendars.compute(
                rep=rep,
                trigger=CalendarTrigger.SUPERVISOR,
                by=asker,
                reoptimise=True,
                seconds=seconds,
            )
            result = str(outcome.calendar.status)
        except PlanningError as exc:
            db.session.rollback()
            calendar = visit_calendars.calendar_for(rep_id=rep_id)
            if calendar is not None:
                calendar.stale, calendar.stale_reason = False, None
            result = f"error: {exc}"
            log.warning("calendar of rep %s not re-optimised: %s", rep_id, exc)
        checkpoint()
        out.append((rep_id, result))
    return out
