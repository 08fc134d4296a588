"""Who a rep may visit: the company's facts in a few queries, and the week agenda's customers.

:func:`company_facts` loads what every rep's preparation reads (field customers by owner, the
day's scores, last visits, the working calendar) once per company; :func:`week_customers` maps
a rep's field portfolio to the week agenda's customers. The day's candidates themselves are
built by :func:`app.services.routing.build_candidates`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Appointment, Channel, Contact, ContactKind, Customer, User
from app.services import routing, work_calendar
from app.services.planning import calendar_candidates
from app.services.routing import CandidateInfo, PlanningConfig
from optimizer.agenda import AgendaCustomer
from optimizer.agenda import Appointment as AgendaAppointment
from optimizer.model import Location, TimeWindow
from optimizer.scoring.flags import COLLECTION


@dataclass(frozen=True)
class CompanyFacts:
    """What every rep's preparation reads, loaded for the whole company in a few queries."""

    customers: Mapping[int, list[routing.CustomerFacts]]  # by owner id
    scores: Mapping[int, routing.ScoreFacts]
    last_visits: Mapping[int, date]
    calendar: work_calendar.CompanyCalendar
    # In "calendar" mode: each rep's visit calendar for the day, by rep id.
    visit_days: Mapping[int, calendar_candidates.DayCalendar] | None = None


def company_facts(*, company_id: int, day: date, nightly_mode: str = "score") -> CompanyFacts:
    """Load the field customers, the day's scores and the last visits of a whole company
    (and, in ``calendar`` mode, every rep's visit calendar for the day)."""
    by_owner: dict[int, list[routing.CustomerFacts]] = {}
    rows = db.session.execute(
        sa.select(Customer.owner_id, *routing.FACT_COLUMNS)
        .where(
            Customer.company_id == company_id,
            Customer.owner_id.is_not(None),
            Customer.active.is_(True),
            Customer.channel == Channel.FIELD,
            Customer.latitude.is_not(None),
            Customer.longitude.is_not(None),
        )
        .order_by(Customer.id)
    )
    for owner_id, *facts in rows:
        by_owner.setdefault(owner_id, []).append(routing.CustomerFacts(*facts))
    last = db.session.execute(
        sa.select(Contact.customer_id, sa.func.max(Contact.contact_date))
        .where(
            Contact.company_id == company_id,
            Contact.kind == ContactKind.VISIT,
            Contact.contact_date < day,
        )
        .group_by(Contact.customer_id)
    )
    calendar = work_calendar.load(company_id=company_id, since=day)
    last_visits = dict(last.all())
    visit_days = (
        calendar_candidates.day_calendars(company_id=company_id, day=day, last_visits=last_visits)
        if nightly_mode == "calendar"
        else None
    )
    return CompanyFacts(
        by_owner,
        routing.scores_for(company_id=company_id, day=day),
        last_visits,
        calendar,
        visit_days,
    )


def last_visits_of(rep: User, day: date, customer_ids: list[int]) -> dict[int, date]:
    """Return the last visit date before ``day`` of each customer."""
    rows = db.session.execute(
        sa.select(Contact.customer_id, sa.func.max(Contact.contact_date))
        .where(
            Contact.company_id == rep.company_id,
            Contact.kind == ContactKind.VISIT,
            Contact.contact_date < day,
            Contact.customer_id.in_(customer_ids),
        )
        .group_by(Contact.customer_id)
    )
    return {cid: last for cid, last in rows}


def _week_appointments(rep: User, days: list[date]) -> dict[int, list[AgendaAppointment]]:
    """Return the rep's appointments of the week by customer id."""
    out: dict[int, list[AgendaAppointment]] = {}
    rows = db.session.scalars(
        sa.select(Appointment).where(Appointment.user_id == rep.id, Appointment.day.in_(days))
    )
    for appt in rows:
        window = TimeWindow(appt.window_start_s, max(appt.window_start_s, appt.window_end_s))
        out.setdefault(appt.customer_id, []).append(AgendaAppointment(appt.day, window))
    return out


def _weekly_opening(hours: Mapping[str, Any] | None) -> tuple[tuple[TimeWindow, ...], ...]:
    """Return seven days of up to two opening intervals (Monday first)."""
    return _opening_windows(routing.week_intervals(hours))


@functools.lru_cache(maxsize=4096)
def _opening_windows(
    table: tuple[tuple[tuple[int, int], ...], ...],
) -> tuple[tuple[TimeWindow, ...], ...]:
    """Build the agenda's opening windows once per distinct weekly table."""
    week = []
    for spans in table:
        if len(spans) > 2:
            spans = (spans[0], (spans[1][0], spans[-1][1]))
        week.append(tuple(TimeWindow(a, b) for a, b in spans))
    return tuple(week)


def week_customers(
    *,
    rep: User,
    day: date,
    days: list[date],
    config: PlanningConfig,
    customers: list[routing.CustomerFacts] | None = None,
    scores: Mapping[int, routing.ScoreFacts] | None = None,
    last_visits: Mapping[int, date] | None = None,
) -> tuple[tuple[AgendaCustomer, ...], dict[str, CandidateInfo]]:
    """Map the rep's field portfolio to the agenda's customers, with their scores."""
    if customers is None:
        customers = routing.field_customers(rep=rep)
    ids = [c.id for c in customers]
    if scores is None:
        scores = routing.scores_for(company_id=rep.company_id, day=day, customer_ids=ids)
    last = last_visits_of(rep, day, ids) if last_visits is None else last_visits
    appts = _week_appointments(rep, days)
    out, info = [], {}
    requested = routing.visit_requests(
        company_id=rep.company_id, day=day, since_days=config.visit_request_days
    )
    for cust in customers:
        snap = scores.get(cust.id)
        if snap is not None and snap.flags & COLLECTION and config.collection_policy == "skip":
            continue
        if not routing.in_field(snap, cust.id, config, requested):
            continue
        seen = last.get(cust.id)
        out.append(
            AgendaCustomer(
                id=str(cust.id),
                location=Location(cust.latitude, cust.longitude),
                priority=max(snap.total if snap else 0.0, 0.0),
                frequency_days=max(1, cust.visit_frequency_days),
                days_since_visit=None if seen is None else (day - seen).days,
                opening=_weekly_opening(cust.opening_hours),
                service_s=cust.service_minutes * 60,
                delivery_weekdays=frozenset(d for d in range(7) if cust.delivers_on(d)),
                appointments=tuple(appts.get(cust.id, ())),
            )
        )
        info[str(cust.id)] = CandidateInfo(cust.id, snap.total if snap else 0.0)
    return tuple(out), info
