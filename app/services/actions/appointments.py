"""Book a visit: a fixed appointment of a rep with a customer on a date and a time window.

Planning keeps appointments (``routing.build_candidates`` makes them mandatory stops; the week
agenda and the rep's re-plan read them too). When the rep's plan of that date exists and
nobody started it, it is planned again at once so the phone shows the visit; a route under
way is the rep's, and takes the visit at the rep's next re-plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Appointment, Customer, Plan, PlanSource, PlanStatus, Role, User
from app.security.scope import Scope
from app.services import routing, work_calendar
from app.services.actions import VISIT_BOOKED, VISIT_CANCELLED, active_people, audit
from app.services.errors import Invalid, NotFound
from app.services.routing import PlanningError

NOTE_LENGTH = 300
HORIZON_DAYS = 90


def rep_choices(*, scope: Scope) -> list[User]:
    """The active field reps this scope may book visits for."""
    return active_people(scope=scope, role=Role.REP)


def _seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class Booking:
    """The appointment written and what happened to the rep's plan of its date."""

    appointment: Appointment
    # "replanned": the unstarted plan was planned again and keeps the visit;
    # "dropped": planned again, but the day could not hold the visit (the reason is in the plan);
    # "under_way": the route was started, the visit joins it at the rep's re-plan;
    # "not_planned_yet": no plan for that date yet, the next planning run places it.
    plan_state: str
    plan: Plan | None = None


def _window_errors(
    start: time | None, end: time | None, day: date | None, now: datetime
) -> dict[str, object]:
    errors: dict[str, object] = {}
    if start is None:
        errors["window_start"] = _l("Type the earliest arrival, e.g. 09:00.")
    if end is None:
        errors["window_end"] = _l("Type the latest arrival, e.g. 10:30.")
    elif start is not None and end < start:
        errors["window_end"] = _l("The window ends before it starts.")
    elif day == now.date() and _seconds(end) <= _seconds(now.time()):
        errors["window_end"] = _l("This window is already over today.")
    return errors


def _day_errors(day: date | None, today: date) -> dict[str, object]:
    if day is None:
        return {"day": _l("Choose the day of the visit.")}
    if day < today:
        return {"day": _l("Choose today or a later day.")}
    if day > today + timedelta(days=HORIZON_DAYS):
        return {"day": _l("Choose a day within the next %(days)d days.", days=HORIZON_DAYS)}
    return {}


def _customer_errors(customer: Customer) -> dict[str, object]:
    if not customer.active:
        return {"customer": _l("This customer is out of the active base.")}
    if not customer.has_position:
        return {"customer": _l("This customer has no position on the map: it cannot be routed.")}
    return {}


def _rep_errors(
    rep: User, customer: Customer, day: date, start: time | None, end: time | None
) -> dict[str, object]:
    """The rep works that day, has a profile, and the window fits the rep's working day."""
    off = work_calendar.why_not_working(rep, day)
    if off is not None:
        return {
            "day": _l("%(name)s does not work on that day: %(why)s", name=rep.name, why=off.label())
        }
    profile = rep.work_profile
    if profile is None:
        return {"rep_id": _l("This rep has no work profile yet: it cannot be planned.")}
    if start is None or end is None:
        return {}
    first, last = _seconds(profile.day_start), _seconds(profile.day_end)
    latest = last - customer.service_minutes * 60
    if _seconds(start) > latest or _seconds(end) < first:
        return {
            "window_start": _l(
                "Outside %(name)s's working day (%(start)s–%(end)s).",
                name=rep.name,
                start=_hhmm(first),
                end=_hhmm(last),
            )
        }
    return {}


def _validate(
    *,
    scope: Scope,
    customer: Customer,
    rep_id: int | None,
    day: date | None,
    start: time | None,
    end: time | None,
    note: str | None,
    now: datetime,
) -> tuple[dict[str, object], User | None]:
    rep = next((r for r in rep_choices(scope=scope) if r.id == rep_id), None)
    errors: dict[str, object] = {}
    if rep is None:
        errors["rep_id"] = _l("Choose a field rep of your team.")
    errors.update(_day_errors(day, now.date()))
    errors.update(_window_errors(start, end, day, now))
    if note and len(note) > NOTE_LENGTH:
        errors["note"] = _l("At most %(n)s characters.", n=NOTE_LENGTH)
    errors.update(_customer_errors(customer))
    if rep is not None and day is not None and "day" not in errors:
        found = _rep_errors(rep, customer, day, start, end if "window_end" not in errors else None)
        errors.update({k: v for k, v in found.items() if k not in errors})
        if "day" not in errors and _already_booked(customer.id, day):
            errors["day"] = _l("This customer already has a visit booked on that day.")
    return errors, rep


