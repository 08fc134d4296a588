"""The one adapter between ORM rows and the optimiser's dataclasses.

Rows in: a rep's ``WorkProfile`` becomes a :class:`RepDay`, customers with the day's score
become :class:`Candidate` objects, ``Appointment`` rows become appointment candidates.
Dataclasses out: a :class:`DayRoute` becomes a ``Plan`` with its ``PlanStop`` rows.
Candidate ids are customer ids as strings, so a route maps straight back to customers.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import travel_provider
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
    PlanStatus,
    PlanStop,
    ScoreSnapshot,
    StopKind,
    StopStatus,
    User,
    WorkProfile,
)
from app.models.contact import Outcome
from app.models.scoring import purpose_name
from app.services import company_settings
from optimizer.model import (
    DROP_REASONS,
    Candidate,
    DayProblem,
    DayRoute,
    DroppedCandidate,
    Location,
    LunchBreak,
    RepDay,
    ScheduledStop,
    TimeWindow,
)
from optimizer.scoring import ScoringSettings
from optimizer.scoring.flags import COLLECTION, FIELD_REACTIVATION
from optimizer.travel import TravelProvider, day_locations

if TYPE_CHECKING:
    from app.services.planning.calendar_candidates import DayCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COLLECTION_POLICIES = ("skip", "collect_only", "allow")
__all__ = ["travel_provider"]  # re-exported: the one place the app picks its provider


class PlanningError(Exception):
    """A rep cannot be planned (missing work profile, no position...): recorded, not fatal."""


_PLANNING = company_settings.PlanningSettings()
_POLICIES = company_settings.Policies()


@dataclass(frozen=True)
class PlanningConfig:
    """The company's planning knobs, read once per run from its settings in force.

    Defaults are the typed settings' own (`company_settings`), for tests that build one.
    """

    company_id: int
    settings_version: int = 0
    candidates_per_day: int = _PLANNING.candidates_per_day
    collection_policy: str = _POLICIES.collection_policy
    osrm_url: str | None = None
    horizon_days: int = _PLANNING.plan_horizon_days
    nightly_time: str = _PLANNING.nightly_time
    timezone: str = "America/Sao_Paulo"
    day_seconds: float = _PLANNING.day_seconds
    agenda_seconds_per_day: float = _PLANNING.agenda_seconds_per_day
    carry_over_boost: float = 1.25
    week_agenda: bool = _PLANNING.week_agenda
    reactivation_policy: str = ScoringSettings.reactivation_policy
    # How long a call's "visit requested" waits for the visit.
    visit_request_days: int = _PLANNING.visit_request_days
    # "score": the day's candidates are the best scores; "calendar": the customers whose
    # regular day it is, plus urgent extras (app/services/planning/calendar_candidates.py).
    nightly_mode: str = _PLANNING.nightly_mode


def load_config(*, company_id: int, osrm_url: str | None = None) -> PlanningConfig:
    """Read the company's settings in force (the app-wide OSRM URL as the fallback)."""
    settings = company_settings.get(company_id=company_id)
    planning = settings.planning
    return PlanningConfig(
        company_id=company_id,
        settings_version=settings.version,
        candidates_per_day=planning.candidates_per_day,
        collection_policy=settings.policies.collection_policy,
        osrm_url=planning.osrm_url or osrm_url,
        horizon_days=planning.plan_horizon_days,
        nightly_time=planning.nightly_time,
        day_seconds=planning.day_seconds,
        agenda_seconds_per_day=planning.agenda_seconds_per_day,
        week_agenda=planning.week_agenda,
        reactivation_policy=settings.reactivation_policy,
        visit_request_days=planning.visit_request_days,
        nightly_mode=planning.nightly_mode,
    )


# --------------------------------------------------------------------------- rep day


def seconds_of(value: time) -> int:
    """Return seconds since midnight of a time of day."""
    return value.hour * 3600 + value.minute * 60 + value.second


