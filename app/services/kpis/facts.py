"""What the KPIs know about each customer, loaded in a few grouped queries.

One pass loads a few grouped facts per customer of the filtered base (last contact,
order windows, overdue, latest score); coverage, lapses, churn, expansion, activation,
health and the map status all derive from those facts, so every number agrees with
the list of customers behind it (docs/kpis.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Contact, Customer, Order, Outcome, Receivable
from app.security.scope import Scope
from app.services import score_retention
from app.services import ticket as tickets
from optimizer.scoring.components import MONTH_DAYS

# Outcomes meaning someone actually talked to the customer (a visit or call that
# ended skipped, closed, unreached or rescheduled is not service).
EFFECTIVE_OUTCOMES = (
    Outcome.ORDER,
    Outcome.NO_SALE,
    Outcome.COLLECTED,
    Outcome.CALLBACK,
    Outcome.VISIT_REQUESTED,
)


FLAG_GAP, FLAG_LAPSE, FLAG_RESCUE = 1, 2, 4


ACTIVE_WINDOW_DAYS = 90


DEFAULT_CYCLE_DAYS = 30.0


TREND_WEEKS = 8


AT_RISK_BELOW = 50


STATUSES = ("ok", "gap", "lapse", "rescue")


@dataclass(frozen=True)
class KpiFilter:
    """Who and when: the scope, an optional rep, segment and region, and the period."""

    scope: Scope
    start: date
    end: date
    rep_id: int | None = None
    segment: str | None = None
    zone: str | None = None

    @property
    def by_customer(self) -> bool:
        """Filtered by a customer attribute (segment or region), not only by people."""
        return bool(self.segment or self.zone)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class CustomerFacts:
    """What the KPIs need to know about one customer, as of the end of the period.

    The derived values are cached: read them only once the facts are loaded.
    """

    id: int
    name: str
    erp_code: str
    owner_id: int | None
    segment: str
    frequency: int
    latitude: float | None
    longitude: float | None
    end: date
    last_contact: date | None = None
    last_order: date | None = None
    flags: int = 0
    score: float | None = None
    cycle_days: float | None = None
    avg_ticket: float = 0.0  # the one average ticket (app/services/ticket.py) as of `end`
    monthly_value: float | None = None  # the score snapshot's, when it stored one
    overdue: float = 0.0
    revenue_before: float = 0.0
    revenue_now: float = 0.0
    bought_this_month: bool = False
    bought_last_month: bool = False
    week_last_contact: list[date | None] = field(default_factory=list)
    week_bought: list[bool] = field(default_factory=list)
    # Last order on or before each trend week end, preceded by the week end before them.
    week_last_order: list[date | None] = field(default_factory=list)

    @property
    def days_since_contact(self) -> int | None:
        return None if self.last_contact is None else (self.end - self.last_contact).days

    @property
    def days_since_order(self) -> int | None:
        return None if self.last_order is None else (self.end - self.last_order).days

    @cached_property
    def in_gap(self) -> bool:
        """Ruptura de atendimento: not contacted within its required frequency."""
        since = self.days_since_contact
        return since is None or since > self.frequency

    @cached_property
    def gap_days(self) -> int | None:
        """Days past the frequency (None when never contacted or not in gap)."""
        since = self.days_since_contact
        return None if since is None or since <= self.frequency else since - self.frequency

    @property
    def lapsed(self) -> bool:
        return bool(self.flags & FLAG_LAPSE) and not self.rescue

    @property
    def rescue(self) -> bool:
        return bool(self.flags & FLAG_RESCUE)

    @property
    def value_at_risk(self) -> float:
        """Monthly revenue the customer usually brings: average ticket × days in a month / cycle.

        The score snapshot's own figure when it has one (the card shows the same number).
        """
        if self.monthly_value is not None:
            return self.monthly_value
        cycle = self.cycle_days or DEFAULT_CYCLE_DAYS
        return self.avg_ticket * MONTH_DAYS / max(cycle, 1.0)

    @property
    def active_at_start(self) -> bool:
        return self.revenue_before > 0

    @property
    def active_at_end(self) -> bool:
        return self.revenue_now > 0

    @property
    def churned(self) -> bool:
        """Bought in the 90 days before the period, none in the 90 days ending at its end."""
        return self.active_at_start and not self.active_at_end

    @cached_property
    def status(self) -> str:
        """Map status, worst first: rescue, lapse, gap, ok."""
        if self.rescue:
            return "rescue"
        if self.lapsed:
            return "lapse"
        return "gap" if self.in_gap else "ok"

    @cached_property
    def health(self) -> int:
        """0–100: 100 minus penalties for rescue/lapse, service gap, overdue and falling revenue."""
        penalty = 50 if self.rescue else 30 if self.lapsed else 0
        if self.in_gap:
            late = self.gap_days if self.gap_days is not None else self.frequency
            penalty += 15 + min(15, round(15 * late / max(self.frequency, 1)))
        if self.overdue > 0:
            penalty += 20
        if self.revenue_before > 0 and self.revenue_now < 0.7 * self.revenue_before:
            penalty += 15
        return max(0, 100 - penalty)

    @property
    def at_risk(self) -> bool:
        """A rescue case, or health below 50.

        A rescue case that was contacted recently scores exactly 50 (no gap penalty), yet it still
        has not bought for several cycles: contact alone does not take it out of danger.
        """
        return self.rescue or self.health < AT_RISK_BELOW


def gap_order(f: CustomerFacts) -> tuple[int, str]:
    """Sort key: furthest past its frequency first (never contacted before all), then by name."""
    return (-(f.gap_days if f.gap_days is not None else 10**6), f.name)


def week_ends(end: date, weeks: int = TREND_WEEKS) -> list[date]:
    """The last day of each of the trend's weeks, oldest first, the last one being `end`."""
    return [end - timedelta(days=7 * (weeks - 1 - k)) for k in range(weeks)]


