"""The one adapter between ORM rows and the optimiser's dataclasses.

Rows in: a rep's ``WorkProfile`` becomes a :class:`RepDay`, customers with the day's score
become :class:`Candidate` objects, ``Appointment`` rows become appointment candidates.
Dataclasses out: a :class:`DayRoute` becomes a ``Plan`` with its ``PlanStop`` rows.
Candidate ids are customer ids as strings, so a route maps straight back to customers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from app.extensions import db
from app.jobs.work import travel_provider
from app.models import (
    Appointment,
    Channel,
    CompanySettings,
    Contact,
    ContactKind,
    Customer,
    Plan,
    PlanStatus,
    PlanStop,
    ScoreSnapshot,
    StopStatus,
    User,
    WorkProfile,
)
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
from optimizer.scoring.flags import COLLECTION
from optimizer.travel import TravelProvider, day_locations

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COLLECTION_POLICIES = ("skip", "collect_only", "allow")
__all__ = ["travel_provider"]  # re-exported: the one place the app picks its provider


class PlanningError(Exception):
    """A rep cannot be planned (missing work profile, no position...): recorded, not fatal."""


@dataclass(frozen=True)
class PlanningConfig:
    """The company's planning knobs, read once per run from its latest settings version."""

    company_id: int
    settings_version: int = 1
    candidates_per_day: int = 60
    collection_policy: str = "skip"
    osrm_url: str | None = None
    horizon_days: int = 5
    nightly_time: str = "02:00"
    timezone: str = "America/Sao_Paulo"
    day_seconds: float = 0.5
    agenda_seconds_per_day: float = 0.25
    carry_over_boost: float = 1.25
    week_agenda: bool = True


def load_config(*, company_id: int, osrm_url: str | None = None) -> PlanningConfig:
    """Read the company's latest settings version (app-wide OSRM URL as the fallback)."""
    row = db.session.scalar(
        sa.select(CompanySettings)
        .where(CompanySettings.company_id == company_id)
        .order_by(CompanySettings.version.desc())
        .limit(1)
    )
    planning: Mapping[str, Any] = row.planning if row is not None else {}
    policies: Mapping[str, Any] = row.policies if row is not None else {}
    policy = str(policies.get("collection_policy", "skip"))
    return PlanningConfig(
        company_id=company_id,
        settings_version=row.version if row is not None else 1,
        candidates_per_day=int(planning.get("candidates_per_day", 60)),
        collection_policy=policy if policy in COLLECTION_POLICIES else "skip",
        osrm_url=planning.get("osrm_url") or osrm_url,
        horizon_days=int(planning.get("plan_horizon_days", 5)),
        nightly_time=str(planning.get("nightly_time", "02:00")),
        day_seconds=float(planning.get("day_seconds", 0.5)),
        agenda_seconds_per_day=float(planning.get("agenda_seconds_per_day", 0.25)),
        week_agenda=bool(planning.get("week_agenda", True)),
    )


# --------------------------------------------------------------------------- rep day


def seconds_of(value: time) -> int:
    """Return seconds since midnight of a time of day."""
    return value.hour * 3600 + value.minute * 60 + value.second


def rep_day(profile: WorkProfile | None) -> RepDay:
    """Map a rep's work profile to the solver's day (same shape every working day)."""
    if profile is None:
        raise PlanningError("missing_work_profile")
    start_s, end_s = seconds_of(profile.day_start), seconds_of(profile.day_end)
    if end_s <= start_s:
        raise PlanningError("day_ends_before_it_starts")
    lunch = None
    if profile.lunch_earliest and profile.lunch_latest and profile.lunch_minutes > 0:
        early, late = seconds_of(profile.lunch_earliest), seconds_of(profile.lunch_latest)
        if start_s <= late and early <= end_s and early <= late:
            lunch = LunchBreak(early, late, profile.lunch_minutes * 60)
    return RepDay(
        start=Location(profile.start_lat, profile.start_lon),
        end=Location(profile.end_lat, profile.end_lon),
        start_s=start_s,
        end_s=end_s,
        max_working_s=max(60, min(profile.max_working_minutes * 60, end_s - start_s)),
        lunch=lunch,
    )


def works_on(profile: WorkProfile, day: date) -> bool:
    """Tell whether the rep's profile has this weekday as a working day."""
    return profile.works_on(day.weekday())


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
    """Return the sorted, merged opening intervals of each weekday (Monday first)."""
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


def week_intervals(opening_hours: Mapping[str, Any] | None) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Return the opening intervals of all seven weekdays at once (Monday first)."""
    return _week_table(_hours_key(opening_hours))


def opening_intervals(opening_hours: Mapping[str, Any] | None, weekday: int) -> list[tuple[int, int]]:
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


@dataclass(frozen=True)
class CandidateSet:
    """The day's candidates for the solver, and their app-side facts by candidate id."""

    candidates: tuple[Candidate, ...]
    info: Mapping[str, CandidateInfo] = field(default_factory=dict)


