"""The reps' plans of the demo's past days, built from the visits the demo already made.

The visits the demo marks as planned on one rep's day become that day's plan, ordered as a
first routing pass would (from where the rep is, the stop that can start soonest), timed as the
routing step times it: driving at São Paulo's speed by hour over road-like distances, waiting
for a shop to open, the customer's service time (shortened alike on days with more visits than a
working day holds). The visits' check-ins and check-outs then follow that route as a real day
runs it (a few minutes off, now late, now early). Days also end with what a real day leaves
behind: a stop the rep skipped (recorded as the phone records a skip) or one never reached.
Plan versus done and the team's day then read the same tables a real company fills.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.demo.customers import CustomerPlan
from app.models import (
    WEEKDAY_KEYS,
    ContactKind,
    Outcome,
    PlanSource,
    PlanStatus,
    StopKind,
    StopStatus,
)
from app.services.clock import at_local
from optimizer.model import Location
from optimizer.travel import DEFAULT_CIRCUITY, SpeedProfile, geodesic_from_m, geodesic_m

DAY_START_S = 8 * 3600
# Per day: chance that the rep skipped one planned stop, and that one more was never reached.
SKIP_SHARE = 0.30
UNREACHED_SHARE = 0.25
SKIP_NOTE = "Não deu tempo; fica para o próximo roteiro."
SPEED = SpeedProfile.sao_paulo()
# How a real day runs against its plan: the first check-in's spread (minutes) around its
# planned start, and the ranges of actual over planned length of each drive and visit.
FIRST_CHECK_IN_SD_MIN = 8.0
DRIVE_STRETCH = (0.75, 1.35)
VISIT_STRETCH = (0.7, 1.2)
ORDER_STRETCH = 1.15
# The demo's reps visit more customers a day than their customers' usual service times allow
# in a working day; on such days every visit is shortened alike (a quick pass instead of a
# full visit), down to this share of its usual length, so the day ends near its end.
DAY_END_S = 18 * 3600
MIN_PACE = 0.35
MIN_VISIT_S = 5 * 60


@dataclass
class StopPlan:
    """One stop of a past plan; `contact_key` is the index of its visit in the contact rows."""

    customer: CustomerPlan
    status: StopStatus
    contact_key: int | None
    arrival_s: int = 0
    start_s: int = 0
    departure_s: int = 0
    travel_s: int = 0
    travel_m: int = 0
    service_s: int = 0


@dataclass
class DayPlan:
    """A rep's plan of one past day."""

    user_id: int
    day: date
    base: tuple[float, float]
    stops: list[StopPlan] = field(default_factory=list)
    start_s: int = 0
    end_s: int = 0
    total_m: int = 0
    driving_s: int = 0
    started_at: datetime | None = None
    pace: float = 1.0  # share of the usual visit length the day leaves room for


def _position(customer: CustomerPlan) -> tuple[float, float]:
    return customer.row["latitude"], customer.row["longitude"]


def _drive(metres_straight: float, depart_s: int) -> tuple[int, int]:
    """Road metres and driving seconds of a leg, as the geodesic travel step estimates them."""
    metres = metres_straight * DEFAULT_CIRCUITY
    return round(metres), round(metres / 1000 / SPEED.kmh_at(depart_s) * 3600)


def _leg(a: tuple[float, float], b: tuple[float, float], depart_s: int) -> tuple[int, int]:
    return _drive(geodesic_m(Location(*a), Location(*b)), depart_s)


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def _opens_at(customer: CustomerPlan, day: date, arrival_s: int) -> int:
    """When the rep can start: on arrival if the shop is open, else when it next opens."""
    intervals = customer.row["opening_hours"].get(WEEKDAY_KEYS[day.weekday()], [])
    for opens, closes in sorted(intervals):
        if arrival_s < _seconds(closes):
            return max(arrival_s, _seconds(opens))
    return arrival_s