def rep_day(profile: WorkProfile | None) -> RepDay:
    """Map a rep's work profile to the solver's day (same shape every working day)."""
    if profile is None:
        raise PlanningError("missing_work_profile")
    if None in (profile.start_lat, profile.start_lon, profile.end_lat, profile.end_lon):
        raise PlanningError("missing_base_position")
    start_s, end_s = seconds_of(profile.day_start), seconds_of(profile.day_end)
    if end_s <= start_s:
        raise PlanningError("day_ends_before_it_starts")
    lunch = None
    if profile.lunch_earliest and profile.lunch_latest and profile.lunch_minutes > 0:
        early, late = seconds_of(profile.lunch_earliest), seconds_of(profile.lunch_latest)
        if start_s <= late and early <= end_s and early <= late:
            lunch = LunchBreak(early, late, profile.lunch_minutes * 60)
    return RepDay(
        start=Location(profile.start_lat, profile.start_lon),  # type: ignore[arg-type]
        end=Location(profile.end_lat, profile.end_lon),  # type: ignore[arg-type]
        start_s=start_s,
        end_s=end_s,
        max_working_s=max(60, min(profile.max_working_minutes * 60, end_s - start_s)),
        lunch=lunch,
    )


# --------------------------------------------------------------------------- windows


def _clock(text: str) -> int:
    """Parse ``HH:MM`` (or ``HH:MM:SS``) to seconds since midnight."""
    parts = [int(p) for p in str(text).split(":")]
    hours, minutes, seconds = ([*parts, 0, 0])[:3]
    return hours * 3600 + minutes * 60 + seconds


HoursKey = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def _hours_key(opening_hours: Mapping[str, Any] | None) -> HoursKey:
    """Return a hashable copy of an opening-hours document (most customers share a few)."""
    return tuple(
        (day, tuple((str(a), str(b)) for a, b in spans or ()))
        for day, spans in sorted((opening_hours or {}).items())
    )


@functools.lru_cache(maxsize=4096)
def _week_table(key: HoursKey) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Return the sorted, merged opening intervals of each weekday (Monday first).

    An empty document means "no restriction" (the customer takes visits whenever the
    rep works); in a non-empty one, a weekday without intervals is closed.
    """
    if not key:
        return tuple(((0, 24 * 3600),) for _ in WEEKDAYS)
    doc = dict(key)
    week = []
    for name in WEEKDAYS:
        merged: list[tuple[int, int]] = []
        for a, b in sorted((_clock(a), _clock(b)) for a, b in doc.get(name, ())):
            if b <= a:
                continue
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        week.append(tuple(merged))
    return tuple(week)


def week_intervals(
    opening_hours: Mapping[str, Any] | None,
) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Return the opening intervals of all seven weekdays at once (Monday first)."""
    return _week_table(_hours_key(opening_hours))


def opening_intervals(
    opening_hours: Mapping[str, Any] | None, weekday: int
) -> list[tuple[int, int]]:
    """Return the day's opening intervals, sorted and merged (empty: closed that day)."""
    return list(_week_table(_hours_key(opening_hours))[weekday])


def service_windows(
    opening_hours: Mapping[str, Any] | None, weekday: int, service_s: int
) -> tuple[TimeWindow, ...]:
    """Return up to two windows for the START of a visit that ends before closing."""
    out = [
        TimeWindow(a, b - service_s)
        for a, b in opening_intervals(opening_hours, weekday)
        if b - service_s >= a
    ]
    if len(out) > 2:  # the solver takes two: keep the first and stretch over the rest
        out = [out[0], TimeWindow(out[1].start_s, out[-1].end_s)]
    return tuple(out)


# --------------------------------------------------------------------------- candidates


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


def in_field(
    snap: ScoreFacts | None, customer_id: int, config: PlanningConfig, requested: Collection[int]
) -> bool:
    """Whether a customer may take a field slot: a rescue case only by policy or on request.

    Policy "field_above_value" flags the valuable rescue cases (FIELD_REACTIVATION); with
    "telesales_first" a call that asked for a visit lets one in; "never" keeps them all out.
    """
    if snap is None or not snap.reactivation:
        return True
    if snap.flags & FIELD_REACTIVATION:
        return True
    return config.reactivation_policy != "never" and customer_id in requested


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


def policy_prize(
    snap: ScoreFacts | None, policy: str, collect_prize: float
) -> tuple[float, str] | None:
    """Apply the collection policy: None leaves the customer out of the day."""
    score = snap.total if snap is not None else 0.0
    if snap is None or not snap.flags & COLLECTION or policy == "allow":
        return score, "sell"
    if policy == "skip":
        return None
    return max(score, collect_prize), "collect"


