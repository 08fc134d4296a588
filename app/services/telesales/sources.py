"""Who is on a seat's list besides its own customers, and why.

Skipped field visits pushed to the team's seat, rescue cases of the team's field portfolios,
supervisors' requests and calls covering an absent rep: each is read from where it happened,
so nothing has to be copied.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    CallRequest,
    Contact,
    ContactKind,
    CoverAction,
    CoverStatus,
    Customer,
    Outcome,
    Plan,
    PlanStop,
    Role,
    ScoreSnapshot,
    StopStatus,
    User,
)
from app.services.clock import DEFAULT_TZ
from app.services.telesales.settings import (
    EFFECTIVE,
    HISTORY_DAYS,
    push_enabled,
    reactivation_calls,
    reactivation_retry_days,
)
from optimizer.scoring import FIELD_REACTIVATION, RESCUE


def team_seats(*, company_id: int, team_id: int | None) -> list[User]:
    """The active telesales seats of a team."""
    if team_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.company_id == company_id,
                User.team_id == team_id,
                User.role == Role.TELESALES,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def push_skipped_to_telesales(*, rep: User, customer_id: int, day: date) -> User | None:
    """Hand a field customer skipped today to the team's telesales seat, if the company wants it.

    Called by the rep flow after a skip; returns the seat whose list now shows the
    customer (the list reads skipped visits itself), or None when the policy is off or
    the team has no seat.
    """
    if not push_enabled(rep.company_id):
        return None
    seats = team_seats(company_id=rep.company_id, team_id=rep.team_id)
    if not seats:
        return None
    return seats[customer_id % len(seats)]


def pushed_customer_ids(*, seat: User, day: date) -> dict[int, str]:
    """Field customers of the seat's team skipped on `day`, with the rep's name."""
    if seat.team_id is None or not push_enabled(seat.company_id):
        return {}
    seats = team_seats(company_id=seat.company_id, team_id=seat.team_id)
    if not seats:
        return {}
    reps = sa.select(User.id).where(
        User.company_id == seat.company_id, User.team_id == seat.team_id, User.role == Role.REP
    )
    stops = (
        sa.select(PlanStop.customer_id, User.name)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .join(User, User.id == Plan.user_id)
        .where(Plan.plan_date == day, Plan.user_id.in_(reps), PlanStop.status == StopStatus.SKIPPED)
    )
    visits = (
        sa.select(Contact.customer_id, User.name)
        .join(User, User.id == Contact.user_id)
        .where(
            Contact.contact_date == day,
            Contact.user_id.in_(reps),
            Contact.kind == ContactKind.VISIT,
            Contact.outcome == Outcome.SKIPPED,
        )
    )
    visited = set(
        db.session.scalars(
            sa.select(Contact.customer_id).where(
                Contact.contact_date == day,
                Contact.kind == ContactKind.VISIT,
                Contact.outcome.in_(EFFECTIVE),
            )
        )
    )
    found: dict[int, str] = {}
    for cid, name in [*db.session.execute(stops), *db.session.execute(visits)]:
        if cid is not None and cid not in visited:
            found.setdefault(cid, name)
    # With several seats in a team, each pushed customer goes to one of them.
    index = [s.id for s in seats].index(seat.id) if seat in seats else -1
    return {cid: n for cid, n in found.items() if cid % len(seats) == index}


def cover_customer_ids(*, seat: User, day: date) -> dict[int, str]:
    """Customers an applied absence cover gives this seat to call on ``day``, with the name
    of the absent rep whose visit the call replaces."""
    absent = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(AbsenceCoverLine.customer_id, absent.name)
        .join(AbsenceCover, AbsenceCover.id == AbsenceCoverLine.cover_id)
        .join(absent, absent.id == AbsenceCover.absent_user_id)
        .where(
            AbsenceCover.company_id == seat.company_id,
            AbsenceCover.day == day,
            AbsenceCover.status == CoverStatus.APPLIED,
            AbsenceCoverLine.receiver_id == seat.id,
            AbsenceCoverLine.action == CoverAction.CALL,
        )
    )
    return {cid: name for cid, name in rows}


def is_reactivation() -> Any:
    """SQL: a snapshot whose purpose is reactivation (older snapshots: the rescue flag)."""
    return sa.or_(
        ScoreSnapshot.purpose == "reactivation",
        sa.and_(ScoreSnapshot.purpose.is_(None), ScoreSnapshot.flags.op("&")(RESCUE) != 0),
    )


def reactivation_customer_ids(*, seat: User, day: date) -> dict[int, str]:
    """Rescue cases of the team's field portfolios for this seat today, with the rep's name.

    Policy "field_above_value" sends some straight to the field (flag FIELD_REACTIVATION):
    those are not called. The best ``reactivation_calls`` by monthly value, among those not
    contacted in the retry window before today, shared among the team's seats.
    """
    limit = reactivation_calls(seat.company_id)
    if seat.team_id is None or limit == 0:
        return {}
    seats = team_seats(company_id=seat.company_id, team_id=seat.team_id)
    if seat not in seats:
        return {}
    score_day = db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == seat.company_id, ScoreSnapshot.score_date <= day
        )
    )
    if score_day is None:
        return {}
    retry_from = day - timedelta(days=reactivation_retry_days(seat.company_id))
    recent = sa.select(Contact.customer_id).where(
        Contact.company_id == seat.company_id,
        Contact.contact_date >= retry_from,
        Contact.contact_date < day,
        Contact.outcome.in_(EFFECTIVE),
    )
    rows = db.session.execute(
        sa.select(Customer.id, User.name)
        .join(ScoreSnapshot, ScoreSnapshot.customer_id == Customer.id)
        .join(User, User.id == Customer.owner_id)
        .where(
            Customer.company_id == seat.company_id,
            Customer.active.is_(True),
            User.team_id == seat.team_id,
            User.role == Role.REP,
            ScoreSnapshot.company_id == seat.company_id,  # the day's rows by index
            ScoreSnapshot.score_date == score_day,
            is_reactivation(),
            ScoreSnapshot.flags.op("&")(FIELD_REACTIVATION) == 0,
            Customer.id.not_in(recent),
        )
        .order_by(sa.func.coalesce(ScoreSnapshot.monthly_value, 0.0).desc(), Customer.id)
    ).all()
    index = [s.id for s in seats].index(seat.id)
    mine = [(cid, name) for cid, name in rows if cid % len(seats) == index]
    return dict(mine[:limit])


def requested_calls(*, seat: User, day: date) -> dict[int, tuple[CallRequest, str | None]]:
    """Supervisor requests for this seat due by `day`, open or answered by a call on `day` (so
    the call that answered one stays on the day's list as done; a cancelled one is gone), with
    who asked, by customer."""
    start = datetime.combine(day, time(0), tzinfo=DEFAULT_TZ)
    rows = db.session.execute(
        sa.select(CallRequest, User.name)
        .join(Customer, Customer.id == CallRequest.customer_id)
        .outerjoin(User, User.id == CallRequest.requested_by_id)
        .where(
            CallRequest.seat_id == seat.id,
            sa.or_(
                CallRequest.closed_at.is_(None),
                sa.and_(CallRequest.closed_at >= start, CallRequest.contact_id.is_not(None)),
            ),
            CallRequest.due_date <= day,
            Customer.active.is_(True),
        )
        .order_by(CallRequest.due_date, CallRequest.id)
    )
    found: dict[int, tuple[CallRequest, str | None]] = {}
    for request, name in rows:
        found.setdefault(request.customer_id, (request, name))
    return found


def allowed_ids(seat: User, day: date) -> tuple[set[int], dict[int, str], dict[int, str]]:
    """Customers the seat may call today: its own, today's pushed ones, today's rescue cases
    of the team's field portfolios, supervisors' requests due, today's calls covering an absent
    rep and its open callbacks."""
    own = set(
        db.session.scalars(
            sa.select(Customer.id).where(
                Customer.company_id == seat.company_id,
                Customer.owner_id == seat.id,
                Customer.active.is_(True),
            )
        )
    )
    pushed = pushed_customer_ids(seat=seat, day=day)
    callbacks = set(
        db.session.scalars(
            sa.select(Contact.customer_id).where(
                Contact.user_id == seat.id,
                Contact.outcome == Outcome.CALLBACK,
                Contact.contact_date >= day - timedelta(days=HISTORY_DAYS),
            )
        )
    )
    rescues = reactivation_customer_ids(seat=seat, day=day)
    requested = set(requested_calls(seat=seat, day=day))
    covers = set(cover_customer_ids(seat=seat, day=day))
    return own | set(pushed) | set(rescues) | callbacks | requested | covers, pushed, rescues