def _pace(plan: DayPlan) -> float:
    """The share of each visit's usual length that fits the day's window with its driving."""
    here, driving = plan.base, 0
    for stop in plan.stops:
        driving += _leg(here, _position(stop.customer), DAY_START_S)[1]
        here = _position(stop.customer)
    driving += _leg(here, plan.base, DAY_START_S)[1]
    service = sum(s.customer.row["service_minutes"] * 60 for s in plan.stops)
    room = DAY_END_S - DAY_START_S - driving
    return 1.0 if service <= room else max(MIN_PACE, room / service)


def _schedule(plan: DayPlan) -> None:
    """Order and time the route as a first routing pass would: from where the rep is, the
    stop that can start soonest (driving, then waiting for the shop to open) comes next;
    each visit takes the customer's service time at the day's pace."""
    plan.pace = _pace(plan)
    here, clock_s = plan.base, DAY_START_S
    plan.start_s = DAY_START_S
    left, ordered = list(plan.stops), []
    while left:
        # A stop never reached stays at the end of the route, where the day ran out.
        reachable = [s for s in left if s.status != StopStatus.PENDING] or left
        straight = geodesic_from_m(
            Location(*here), [Location(*_position(s.customer)) for s in reachable]
        )
        timed = []
        for stop, line in zip(reachable, straight, strict=True):
            metres, seconds = _drive(float(line), clock_s)
            start = _opens_at(stop.customer, plan.day, clock_s + seconds)
            timed.append((start, metres, seconds, stop))
        start, metres, seconds, stop = min(timed, key=lambda t: (t[0], t[1]))
        left.remove(stop)
        ordered.append(stop)
        stop.arrival_s, stop.start_s = clock_s + seconds, start
        usual = stop.customer.row["service_minutes"] * 60
        stop.service_s = max(MIN_VISIT_S, round(usual * plan.pace / 60) * 60)
        stop.departure_s = stop.start_s + stop.service_s
        stop.travel_s, stop.travel_m = seconds, metres
        plan.total_m += metres
        plan.driving_s += seconds
        here, clock_s = _position(stop.customer), stop.departure_s
    plan.stops = ordered
    metres, seconds = _leg(here, plan.base, clock_s)
    plan.total_m += metres
    plan.driving_s += seconds
    plan.end_s = clock_s + seconds


def _follow(rng: random.Random, plan: DayPlan, contact_rows: list[dict[str, Any]]) -> None:
    """Move each visit's check-in and check-out onto the route as a real day runs it.

    The day starts a few minutes off the plan; then the rep drives straight on to the next
    customer (waiting only for a shop that is still closed), each drive and each visit a
    little shorter or longer than planned, so the day runs now ahead, now behind its plan.
    """
    clock_s: int | None = None
    for stop in plan.stops:
        if stop.contact_key is None or stop.status != StopStatus.DONE:
            continue
        row = contact_rows[stop.contact_key]
        if clock_s is None:
            check_in_s = stop.start_s + round(rng.gauss(0, FIRST_CHECK_IN_SD_MIN) * 60)
        else:
            arrival = clock_s + round(stop.travel_s * rng.uniform(*DRIVE_STRETCH))
            check_in_s = _opens_at(stop.customer, plan.day, arrival)
        check_in_s = check_in_s // 60 * 60
        # A visit lasts about what the plan gave it; one that ends in an order a bit longer.
        stretch = rng.uniform(*VISIT_STRETCH)
        if row["outcome"] == Outcome.ORDER:
            stretch *= ORDER_STRETCH
        length = max(MIN_VISIT_S, round(stop.service_s * stretch / 60) * 60)
        check_in = at_local(plan.day, check_in_s)
        row["check_in_at"], row["check_out_at"] = check_in, check_in + timedelta(seconds=length)
        row["created_at"] = row["updated_at"] = row["check_out_at"]
        if plan.started_at is None:
            plan.started_at = check_in
        clock_s = check_in_s + length


