"""A rep's candidates for a day: best scores, carried-over, covered customers, appointments.

Candidate ids are customer ids as strings, so a route maps straight back to customers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from app.models import User
from app.services.routing.config import PlanningConfig
from app.services.routing.facts import (
    CandidateInfo,
    CandidateSet,
    CustomerFacts,
    ScoreFacts,
    appointments_for,
    carried_over,
    covered_customers,
    customer_facts,
    field_customers,
    scores_for,
    visit_requests,
)
from app.services.routing.times import service_windows
from optimizer.model import Candidate, DayProblem, Location, RepDay, TimeWindow
from optimizer.scoring.flags import COLLECTION, FIELD_REACTIVATION
from optimizer.travel import TravelProvider, day_locations

if TYPE_CHECKING:
    from app.services.planning.calendar_candidates import DayCalendar


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
