"""The day's candidates in ``calendar`` mode: the calendar's customers first, urgent extras after.

In ``calendar`` mode (company setting ``nightly_mode``) a rep's day starts from the stored
visit calendar (:mod:`app.services.visit_calendars`):

* **core**: the customers whose regular day it is, and the calendar customers whose regular
  day of the last week passed without a visit (a holiday, a day off, a full day that
  dropped them): a skipped customer carries its urgency to the next days until visited. A
  regular customer already visited in the last half of its cycle was served early and
  waits for its next regular day;
* **extras**: customers outside today's calendar that the score calls urgent (a service gap,
  a purchase lapse, a field rescue, a collection under the company's policy, a visit a call
  asked for, a stop of the previous plan not visited) and customers the calendar does not
  hold yet (new in the portfolio until it is recomputed), best score first, as many as the
  day's candidate budget leaves.

Every core customer's prize is worth more than all the extras together, so the routing step
keeps the calendar first and spends on extras only the time left; it still builds the day
(opening hours, lunch, day length), and a core customer that cannot fit is dropped with
its reason like any other.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import CalendarSlot, Channel, Customer, VisitCalendar
from app.models.visit_calendar import CYCLE_WEEKS
from app.services import routing
from app.services.routing import CandidateInfo, CustomerFacts, PlanningConfig, ScoreFacts
from optimizer.model import Candidate
from optimizer.scoring.flags import COLLECTION, FIELD_REACTIVATION, PURCHASE_LAPSE, SERVICE_GAP

LOOKBACK_DAYS = 6  # a regular day missed within the last week keeps the customer core
URGENT_FLAGS = SERVICE_GAP | PURCHASE_LAPSE | FIELD_REACTIVATION


@dataclass(frozen=True)
class DayCalendar:
    """What a rep's calendar says about one date."""

    regular: frozenset[int] = frozenset()  # regular day today
    missed: frozenset[int] = frozenset()  # regular day in the last week, not visited since
    scheduled: frozenset[int] = frozenset()  # every customer with a slot in the calendar


