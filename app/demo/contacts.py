"""Visits and calls of the last 90 days, consistent with cadences, orders and neglect."""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.demo import geography
from app.demo.customers import CustomerPlan
from app.demo.history import OrderPlan, business_day, open_day
from app.demo.people import REPS_PER_TEAM
from app.models import WEEKDAY_KEYS, ContactKind, Outcome
from app.services.clock import at_local
from optimizer.model import Location
from optimizer.travel import geodesic_m

WINDOW_DAYS = 90
CHECK_IN_RADIUS_M = 300
# Share of each rep's field portfolio that the rep neglects (the service gaps to find).
REP_NEGLECT = (0.04, 0.22, 0.08, 0.15, 0.05, 0.28, 0.10, 0.12)
TELESALES_NEGLECT = 0.08
NO_SALE_WEIGHTS = {
    "estoque_cheio": 38,
    "comprador_ausente": 20,
    "preco": 15,
    "sem_dinheiro": 12,
    "concorrencia": 10,
    "outro": 5,
}
LAPSING_WEIGHTS = {
    "estoque_cheio": 20,
    "preco": 30,
    "concorrencia": 30,
    "comprador_ausente": 15,
    "outro": 5,
}
NOTES = {
    "estoque_cheio": "Ainda tem mercadoria do último pedido.",
    "preco": "Achou o preço alto; pediu condição melhor.",
    "concorrencia": "Está comprando de outro distribuidor.",
    "comprador_ausente": "Dono não estava; voltar outro dia.",
    "sem_dinheiro": "Movimento fraco, sem caixa esta semana.",
}
DAY_START_S, DAY_END_S = 8 * 3600, 18 * 3600
# Calls have no position; every row still carries every key, as executemany needs.
_POSITION_KEYS = (
    "check_in_lat",
    "check_in_lon",
    "check_in_accuracy_m",
    "check_in_distance_m",
    "check_out_lat",
    "check_out_lon",
)