def build(
    rng: random.Random,
    plans: list[CustomerPlan],
    contact_rows: list[dict[str, Any]],
    *,
    rep_ids: list[int],
    rep_bases: list[tuple[float, float]],
    today: date,
) -> list[DayPlan]:
    """Plan every past day on which a rep made planned visits; re-time those visits along
    the route and append the skip contacts."""
    by_id = {p.id: p for p in plans}
    base_of = dict(zip(rep_ids, rep_bases, strict=True))
    portfolio: dict[int, list[CustomerPlan]] = defaultdict(list)
    for p in plans:
        if not p.telesales and p.owner_id in base_of:
            portfolio[p.owner_id].append(p)
    visits: dict[tuple[int, date], list[int]] = defaultdict(list)
    for key, row in enumerate(contact_rows):
        if (
            row["kind"] == ContactKind.VISIT
            and row["planned"]
            and row["user_id"] in base_of
            and row["contact_date"] < today
        ):
            visits[(row["user_id"], row["contact_date"])].append(key)
    days = []
    for (user_id, day), keys in sorted(visits.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        plan = DayPlan(user_id=user_id, day=day, base=base_of[user_id])
        plan.stops = [
            StopPlan(by_id[contact_rows[k]["customer_id"]], StopStatus.DONE, k) for k in keys
        ]
        seen = {s.customer.id for s in plan.stops}
        others = [c for c in portfolio[user_id] if c.id not in seen and c.created <= day]
        for status, share in (
            (StopStatus.SKIPPED, SKIP_SHARE),
            (StopStatus.PENDING, UNREACHED_SHARE),
        ):
            if others and rng.random() < share:
                customer = others.pop(rng.randrange(len(others)))
                plan.stops.append(StopPlan(customer, status, None))
        _schedule(plan)
        _follow(rng, plan, contact_rows)
        for stop in plan.stops:
            if stop.status == StopStatus.SKIPPED:
                stop.contact_key = len(contact_rows)
                contact_rows.append(_skip_row(rng, stop, user_id, day, plan.end_s))
        days.append(plan)
    return days


def _skip_row(
    rng: random.Random, stop: StopPlan, user_id: int, day: date, end_s: int
) -> dict[str, Any]:
    """The contact the phone records when the rep skips a stop: no check-in, a reason."""
    at = at_local(day, min(end_s, 19 * 3600))
    row: dict[str, Any] = dict.fromkeys(_SKIP_NONE)
    row.update(
        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
        company_id=stop.customer.row["company_id"],
        customer_id=stop.customer.id,
        user_id=user_id,
        kind=ContactKind.VISIT,
        check_in_flagged=False,
        planned=True,
        contact_date=day,
        outcome=Outcome.SKIPPED,
        no_sale_reason="outro",
        notes=SKIP_NOTE,
        created_at=at,
        updated_at=at,
    )
    return row


_SKIP_NONE = (
    "order_value",
    "callback_at",
    "check_in_at",
    "check_out_at",
    "check_in_lat",
    "check_in_lon",
    "check_in_accuracy_m",
    "check_in_distance_m",
    "check_out_lat",
    "check_out_lon",
)


def plan_row(plan: DayPlan, company_id: int) -> dict[str, Any]:
    """The `plans` row of a past day: done, with the route's figures."""
    return {
        "company_id": company_id,
        "user_id": plan.user_id,
        "plan_date": plan.day,
        "status": PlanStatus.DONE,
        "source": PlanSource.NIGHTLY,
        "revision": 1,
        "settings_version": 1,
        "run_id": None,
        "start_s": plan.start_s,
        "end_s": plan.end_s,
        "total_m": plan.total_m,
        "driving_s": plan.driving_s,
        "working_s": plan.end_s - plan.start_s,
        "prize": 0.0,
        "dropped": [],
        "created_at": at_local(plan.day - timedelta(days=1), 23 * 3600),
        "started_at": plan.started_at,
    }


def stop_rows(plan: DayPlan, plan_id: int) -> list[dict[str, Any]]:
    """The `plan_stops` rows of a past day, in route order."""
    return [
        {
            "plan_id": plan_id,
            "seq": seq,
            "kind": StopKind.VISIT,
            "customer_id": stop.customer.id,
            "arrival_s": stop.arrival_s,
            "wait_s": stop.start_s - stop.arrival_s,
            "start_s": stop.start_s,
            "departure_s": stop.departure_s,
            "travel_s": stop.travel_s,
            "travel_m": stop.travel_m,
            "score": None,
            "pinned": False,
            "appointment": False,
            "status": stop.status,
        }
        for seq, stop in enumerate(plan.stops)
    ]