def _regular_dates(
    start: date, weekday: int, weeks: int, first: date, last: date
) -> Iterable[date]:
    """Yield the dates in [first, last] a slot (weekday, weeks mask) falls on."""
    cur = first + timedelta(days=(weekday - first.weekday()) % 7)
    while cur <= last:
        if weeks >> ((cur - start).days // 7 % CYCLE_WEEKS) & 1:
            yield cur
        cur += timedelta(days=7)


def day_calendars(
    *,
    company_id: int,
    day: date,
    last_visits: Mapping[int, date],
    frequencies: Mapping[int, int] | None = None,
    user_ids: Collection[int] | None = None,
) -> dict[int, DayCalendar]:
    """Return each rep's :class:`DayCalendar` for ``day``, by rep id, in one query.

    ``last_visits`` are the customers' last visit dates before ``day``; ``frequencies``
    their visit frequency in days (a regular customer visited within half of it is not core).
    Only customers still in the rep's active field portfolio count.
    """
    query = (
        sa.select(
            VisitCalendar.user_id,
            VisitCalendar.cycle_start,
            VisitCalendar.computed_at,
            CalendarSlot.customer_id,
            CalendarSlot.weekday,
            CalendarSlot.weeks,
            Customer.visit_frequency_days,
        )
        .join(CalendarSlot, CalendarSlot.calendar_id == VisitCalendar.id)
        .join(Customer, Customer.id == CalendarSlot.customer_id)
        .where(
            VisitCalendar.company_id == company_id,
            Customer.owner_id == VisitCalendar.user_id,
            Customer.active.is_(True),
            Customer.channel == Channel.FIELD,
        )
    )
    if user_ids is not None:
        query = query.where(VisitCalendar.user_id.in_(list(user_ids)))
    regular: dict[int, set[int]] = {}
    missed: dict[int, set[int]] = {}
    scheduled: dict[int, set[int]] = {}
    for user_id, start, computed_at, cid, weekday, weeks, frequency in db.session.execute(query):
        scheduled.setdefault(user_id, set()).add(cid)
        seen = last_visits.get(cid)
        freq = (frequencies or {}).get(cid, frequency)
        if any(_regular_dates(start, weekday, weeks, day, day)):
            if seen is None or (day - seen).days > max(1, freq // 2):
                regular.setdefault(user_id, set()).add(cid)
            continue
        since = day - timedelta(days=LOOKBACK_DAYS)
        if computed_at is not None:
            since = max(since, computed_at.date())
        passed = list(_regular_dates(start, weekday, weeks, since, day - timedelta(days=1)))
        if passed and (seen is None or seen < passed[-1]):
            missed.setdefault(user_id, set()).add(cid)
    return {
        uid: DayCalendar(
            frozenset(regular.get(uid, ())), frozenset(missed.get(uid, ())), frozenset(ids)
        )
        for uid, ids in scheduled.items()
    }


def ranked(
    customers: Sequence[CustomerFacts],
    scores: Mapping[int, ScoreFacts],
    config: PlanningConfig,
    carried: Collection[int],
    requested: Collection[int],
    calendar: DayCalendar,
) -> list[tuple[CustomerFacts, CandidateInfo]]:
    """Return the day's candidates: the calendar's core, then urgent extras; policies applied.

    Each :class:`CandidateInfo` keeps the customer's own score (what the plan shows) and a
    ``prize`` for the routing step that puts every core customer ahead of all the extras.
    """
    positive = sorted(s.total for s in scores.values() if s.total > 0)
    collect_prize = positive[len(positive) // 2] if positive else 1.0
    core: list[tuple[CustomerFacts, CandidateInfo]] = []
    extras: list[tuple[CustomerFacts, CandidateInfo]] = []
    wanted = calendar.regular | calendar.missed
    for cust in customers:
        snap = scores.get(cust.id)
        if not routing.in_field(snap, cust.id, config, requested):
            continue
        priced = routing.policy_prize(snap, config.collection_policy, collect_prize)
        if priced is None:
            continue
        score, purpose = priced
        is_carried = cust.id in carried or cust.id in calendar.missed
        if is_carried:
            score = max(score, collect_prize) * config.carry_over_boost
        info = CandidateInfo(cust.id, round(score, 4), purpose, is_carried)
        if cust.id in wanted:
            core.append((cust, info))
            continue
        urgent = (
            (snap is not None and snap.flags & (URGENT_FLAGS | COLLECTION))
            or cust.id in carried
            or cust.id in requested
            or cust.id not in calendar.scheduled
        )
        if urgent and score > 0:
            extras.append((cust, info))
    extras.sort(key=lambda r: (-r[1].score, r[0].id))
    extras = extras[: max(0, config.candidates_per_day - len(core))]
    bonus = sum(info.score for _c, info in extras) + max(positive, default=1.0) + 1.0
    out = [
        (cust, _with_prize(info, max(info.score, 0.0) + bonus, regular=True))
        for cust, info in sorted(core, key=lambda r: (-r[1].score, r[0].id))
    ]
    out.extend((cust, _with_prize(info, info.score)) for cust, info in extras)
    return out


def calendar_first(
    candidates: Mapping[str, Candidate],
    info: Mapping[str, CandidateInfo],
    regular: Collection[int],
) -> tuple[dict[str, Candidate], dict[str, CandidateInfo]]:
    """Return a re-plan's candidates with the day's calendar customers ahead of the others.

    A re-plan rebuilds the day from the plan's stops and their scores; in ``calendar`` mode
    the customers whose regular day it is keep the precedence the nightly run gave them
    (every one above all the others together). Appointments are left as they are.
    """
    others = sum(
        c.prize
        for key, c in candidates.items()
        if info[key].customer_id not in regular and info[key].purpose != "appointment"
    )
    bonus = others + 1.0
    out_c, out_i = dict(candidates), dict(info)
    for key, cand in candidates.items():
        meta = info[key]
        if meta.customer_id in regular and meta.purpose != "appointment":
            out_i[key] = _with_prize(meta, max(meta.score, 0.0) + bonus, regular=True)
            out_c[key] = replace(cand, prize=out_i[key].routing_prize)
    return out_c, out_i


def _with_prize(info: CandidateInfo, prize: float, *, regular: bool = False) -> CandidateInfo:
    """Return the info with the routing prize set (and whether it is the calendar's visit)."""
    return CandidateInfo(
        info.customer_id,
        info.score,
        info.purpose,
        info.carried_over,
        prize=round(prize, 4),
        regular=regular,
    )