def _already_booked(customer_id: int, day: date) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Appointment.customer_id == customer_id, Appointment.day == day
            )
        )
        or 0
    ) > 0


def book_visit(
    *,
    actor: User,
    scope: Scope,
    customer: Customer,
    rep_id: int | None,
    day: date | None,
    window_start: time | None,
    window_end: time | None,
    note: str | None,
    now: datetime,
    replan: bool = True,
) -> Booking:
    """Book a visit of a rep in scope with a customer in scope; raise Invalid by field.

    ``now`` is the company's local time. With ``replan``, an unstarted plan of the rep on
    that date is planned again (the solver's day budget) so it holds the visit at once.
    """
    text = (note or "").strip() or None
    errors, rep = _validate(
        scope=scope,
        customer=customer,
        rep_id=rep_id,
        day=day,
        start=window_start,
        end=window_end,
        note=text,
        now=now,
    )
    if errors:
        raise Invalid(errors)
    assert rep is not None
    assert day is not None
    assert window_start is not None
    assert window_end is not None
    appointment = Appointment(
        company_id=customer.company_id,
        user_id=rep.id,
        customer_id=customer.id,
        day=day,
        window_start_s=_seconds(window_start),
        window_end_s=_seconds(window_end),
        note=text,
        created_by_id=actor.id,
    )
    db.session.add(appointment)
    audit(
        actor=actor,
        customer=customer,
        action=VISIT_BOOKED,
        details={
            "rep_id": rep.id,
            "rep": rep.name,
            "day": day.isoformat(),
            "window": [_hhmm(appointment.window_start_s), _hhmm(appointment.window_end_s)],
            "note": text,
        },
    )
    db.session.flush()
    if not replan:
        return Booking(appointment, "not_planned_yet")
    return _refresh_plan(rep, appointment)


def cancel_visit(*, actor: User, scope: Scope, appointment_id: int, today: date) -> Booking:
    """Cancel a visit still ahead, of a rep and a customer in scope (NotFound otherwise);
    an unstarted plan of its day is planned again without it."""
    appointment = db.session.get(Appointment, appointment_id)
    if (
        appointment is None
        or appointment.day < today
        or not scope.can_see_user(appointment.user_id)
        or db.session.scalar(scope.customers().where(Customer.id == appointment.customer_id))
        is None
    ):
        raise NotFound("appointment")
    rep = db.session.get(User, appointment.user_id)
    assert rep is not None
    audit(
        actor=actor,
        customer=appointment.customer,
        action=VISIT_CANCELLED,
        details={
            "rep_id": rep.id,
            "rep": rep.name,
            "day": appointment.day.isoformat(),
            "window": [_hhmm(appointment.window_start_s), _hhmm(appointment.window_end_s)],
        },
    )
    db.session.delete(appointment)
    db.session.flush()
    return _refresh_plan(rep, appointment)


def _refresh_plan(rep: User, appointment: Appointment) -> Booking:
    """Plan the rep's unstarted day again so it holds (or lets go of) the appointment."""
    from app.services import planning  # the planner imports much; only booking needs it

    plan = db.session.scalar(
        sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == appointment.day)
    )
    if plan is None:
        return Booking(appointment, "not_planned_yet")
    if routing.is_locked(plan):
        return Booking(appointment, "under_way", plan)
    status = plan.status
    try:
        # In a savepoint: a planning run writing the same plan meanwhile (or a rep the solver
        # cannot plan) leaves the booking written and the plan to the next run.
        with db.session.begin_nested():
            outcome = planning.plan_rep(
                rep=rep, day=appointment.day, source=PlanSource.MANUAL, week=False
            )
    except (PlanningError, sa.exc.SQLAlchemyError):
        return Booking(appointment, "not_planned_yet", plan)
    written = outcome.plan
    if written is None:
        return Booking(appointment, "not_planned_yet", plan)
    if status == PlanStatus.DRAFT:
        written.status = PlanStatus.DRAFT  # a later day of the agenda stays a draft
    db.session.flush()
    db.session.refresh(written)
    kept = any(s.customer_id == appointment.customer_id for s in written.stops)
    return Booking(appointment, "replanned" if kept else "dropped", written)


def upcoming(*, customer_ids: list[int], today: date) -> list[Appointment]:
    """Appointments from today on of some customers, soonest first."""
    if not customer_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.customer_id.in_(customer_ids), Appointment.day >= today)
            .order_by(Appointment.day, Appointment.window_start_s)
        )
    )


def for_rep(*, rep_id: int, first: date, last: date) -> list[Appointment]:
    """A rep's appointments between two dates, by date and time."""
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.user_id == rep_id, Appointment.day >= first, Appointment.day <= last)
            .order_by(Appointment.day, Appointment.window_start_s)
        )
    )