class ScoreFacts(NamedTuple):
    """The two numbers of a day's snapshot planning needs (not its JSON explanations)."""

    total: float
    flags: int


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


def scores_for(*, company_id: int, day: date, customer_ids: Iterable[int] | None = None) -> dict[int, ScoreFacts]:
    """Return the day's scores by customer id (falling back to the latest earlier day)."""
    score_day = db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date <= day
        )
    )
    if score_day is None:
        return {}
    query = sa.select(ScoreSnapshot.customer_id, ScoreSnapshot.total, ScoreSnapshot.flags).where(
        ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == score_day
    )
    if customer_ids is not None:
        query = query.where(ScoreSnapshot.customer_id.in_(list(customer_ids)))
    return {cid: ScoreFacts(total, flags) for cid, total, flags in db.session.execute(query)}


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
            Customer.id.in_(list(ids)), Customer.latitude.is_not(None), Customer.longitude.is_not(None)
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
    planned = {s.customer_id for s in previous.stops if s.customer_id is not None and s.status != StopStatus.DONE}
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


def appointments_for(*, rep: User, day: date) -> list[Appointment]:
    """Return the rep's appointments of the day."""
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(Appointment.user_id == rep.id, Appointment.day == day)
            .order_by(Appointment.window_start_s, Appointment.id)
        )
    )


def _policy_prize(snap: ScoreFacts | None, policy: str, collect_prize: float) -> tuple[float, str] | None:
    """Apply the collection policy: None leaves the customer out of the day."""
    score = snap.total if snap is not None else 0.0
    if snap is None or not snap.flags & COLLECTION or policy == "allow":
        return score, "sell"
    if policy == "skip":
        return None
    return max(score, collect_prize), "collect"


def _ranked(
    customers: Sequence[CustomerFacts], scores: Mapping[int, ScoreFacts], config: PlanningConfig, carried: set[int]
) -> list[tuple[CustomerFacts, CandidateInfo]]:
    """Pick the top-N by score plus the carried-over customers, policy applied."""
    positive = sorted(s.total for s in scores.values() if s.total > 0)
    collect_prize = positive[len(positive) // 2] if positive else 1.0
    rows: list[tuple[CustomerFacts, CandidateInfo]] = []
    for cust in customers:
        priced = _policy_prize(scores.get(cust.id), config.collection_policy, collect_prize)
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
) -> CandidateSet:
    """Return the rep's candidates for a date: best scores, carried-over and appointments."""
    if customers is None:
        customers = field_customers(rep=rep)
    if scores is None:
        scores = scores_for(company_id=rep.company_id, day=day, customer_ids=[c.id for c in customers])
    chosen = _ranked(customers, scores, config, carried_over(rep=rep, day=day))
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
    for cust, meta in chosen:
        key = str(cust.id)
        if key in cands:
            continue
        service_s = cust.service_minutes * 60
        cands[key] = Candidate(
            key,
            Location(cust.latitude, cust.longitude),
            meta.score,
            service_s,
            service_windows(cust.opening_hours, day.weekday(), service_s),
        )
        info[key] = meta
    return CandidateSet(tuple(cands.values()), info)


def day_problem(rep: RepDay, candidates: Sequence[Candidate], provider: TravelProvider) -> DayProblem:
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
    route: DayRoute, info: Mapping[str, CandidateInfo], *, pinned: Iterable[str] = (), first_seq: int = 0
) -> list[dict[str, Any]]:
    """Return the ``plan_stops`` values of a route, in order (without ``plan_id``)."""
    pinned_ids = set(pinned)
    rows = []
    for seq, stop in enumerate(route.stops, start=first_seq):
        cid = stop.candidate_id
        meta = info.get(cid) if cid else None
        rows.append({
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
        })
    return rows


def set_totals(plan: Plan, route: DayRoute, info: Mapping[str, CandidateInfo], *, keep_start: bool = False) -> None:
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


def working_days_after(day: date, count: int, is_working: Any) -> list[date]:
    """Return the next ``count`` working dates after ``day`` (``is_working(date)`` decides)."""
    out: list[date] = []
    cur = day
    for _ in range(count * 4 + 14):
        cur += timedelta(days=1)
        if is_working(cur):
            out.append(cur)
            if len(out) == count:
                break
    return out


def route_from_plan(plan: Plan) -> DayRoute:
    """Rebuild the solver's view of a saved plan (to freeze it or re-plan from it)."""
    stops = tuple(
        ScheduledStop(
            kind="lunch" if s.kind == "lunch" else "visit",
            candidate_id=None if s.kind == "lunch" or s.customer_id is None else str(s.customer_id),
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
