"""What planning reads of the database: scores, customers, requests, carry-overs, covers.

Rows are read as small named tuples (never ORM objects) so a whole portfolio loads fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    Appointment,
    Channel,
    Contact,
    ContactKind,
    CoverAction,
    CoverStatus,
    Customer,
    Plan,
    ScoreSnapshot,
    StopStatus,
    User,
)
from app.models.contact import Outcome
from app.models.scoring import purpose_name
from optimizer.model import Candidate


@dataclass(frozen=True)
class CandidateInfo:
    """What the app knows about a candidate beyond the solver's view."""

    customer_id: int
    score: float
    purpose: str = "sell"  # sell | collect | appointment
    carried_over: bool = False
    # What the routing step maximises when it differs from the score (the calendar's core
    # customers are worth more than every extra: app/services/planning/calendar_candidates.py).
    prize: float | None = None
    regular: bool = False  # the customer's regular day in the visit calendar

    @property
    def routing_prize(self) -> float:
        """Return the prize the routing step collects for visiting this candidate."""
        return self.score if self.prize is None else self.prize


@dataclass(frozen=True)
class CandidateSet:
    """The day's candidates for the solver, and their app-side facts by candidate id."""

    candidates: tuple[Candidate, ...]
    info: Mapping[str, CandidateInfo] = field(default_factory=dict)


class ScoreFacts(NamedTuple):
    """What planning needs of a day's snapshot (not its JSON explanations)."""

    total: float
    flags: int
    purpose: str = "sales"

    @property
    def reactivation(self) -> bool:
        """A rescue case: a reactivation attempt, not a sales visit."""
        return self.purpose == "reactivation"


class CustomerFacts(NamedTuple):
    """The columns of a customer planning needs, read without building ORM objects."""

    id: int
    latitude: float
    longitude: float
    opening_hours: dict[str, Any] | None
    service_minutes: int
    visit_frequency_days: int
    delivery_weekdays: int

    def delivers_on(self, weekday: int) -> bool:
        """Tell whether goods can be delivered on a weekday (Monday = 0)."""
        return bool(self.delivery_weekdays >> weekday & 1)


FACT_COLUMNS = (
    Customer.id,
    Customer.latitude,
    Customer.longitude,
    Customer.opening_hours,
    Customer.service_minutes,
    Customer.visit_frequency_days,
    Customer.delivery_weekdays,
)


def scores_for(
    *, company_id: int, day: date, customer_ids: Iterable[int] | None = None
) -> dict[int, ScoreFacts]:
    """Return the day's scores by customer id (falling back to the latest earlier day)."""
    score_day = db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date <= day
        )
    )
    if score_day is None:
        return {}
    query = sa.select(
        ScoreSnapshot.customer_id, ScoreSnapshot.total, ScoreSnapshot.flags, ScoreSnapshot.purpose
    ).where(ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == score_day)
    if customer_ids is not None:
        query = query.where(ScoreSnapshot.customer_id.in_(list(customer_ids)))
    return {
        cid: ScoreFacts(total, flags, purpose_name(purpose, flags))
        for cid, total, flags, purpose in db.session.execute(query)
    }


def visit_requests(*, company_id: int, day: date, since_days: int) -> set[int]:
    """Customers a call asked to visit (outcome "visit requested") and not visited since.

    Calls of the ``since_days`` days up to ``day``; a visit with any outcome after the call
    answers it.
    """
    start = day - timedelta(days=since_days)
    calls = (
        sa.select(Contact.customer_id, sa.func.max(Contact.contact_date).label("asked"))
        .where(
            Contact.company_id == company_id,
            Contact.kind == ContactKind.CALL,
            Contact.outcome == Outcome.VISIT_REQUESTED,
            Contact.contact_date.between(start, day),
        )
        .group_by(Contact.customer_id)
        .subquery()
    )
    visited = sa.exists().where(
        Contact.customer_id == calls.c.customer_id,
        Contact.kind == ContactKind.VISIT,
        Contact.contact_date >= calls.c.asked,
        Contact.contact_date < day,
    )
    return set(db.session.scalars(sa.select(calls.c.customer_id).where(~visited)))


def field_customers(*, rep: User) -> list[CustomerFacts]:
    """Return the rep's active field customers that can be put on a map."""
    rows = db.session.execute(
        sa.select(*FACT_COLUMNS)
        .where(
            Customer.owner_id == rep.id,
            Customer.active.is_(True),
            Customer.channel == Channel.FIELD,
            Customer.latitude.is_not(None),
            Customer.longitude.is_not(None),
        )
        .order_by(Customer.id)
    )
    return [CustomerFacts(*row) for row in rows]


def customer_facts(ids: Iterable[int]) -> dict[int, CustomerFacts]:
    """Return the facts of some customers that have a position, by id."""
    rows = db.session.execute(
        sa.select(*FACT_COLUMNS).where(
            Customer.id.in_(list(ids)),
            Customer.latitude.is_not(None),
            Customer.longitude.is_not(None),
        )
    )
    return {row[0]: CustomerFacts(*row) for row in rows}


def carried_over(*, rep: User, day: date) -> set[int]:
    """Return customers planned on the rep's previous plan but not visited that day."""
    previous = db.session.scalar(
        sa.select(Plan)
        .where(Plan.user_id == rep.id, Plan.plan_date < day)
        .order_by(Plan.plan_date.desc())
        .limit(1)
    )
    if previous is None:
        return set()
    planned = {
        s.customer_id
        for s in previous.stops
        if s.customer_id is not None and s.status != StopStatus.DONE
    }
    if not planned:
        return set()
    visited = set(
        db.session.scalars(
            sa.select(Contact.customer_id).where(
                Contact.user_id == rep.id,
                Contact.kind == ContactKind.VISIT,
                Contact.contact_date == previous.plan_date,
                Contact.customer_id.in_(planned),
            )
        )
    )
    return planned - visited


def covered_customers(*, rep: User, day: date) -> list[int]:
    """Customers of an absent colleague this rep visits on ``day`` (an applied absence cover).

    The nightly run and any re-plan of that day keep them on the rep's candidates, valued like
    a carried-over visit, so a plan written over the cover does not lose them.
    """
    return list(
        db.session.scalars(
            sa.select(AbsenceCoverLine.customer_id)
            .join(AbsenceCover, AbsenceCover.id == AbsenceCoverLine.cover_id)
            .where(
                AbsenceCover.day == day,
                AbsenceCover.status == CoverStatus.APPLIED,
                AbsenceCoverLine.receiver_id == rep.id,
                AbsenceCoverLine.action == CoverAction.VISIT,
            )
            .order_by(AbsenceCoverLine.id)
        )
    )


def appointments_for(*, rep: User, day: date) -> list[Appointment]:
    """Return the rep's appointments of the day."""
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.user_id == rep.id, Appointment.day == day)
            .order_by(Appointment.window_start_s, Appointment.id)
        )
    )
