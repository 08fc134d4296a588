"""Eighteen months of orders and their receivables, from each customer's own purchase cycle."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import holidays

from app.demo.customers import CustomerPlan
from app.demo.segments import CATALOGUE
from app.models import WEEKDAY_KEYS

HISTORY_DAYS = 548  # 18 months
# Purchase rate and ticket size by month: December peak, Carnaval (February) dip.
MONTH_RATE = {
    1: 0.95,
    2: 0.82,
    3: 0.97,
    4: 1.0,
    5: 1.0,
    6: 1.0,
    7: 0.97,
    8: 1.0,
    9: 1.0,
    10: 1.02,
    11: 1.08,
    12: 1.25,
}
MONTH_TICKET = {1: 0.95, 2: 0.88, 3: 0.98, 11: 1.05, 12: 1.2}
# Gamma shape of the gaps between orders: higher is more regular.
GAP_SHAPE = {
    "regular": 8.0,
    "mix_lapse": 8.0,
    "lapsing": 6.0,
    "lost": 5.0,
    "new": 4.0,
    "irregular": 1.6,
}
CENT = Decimal("0.01")
# A category with at least this share of a customer's mix is bought on almost every order.
CORE_SHARE = 0.15
CORE_PRESENCE = 0.97
# Other categories stay well under the scoring engine's 25 % "regular category" share.
OCCASIONAL_PRESENCE = 0.12


@dataclass
class LinePlan:
    """One order line before insertion."""

    product_code: str
    product_name: str
    category: str
    quantity: int
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        """Quantity times unit price, exact to the cent."""
        return (self.unit_price * self.quantity).quantize(CENT)


@dataclass
class OrderPlan:
    """One order before insertion; a visit or call may claim it as its outcome."""

    customer: CustomerPlan
    day: date
    lines: list[LinePlan]
    contact_key: int | None = None
    paid_date: date | None = None
    due_date: date | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        """Sum of the lines: an order's total never disagrees with its lines."""
        return sum((line.total for line in self.lines), Decimal("0"))


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BR", subdiv="SP", years=year))


def business_day(day: date, *, saturday: bool) -> date:
    """Move a day back to the nearest day the customer could have ordered on."""
    while not _works(day, saturday=saturday):
        day -= timedelta(days=1)
    return day


def _works(day: date, *, saturday: bool) -> bool:
    return day.weekday() < 5 + saturday and day not in _holidays(day.year)


def open_day(plan: CustomerPlan, day: date, *, before: date) -> date:
    """The nearest day before ``before`` that is a working day on which the shop opens.

    Alternate directions from the day (later first on odd ordinals) so that weekend
    and closed days spread over the neighbouring days instead of piling onto Fridays.
    """
    hours = plan.row["opening_hours"]
    sign = 1 if day.toordinal() % 2 else -1
    for step in range(15):
        shift = (step + 1) // 2 * (1 if step % 2 else -1)  # 0, +1, -1, +2, -2, ...
        candidate = day + timedelta(days=sign * shift)
        if candidate >= before:
            continue
        opens = plan.telesales or bool(hours.get(WEEKDAY_KEYS[candidate.weekday()]))
        if opens and _works(candidate, saturday=plan.works_saturday):
            return candidate
    return business_day(min(day, before - timedelta(days=1)), saturday=plan.works_saturday)


def order_days(rng: random.Random, plan: CustomerPlan, today: date) -> list[date]:
    """Order dates of a customer, shaped by its behaviour, cycle and the seasons."""
    if plan.behaviour == "never":
        return []
    first = max(today - timedelta(days=HISTORY_DAYS), plan.created)
    shape = GAP_SHAPE[plan.behaviour]
    if plan.behaviour == "new":
        start = max(plan.created + timedelta(days=rng.randint(1, 10)), today - timedelta(days=58))
        days = _forward(rng, start, today, plan.cycle_days, shape)
    else:
        last = today - timedelta(days=_days_since_last(rng, plan, first, today))
        days = _backward(rng, last, first, plan.cycle_days, shape)
    moved = {open_day(plan, d, before=today) for d in days}
    return sorted(d for d in moved if first <= d < today)


def _days_since_last(rng: random.Random, plan: CustomerPlan, first: date, today: date) -> int:
    cycle = plan.cycle_days
    if plan.behaviour == "lapsing":
        return min(110, round(rng.uniform(1.6, 3.0) * cycle))
    if plan.behaviour == "lost":
        latest = max(130, (today - first).days - round(4 * cycle))
        return max(round(4.5 * cycle), rng.randint(125, min(420, latest)))
    spread = 1.3 if plan.behaviour == "irregular" else 1.0
    return max(1, round(rng.uniform(0.0, spread) * cycle))