def _ranked(
    customers: Sequence[CustomerFacts],
    scores: Mapping[int, ScoreFacts],
    config: PlanningConfig,
    carried: set[int],
    requested: Collection[int] = frozenset(),
) -> list[tuple[CustomerFacts, CandidateInfo]]:
    """Pick the top-N by score plus the carried-over customers, policies applied."""
    positive = sorted(s.total for s in scores.values() if s.total > 0)
    collect_prize = positive[len(positive) // 2] if positive else 1.0
    rows: list[tuple[CustomerFacts, CandidateInfo]] = []
    for cust in customers:
        if not in_field(scores.get(cust.id), cust.id, config, requested):
            continue
        priced = policy_prize(scores.get(cust.id), config.collection_policy, collect_prize)
        if priced is None:
            continue
        prize, purpose = priced
        is_carried = cust.id in carried
        if is_carried:
            prize = max(prize, collect_prize) * config.carry_over_boost
        rows.append((cust, CandidateInfo(cust.id, round(prize, 4), purpose, is_carried)))
    rows.sort(key=lambda r: (-r[1].score, r[0].id))
    top = [r for r in rows[: config.candidates_per_day] if r[1].score > 0]
    kept = {r[0].id for r in top}
    top.extend(r for r in rows if r[1].carried_over and r[0].id not in kept)
    return top


def build_candidates(
    *,
    rep: User,
    day: date,
    config: PlanningConfig,
    customers: Sequence[CustomerFacts] | None = None,
    scores: Mapping[int, ScoreFacts] | None = None,
    calendar: DayCalendar | None = None,
) -> CandidateSet:
    """Return the rep's candidates for a date: best scores, carried-over and appointments.

    In ``calendar`` mode with the rep's :class:`DayCalendar` given, the calendar's customers
    of the day come first and the score adds urgent extras (:mod:`calendar_candidates`);
    without a calendar the rep is planned by score.
    """
    if customers is None:
        customers = field_customers(rep=rep)
    if scores is None:
        scores = scores_for(
            company_id=rep.company_id, day=day, customer_ids=[c.id for c in customers]
        )
    requested = visit_requests(
        company_id=rep.company_id, day=day, since_days=config.visit_request_days
    )
    carried = carried_over(rep=rep, day=day)
    if config.nightly_mode == "calendar" and calendar is not None:
        from app.services.planning import calendar_candidates

        chosen = calendar_candidates.ranked(customers, scores, config, carried, requested, calendar)
    else:
        chosen = _ranked(customers, scores, config, carried, requested)
    by_id = {c.id: c for c in customers}
    cands: dict[str, Candidate] = {}
    info: dict[str, CandidateInfo] = {}
    appts = appointments_for(rep=rep, day=day)
    missing = [a.customer_id for a in appts if a.customer_id not in by_id]
    if missing:
        by_id.update(customer_facts(missing))
    for appt in appts:
        cust = by_id.get(appt.customer_id)
        if cust is None:
            continue
        snap = scores.get(cust.id)
        key = str(cust.id)
        cands[key] = Candidate(
            key,
            Location(cust.latitude, cust.longitude),
            max(snap.total if snap else 0.0, 0.0),
            cust.service_minutes * 60,
            (TimeWindow(appt.window_start_s, max(appt.window_start_s, appt.window_end_s)),),
            appointment=True,
        )
        info[key] = CandidateInfo(cust.id, snap.total if snap else 0.0, "appointment")
    chosen.extend(_covered(rep, day, chosen, config))
    for cust, meta in chosen:
        key = str(cust.id)
        if key in cands:
            continue
        service_s = cust.service_minutes * 60
        cands[key] = Candidate(
            key,
            Location(cust.latitude, cust.longitude),
            meta.routing_prize,
            service_s,
            service_windows(cust.opening_hours, day.weekday(), service_s),
        )
        info[key] = meta
    return CandidateSet(tuple(cands.values()), info)


def _covered(
    rep: User,
    day: date,
    chosen: Sequence[tuple[CustomerFacts, CandidateInfo]],
    config: PlanningConfig,
) -> list[tuple[CustomerFacts, CandidateInfo]]:
    """An absent colleague's customers this rep covers that day, valued as the day's best."""
    ids = [c for c in covered_customers(rep=rep, day=day) if c not in {f.id for f, _ in chosen}]
    if not ids:
        return []
    top = max((meta.score for _, meta in chosen), default=1.0)
    facts = customer_facts(ids)
    return [
        (
            facts[cid],
            CandidateInfo(cid, round(max(top, 1.0) * config.carry_over_boost, 4), "sell", True),
        )
        for cid in ids
        if cid in facts
    ]


def day_problem(
    rep: RepDay, candidates: Sequence[Candidate], provider: TravelProvider
) -> DayProblem:
    """Return the solver's problem with a travel matrix for the whole day."""
    matrix = provider.matrix(day_locations(rep, candidates), depart_s=None)
    return DayProblem(rep, tuple(candidates), matrix)


# --------------------------------------------------------------------------- writing


def dropped_rows(route: DayRoute, info: Mapping[str, CandidateInfo]) -> list[dict[str, Any]]:
    """Return ``Plan.dropped``: every left-out candidate with its reason and score."""
    return [
        {
            "customer_id": int(d.candidate_id),
            "reason": d.reason,
            "score": info[d.candidate_id].score if d.candidate_id in info else None,
        }
        for d in route.dropped
    ]


def stop_rows(
    route: DayRoute,
    info: Mapping[str, CandidateInfo],
    *,
    pinned: Iterable[str] = (),
    first_seq: int = 0,
) -> list[dict[str, Any]]:
    """Return the ``plan_stops`` values of a route, in order (without ``plan_id``)."""
    pinned_ids = set(pinned)
    rows = []
    for seq, stop in enumerate(route.stops, start=first_seq):
        cid = stop.candidate_id
        meta = info.get(cid) if cid else None
        rows.append(
            {
                "seq": seq,
                "kind": stop.kind,
                "customer_id": int(cid) if cid else None,
                "arrival_s": stop.arrival_s,
                "wait_s": stop.wait_s,
                "start_s": stop.start_s,
                "departure_s": stop.departure_s,
                "travel_s": stop.travel_s,
                "travel_m": stop.travel_m,
                "score": meta.score if meta else None,
                "pinned": bool(cid and cid in pinned_ids),
                "appointment": bool(meta and meta.purpose == "appointment"),
                "status": StopStatus.PENDING,
            }
        )
    return rows


def set_totals(
    plan: Plan, route: DayRoute, info: Mapping[str, CandidateInfo], *, keep_start: bool = False
) -> None:
    """Copy the route's totals and dropped candidates onto the plan."""
    if not keep_start:
        plan.start_s = route.departure_s
    plan.end_s = route.end_arrival_s
    plan.total_m = route.total_m
    plan.driving_s = route.driving_s
    plan.working_s = route.working_s
    plan.prize = route.prize
    plan.dropped = dropped_rows(route, info)


def fill_plan(
    plan: Plan,
    route: DayRoute,
    info: Mapping[str, CandidateInfo],
    *,
    pinned: Iterable[str] = (),
    keep_done: bool = False,
) -> None:
    """Write a route into a plan (ORM): totals, dropped list and stops, finished ones kept first."""
    kept = [s for s in plan.stops if keep_done and s.status != StopStatus.PENDING]
    for seq, stop in enumerate(kept):
        stop.seq = seq
    plan.stops[:] = kept
    for row in stop_rows(route, info, pinned=pinned, first_seq=len(kept)):
        plan.stops.append(PlanStop(**row))
    set_totals(plan, route, info, keep_start=keep_done)


def get_or_new_plan(*, rep: User, day: date) -> Plan:
    """Return the rep's plan for a date, or a new (not yet added) one."""
    plan = db.session.scalar(sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == day))
    if plan is None:
        plan = Plan(company_id=rep.company_id, user_id=rep.id, plan_date=day, revision=0, stops=[])
    return plan