def plan_contacts(
    rng: random.Random,
    plans: list[CustomerPlan],
    orders: list[OrderPlan],
    *,
    telesales_ids: list[int],
    today: date,
) -> list[dict[str, Any]]:
    """Build the contact rows; orders taken on a contact get its key in ``contact_key``."""
    start = today - timedelta(days=WINDOW_DAYS)
    recent: dict[int, list[OrderPlan]] = defaultdict(list)
    for order in orders:
        if order.day >= start:
            recent[order.customer.index].append(order)
    contacts: list[dict[str, Any]] = []
    for plan in plans:
        neglect = TELESALES_NEGLECT if plan.telesales else REP_NEGLECT[plan.rep_index]
        neglected = rng.random() < neglect
        done = _order_contacts(rng, plan, recent.get(plan.index, []), contacts, neglected)
        cadence = _cadence(rng, plan, neglected)
        if cadence:
            _routine_contacts(rng, plan, max(start, plan.created), today, cadence, done, contacts)
        if neglected and not plan.telesales and rng.random() < 0.5:
            seat = telesales_ids[plan.rep_index // REPS_PER_TEAM]
            _pushed_call(rng, plan, seat, start, today, contacts)
    return contacts


def _cadence(rng: random.Random, plan: CustomerPlan, neglected: bool) -> int | None:
    """Days between routine contacts, stretched for neglected and given-up customers."""
    cadence = plan.frequency
    if neglected:
        if rng.random() < 0.4:
            return None
        cadence *= rng.choice((2, 3, 4))
    if plan.behaviour == "lost":
        cadence *= 3
    if plan.behaviour == "never":
        cadence = max(cadence, 21)
    return cadence


def _order_contacts(
    rng: random.Random,
    plan: CustomerPlan,
    orders: list[OrderPlan],
    contacts: list[dict[str, Any]],
    neglected: bool,
) -> list[date]:
    """Most recent orders were taken on a visit or call; the rest came in by phone or ERP."""
    done = []
    for order in orders:
        if rng.random() < (0.25 if neglected else 0.7):
            order.contact_key = len(contacts)
            contacts.append(
                _contact(
                    rng, plan, plan.owner_id, order.day, Outcome.ORDER, order_value=order.total
                )
            )
            done.append(order.day)
    return done


def _routine_contacts(
    rng: random.Random,
    plan: CustomerPlan,
    start: date,
    today: date,
    cadence: int,
    done: list[date],
    contacts: list[dict[str, Any]],
) -> None:
    """Visits or calls on the customer's cadence that did not end in an order."""
    day = start + timedelta(days=rng.randint(0, cadence - 1))
    while day < today:
        when = _contact_day(plan, day + timedelta(days=rng.randint(-2, 2)), today)
        if when >= start and all(abs((when - d).days) > cadence // 2 for d in done):
            outcome, reason = _no_order_outcome(rng, plan)
            contacts.append(_contact(rng, plan, plan.owner_id, when, outcome, reason=reason))
            done.append(when)
        day += timedelta(days=cadence)


def _pushed_call(
    rng: random.Random,
    plan: CustomerPlan,
    seat: int,
    start: date,
    today: date,
    contacts: list[dict[str, Any]],
) -> None:
    """A call by the team's telesales seat for a field visit that kept being skipped."""
    day = business_day(start + timedelta(days=rng.randint(20, WINDOW_DAYS - 1)), saturday=False)
    if day >= today or day < plan.created:
        return
    outcome, reason = _call_outcome(rng, plan)
    row = _contact(rng, plan, seat, day, outcome, reason=reason, kind=ContactKind.CALL)
    row["notes"] = "Visita não realizada; contato feito pela televendas."
    contacts.append(row)


def _contact_day(plan: CustomerPlan, day: date, today: date) -> date:
    """The nearest day before today on which the contact could happen (shop open, rep working)."""
    return open_day(plan, day, before=today)


def _no_order_outcome(rng: random.Random, plan: CustomerPlan) -> tuple[Outcome, str | None]:
    if plan.telesales:
        return _call_outcome(rng, plan)
    roll = rng.random()
    if roll < 0.07:
        return Outcome.CLOSED, None
    if plan.payer != "good" and roll < 0.2:
        return Outcome.COLLECTED, None
    return Outcome.NO_SALE, _reason(rng, plan)


def _call_outcome(rng: random.Random, plan: CustomerPlan) -> tuple[Outcome, str | None]:
    roll = rng.random()
    if roll < 0.2:
        return Outcome.NOT_REACHED, None
    if roll < 0.3:
        return Outcome.CALLBACK, None
    return Outcome.NO_SALE, _reason(rng, plan)


def _reason(rng: random.Random, plan: CustomerPlan) -> str:
    weights = LAPSING_WEIGHTS if plan.behaviour in ("lapsing", "lost") else NO_SALE_WEIGHTS
    if plan.payer == "defaulter" and rng.random() < 0.5:
        return "sem_dinheiro"
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _contact(
    rng: random.Random,
    plan: CustomerPlan,
    user_id: int,
    day: date,
    outcome: Outcome,
    *,
    reason: str | None = None,
    order_value: Decimal | None = None,
    kind: ContactKind | None = None,
) -> dict[str, Any]:
    """One contact row with times inside the working day and opening hours."""
    kind = kind or (ContactKind.CALL if plan.telesales else ContactKind.VISIT)
    row: dict[str, Any] = {
        "client_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
        "company_id": plan.row["company_id"],
        "customer_id": plan.id,
        "user_id": user_id,
        "kind": kind,
        "check_in_flagged": False,
        "planned": rng.random() < (0.9 if kind == ContactKind.CALL else 0.8),
        "contact_date": day,
        "outcome": outcome,
        "no_sale_reason": reason,
        "order_value": order_value,
        "notes": NOTES.get(reason or "") if rng.random() < 0.25 else None,
        "callback_at": None,
        **dict.fromkeys(_POSITION_KEYS),
    }
    if kind == ContactKind.VISIT:
        row.update(_visit_times(rng, plan, day, outcome))
    else:
        row.update(_call_times(rng, day))
    if outcome == Outcome.CALLBACK:
        row["callback_at"] = at_local(
            business_day(day + timedelta(days=3), saturday=False), 10 * 3600
        )
    row["created_at"] = row["updated_at"] = row["check_out_at"]
    return row


def _visit_times(
    rng: random.Random, plan: CustomerPlan, day: date, outcome: Outcome
) -> dict[str, Any]:
    minutes = (
        plan.row["service_minutes"]
        * rng.uniform(0.7, 1.6)
        * (1.3 if outcome == Outcome.ORDER else 1.0)
    )
    start_s = _start_second(rng, plan, day, int(minutes * 60))
    check_in = at_local(day, start_s)
    lat, lon = plan.row["latitude"], plan.row["longitude"]
    if rng.random() < 0.04:
        far = rng.uniform(0.4, 2.5)
        bearing = rng.uniform(0, 2 * math.pi)
        in_lat, in_lon = geography.offset(
            lat, lon, far * math.cos(bearing), far * math.sin(bearing)
        )
    else:
        in_lat, in_lon = geography.offset(lat, lon, rng.gauss(0, 0.018), rng.gauss(0, 0.018))
    out_lat, out_lon = geography.offset(in_lat, in_lon, rng.gauss(0, 0.01), rng.gauss(0, 0.01))
    distance = geodesic_m(Location(lat, lon), Location(in_lat, in_lon))
    return {
        "check_in_at": check_in,
        "check_in_lat": round(in_lat, 6),
        "check_in_lon": round(in_lon, 6),
        "check_in_accuracy_m": round(rng.uniform(4, 30), 1),
        "check_in_distance_m": round(distance, 1),
        "check_in_flagged": distance > CHECK_IN_RADIUS_M,
        "check_out_at": check_in + timedelta(minutes=minutes),
        "check_out_lat": round(out_lat, 6),
        "check_out_lon": round(out_lon, 6),
    }


def _call_times(rng: random.Random, day: date) -> dict[str, Any]:
    start = at_local(day, rng.randint(DAY_START_S + 1800, DAY_END_S - 1800))
    return {"check_in_at": start, "check_out_at": start + timedelta(minutes=rng.uniform(2, 12))}


def _start_second(rng: random.Random, plan: CustomerPlan, day: date, duration_s: int) -> int:
    """A check-in second inside both the rep's day and one of the shop's intervals."""
    intervals = plan.row["opening_hours"].get(WEEKDAY_KEYS[day.weekday()], [])
    windows = []
    for opens, closes in intervals:
        low = max(DAY_START_S, _seconds(opens))
        high = min(DAY_END_S, _seconds(closes)) - duration_s
        if high > low:
            windows.append((low, high))
    low, high = rng.choice(windows) if windows else (DAY_START_S, DAY_END_S - duration_s)
    return rng.randint(low, high) // 60 * 60


def _seconds(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 3600 + int(minutes) * 60