def month_windows(end: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """This month up to `end`, and the same days of the previous month (a fair comparison)."""
    this_start = end.replace(day=1)
    prev_end_of_month = this_start - timedelta(days=1)
    prev_start = prev_end_of_month.replace(day=1)
    prev_end = prev_start.replace(day=min(end.day, prev_end_of_month.day))
    return (this_start, end), (prev_start, prev_end)


def _customer_base(flt: KpiFilter, only: set[int] | None = None) -> sa.Select[Any]:
    stmt = sa.select(Customer.id).where(flt.scope.customer_filter())
    if only is not None:  # customers behind contacts: active or not, any segment
        return stmt.where(Customer.id.in_(sorted(only)))
    stmt = stmt.where(Customer.active.is_(True))
    if flt.rep_id:
        stmt = stmt.where(Customer.owner_id == flt.rep_id)
    if flt.segment:
        stmt = stmt.where(Customer.segment == flt.segment)
    if flt.zone:
        stmt = stmt.where(Customer.zone == flt.zone)
    return stmt


def _day(value: Any) -> date | None:
    """A date from either driver's value (ISO text on SQLite, date on PostgreSQL)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _any_between(column: Any, first: date, last: date) -> Any:
    return sa.func.max(sa.case((column.between(first, last), 1), else_=0))


def _money_sum(condition: Any) -> Any:
    return sa.cast(sa.func.sum(sa.case((condition, Order.total), else_=0)), sa.Float)


def load_facts(flt: KpiFilter, only: set[int] | None = None) -> dict[int, CustomerFacts]:
    """Facts for every customer of the filtered base (or of `only`), in five grouped queries."""
    base = _customer_base(flt, only)
    rows = db.session.execute(
        sa.select(
            Customer.id,
            Customer.trade_name,
            Customer.erp_code,
            Customer.owner_id,
            Customer.segment,
            Customer.visit_frequency_days,
            Customer.latitude,
            Customer.longitude,
        ).where(Customer.id.in_(base))
    )
    facts = {
        r[0]: CustomerFacts(
            id=r[0],
            name=r[1],
            erp_code=r[2],
            owner_id=r[3],
            segment=r[4],
            frequency=r[5],
            latitude=r[6],
            longitude=r[7],
            end=flt.end,
        )
        for r in rows
    }
    if facts:
        _add_contacts(facts, base, flt)
        _add_orders(facts, base, flt)
        _add_overdue(facts, base, flt)
        _add_scores(facts, base, flt)
    return facts


def _last_by_bucket(
    key: Any, column: Any, where: list[Any], ends: list[date]
) -> dict[int, list[date | None]]:
    """Per customer, the last `column` date on or before each of `ends` (sorted).

    One CASE puts each row in the first week end it does not pass; the database groups
    by (customer, bucket), and a running maximum in Python fills the week ends.
    """
    bucket = sa.case(*[(column <= d, k) for k, d in enumerate(ends)], else_=len(ends))
    stmt = (
        sa.select(key, bucket, sa.type_coerce(sa.func.max(column), sa.String))
        .where(*where, column <= ends[-1])
        .group_by(key, bucket)
    )
    out: dict[int, list[date | None]] = {}
    for cid, k, raw in db.session.execute(stmt):
        lasts = out.get(cid)
        if lasts is None:
            lasts = out[cid] = [None] * len(ends)
        lasts[k] = _day(raw)
    for lasts in out.values():
        for k in range(1, len(lasts)):
            if lasts[k] is None:
                lasts[k] = lasts[k - 1]
    return out


def _add_contacts(facts: dict[int, CustomerFacts], base: Any, flt: KpiFilter) -> None:
    ends = week_ends(flt.end)
    # A contact older than the longest frequency before the first week end cannot put
    # anyone in frequency; those customers' last contact is looked up apart.
    longest = max(f.frequency for f in facts.values())
    since = ends[0] - timedelta(days=longest + 1)
    effective = [Contact.customer_id.in_(base), Contact.outcome.in_(EFFECTIVE_OUTCOMES)]
    # The company condition lets PostgreSQL range-scan ix_contacts_company_day: the
    # window stays the same size however many years of contacts the table holds.
    where = [
        *effective,
        Contact.company_id == flt.scope.company_id,
        Contact.contact_date > since,
    ]
    for cid, lasts in _last_by_bucket(
        Contact.customer_id, Contact.contact_date, where, ends
    ).items():
        f = facts[cid]
        f.week_last_contact = lasts
        f.last_contact = lasts[-1]
    older = [cid for cid, f in facts.items() if f.last_contact is None]
    if older:
        for cid, last in db.session.execute(
            sa.select(Contact.customer_id, sa.func.max(Contact.contact_date))
            .where(
                Contact.customer_id.in_(older),
                Contact.outcome.in_(EFFECTIVE_OUTCOMES),
                Contact.contact_date <= since,
            )
            .group_by(Contact.customer_id)
        ):
            f = facts[cid]
            f.last_contact = last
            f.week_last_contact = [last] * len(ends)


def _last_on_or_before(column: Any, day: date) -> Any:
    return sa.type_coerce(sa.func.max(sa.case((column <= day, column))), sa.String)


def _add_orders(facts: dict[int, CustomerFacts], base: Any, flt: KpiFilter) -> None:
    """One pass over the last year of orders for every window, then the last purchase of
    the few customers with no order in that year."""
    window = timedelta(days=ACTIVE_WINDOW_DAYS)
    before_last = flt.start - timedelta(days=1)
    before_first = before_last - window + timedelta(days=1)
    (m_first, m_last), (p_first, p_last) = month_windows(flt.end)
    ticket_from = tickets.window_start(flt.end)
    ends = week_ends(flt.end)
    # One more week end than the trend: churn in week k compares the week ends k-1 and k.
    all_ends = [ends[0] - timedelta(days=7), *ends]
    since = min(ticket_from, before_first, p_first, all_ends[0] - window)
    stmt = (
        sa.select(
            Order.customer_id,
            sa.type_coerce(sa.func.max(Order.order_date), sa.String),
            *tickets.aggregates(flt.end),
            _money_sum(Order.order_date.between(before_first, before_last)),
            _money_sum(Order.order_date > flt.end - window),
            _any_between(Order.order_date, m_first, m_last),
            _any_between(Order.order_date, p_first, p_last),
            *[_last_on_or_before(Order.order_date, d) for d in all_ends],
        )
        .where(
            Order.customer_id.in_(base),
            Order.company_id == flt.scope.company_id,  # range on ix_orders_company_date
            Order.order_date.between(since, flt.end),
        )
        .group_by(Order.customer_id)
    )
    for (
        cid,
        last,
        w_total,
        w_orders,
        total,
        orders,
        before,
        now,
        this_m,
        prev_m,
        *weeks,
    ) in db.session.execute(stmt):
        f = facts[cid]
        f.last_order = _day(last)
        if w_orders:  # else: no order in the ticket window, the whole history below decides
            f.avg_ticket = float(tickets.combine(w_total, w_orders, total, orders))
        f.revenue_before = float(before or 0)
        f.revenue_now = float(now or 0)
        f.bought_this_month = bool(this_m)
        f.bought_last_month = bool(prev_m)
        f.week_last_order = lasts = [_day(v) for v in weeks]
        # Bought in the week ending e_k ⟺ the last order on or before e_k is within it.
        f.week_bought = [
            last is not None and (day - last).days < 7
            for day, last in zip(ends, lasts[1:], strict=True)
        ]
    older = [cid for cid, f in facts.items() if f.last_order is None]
    if older:
        for cid, last in db.session.execute(
            sa.select(Order.customer_id, sa.func.max(Order.order_date))
            .where(Order.customer_id.in_(older), Order.order_date < since)
            .group_by(Order.customer_id)
        ):
            facts[cid].last_order = last
    # customers with no order in the ticket window keep the ticket of their whole history
    idle = [cid for cid, f in facts.items() if f.last_order is not None and not f.avg_ticket]
    if idle:
        for cid, value in tickets.average_tickets(
            customer_ids=idle, day=flt.end, session=db.session
        ).items():
            facts[cid].avg_ticket = value


def _add_overdue(facts: dict[int, CustomerFacts], base: Any, flt: KpiFilter) -> None:
    stmt = (
        sa.select(Receivable.customer_id, sa.cast(sa.func.sum(Receivable.amount), sa.Float))
        .where(
            Receivable.customer_id.in_(base),
            Receivable.due_date < flt.end,
            sa.or_(Receivable.paid_date.is_(None), Receivable.paid_date > flt.end),
        )
        .group_by(Receivable.customer_id)
    )
    for cid, amount in db.session.execute(stmt):
        facts[cid].overdue = float(amount or 0)


def latest_score_date(*, company_id: int, on: date) -> date | None:
    """The most recent scoring day on or before `on` (full or compacted)."""
    when = score_retention.latest_score_day(db.session(), company_id, on)
    return None if when is None else when.day


def _add_scores(facts: dict[int, CustomerFacts], base: Any, flt: KpiFilter) -> None:
    """Each customer's latest score on or before the period's end: a full snapshot within the
    company's window, its compact numbers beyond it (app/services/score_retention.py)."""
    company_id = flt.scope.company_id
    when = score_retention.latest_score_day(db.session(), company_id, flt.end)
    if when is None:
        return
    for row in score_retention.scores_on(db.session(), company_id, when, base):
        f = facts[row.customer_id]
        f.score, f.flags = row.total, row.flags
        f.cycle_days, f.monthly_value = row.cycle_days, row.monthly_value