def is_locked(plan: Plan) -> bool:
    """Tell whether a plan is under way (or done): nightly runs never replace it."""
    return plan.status in (PlanStatus.STARTED, PlanStatus.DONE) or plan.started_at is not None


def route_from_plan(plan: Plan) -> DayRoute:
    """Rebuild the solver's view of a saved plan (to freeze it or re-plan from it)."""
    stops = tuple(
        ScheduledStop(
            kind="lunch" if s.kind == StopKind.LUNCH else "visit",
            candidate_id=None
            if s.kind == StopKind.LUNCH or s.customer_id is None
            else str(s.customer_id),
            arrival_s=s.arrival_s,
            wait_s=s.start_s - s.arrival_s,
            start_s=s.start_s,
            departure_s=s.departure_s,
            travel_s=s.travel_s,
            travel_m=s.travel_m,
        )
        for s in sorted(plan.stops, key=lambda s: s.seq)
    )
    return DayRoute(
        stops=stops,
        dropped=tuple(
            DroppedCandidate(str(d["customer_id"]), d["reason"])
            for d in plan.dropped or []
            if d.get("reason") in DROP_REASONS
        ),
        total_m=plan.total_m,
        driving_s=plan.driving_s,
        working_s=plan.working_s,
        prize=plan.prize,
        end_arrival_s=max(plan.end_s, 0),
        departure_s=plan.start_s,
    )