def _gap(rng: random.Random, day: date, cycle: float, shape: float) -> float:
    return max(1.0, rng.gammavariate(shape, cycle / shape) / MONTH_RATE[day.month])


def _backward(
    rng: random.Random, last: date, first: date, cycle: float, shape: float
) -> list[date]:
    days, offset = [], 0.0
    day = last
    while day >= first:
        days.append(day)
        offset += _gap(rng, day, cycle, shape)
        day = last - timedelta(days=round(offset))
    return days


def _forward(
    rng: random.Random, start: date, today: date, cycle: float, shape: float
) -> list[date]:
    days, offset = [], 0.0
    day = start
    while day < today:
        days.append(day)
        offset += _gap(rng, day, cycle, shape)
        day = start + timedelta(days=round(offset))
    return days


def plan_orders(rng: random.Random, plans: list[CustomerPlan], today: date) -> list[OrderPlan]:
    """Every order of every customer, with lines over its category mix."""
    orders: list[OrderPlan] = []
    for plan in plans:
        days = order_days(rng, plan, today)
        plan.extras["last_order"] = days[-1] if days else None
        if plan.behaviour == "mix_lapse" and len(days) >= 8:
            _choose_dropped_category(rng, plan, today)
        sigma = 0.45 if plan.behaviour == "irregular" else 0.22
        for day in days:
            target = plan.ticket * MONTH_TICKET.get(day.month, 1.0) * rng.lognormvariate(0.0, sigma)
            orders.append(OrderPlan(plan, day, _lines(rng, plan, day, target)))
    return orders


def _choose_dropped_category(rng: random.Random, plan: CustomerPlan, today: date) -> None:
    """Make the customer stop buying one of its main categories a few months ago."""
    main = sorted(plan.mix.items(), key=lambda kv: kv[1], reverse=True)[:2]
    plan.dropped_category = rng.choice(main)[0]
    plan.extras["dropped_since"] = today - timedelta(days=rng.randint(50, 120))


def _mix_on(plan: CustomerPlan, day: date) -> dict[str, float]:
    if plan.dropped_category and day >= plan.extras["dropped_since"]:
        return {c: w for c, w in plan.mix.items() if c != plan.dropped_category}
    return plan.mix


def _lines(rng: random.Random, plan: CustomerPlan, day: date, target: float) -> list[LinePlan]:
    """Core categories come in almost every order, the others now and then."""
    mix = _mix_on(plan, day)
    chosen = {
        category: w * rng.uniform(0.6, 1.4)
        for category, w in mix.items()
        if rng.random() < (CORE_PRESENCE if w >= CORE_SHARE else min(OCCASIONAL_PRESENCE, w))
    }
    if not chosen:
        chosen = {max(mix, key=mix.__getitem__): 1.0}
    weight = sum(chosen.values())
    lines = []
    for category, w in chosen.items():
        code, name, price = rng.choice(CATALOGUE[category])
        unit_price = Decimal(price)
        quantity = max(1, round(target * w / weight / float(unit_price)))
        lines.append(LinePlan(code, name, category, quantity, unit_price))
    return lines


def settle(rng: random.Random, orders: list[OrderPlan], today: date) -> None:
    """Give each order's invoice a due date and, when paid by now, a payment date."""
    default_from: dict[int, date] = {}
    for order in orders:
        plan = order.customer
        order.due_date = order.day + timedelta(days=plan.terms_days)
        if plan.payer == "defaulter" and plan.index not in default_from:
            default_from[plan.index] = _default_start(rng, plan.extras["last_order"], today)
        paid: date | None = _payment_day(rng, plan.payer, order.day, order.due_date)
        if plan.payer == "defaulter" and order.day >= default_from[plan.index]:
            paid = None
        order.paid_date = paid if paid is not None and paid < today else None


def _default_start(rng: random.Random, last: date | None, today: date) -> date:
    start = today - timedelta(days=rng.randint(35, 80))
    if last is not None and last < start:
        start = last - timedelta(days=rng.randint(0, 30))
    return start


def _payment_day(rng: random.Random, payer: str, issue: date, due: date) -> date:
    roll = rng.random()
    if payer == "slow":
        delay = round(rng.uniform(-2, 30)) if roll < 0.9 else rng.randint(30, 60)
    elif roll < 0.9:
        delay = -rng.randint(0, 4)
    elif roll < 0.98:
        delay = rng.randint(1, 5)
    else:
        delay = rng.randint(6, 25)
    return max(issue, due + timedelta(days=delay))
