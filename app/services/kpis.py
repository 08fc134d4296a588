"""The supervisor's KPIs, each defined once here (see docs/kpis.md), with set-based queries.

One pass loads a few grouped facts per customer of the filtered base (last contact,
order windows, overdue, latest score); coverage, lapses, churn, expansion, activation,
health and the map status all derive from those facts, so every number agrees with
the list of customers behind it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Contact,
    ContactKind,
    Customer,
    Order,
    Outcome,
    Plan,
    PlanningRun,
    PlanningRunRep,
    PlanStop,
    Receivable,
    ScoreSnapshot,
    StopStatus,
    User,
)
from app.security.scope import Scope

# Outcomes meaning someone actually talked to the customer (a visit or call that
# ended skipped, closed, unreached or rescheduled is not service).
EFFECTIVE_OUTCOMES = (
    Outcome.ORDER,
    Outcome.NO_SALE,
    Outcome.COLLECTED,
    Outcome.CALLBACK,
)
FLAG_GAP, FLAG_LAPSE, FLAG_RESCUE = 1, 2, 4
ACTIVE_WINDOW_DAYS = 90
# Average ticket over this many days (all history for customers idle that long).
AVG_TICKET_DAYS = 180
DEFAULT_CYCLE_DAYS = 30.0
TREND_WEEKS = 8
AT_RISK_BELOW = 50
STATUSES = ("ok", "gap", "lapse", "rescue")
# Per-rep outcomes of a planning run that left the rep with a plan.
REP_PLANNED = ("planned", "kept")


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
    avg_ticket: float = 0.0
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
        return (
            None if self.last_contact is None else (self.end - self.last_contact).days
        )

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
        return (
            None if since is None or since <= self.frequency else since - self.frequency
        )

    @property
    def lapsed(self) -> bool:
        return bool(self.flags & FLAG_LAPSE) and not self.rescue

    @property
    def rescue(self) -> bool:
        return bool(self.flags & FLAG_RESCUE)

    @property
    def value_at_risk(self) -> float:
        """Monthly revenue the customer usually brings: average ticket × 30 / cycle."""
        cycle = self.cycle_days or DEFAULT_CYCLE_DAYS
        return self.avg_ticket * 30.0 / max(cycle, 1.0)

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
        return self.health < AT_RISK_BELOW


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


def load_facts(
    flt: KpiFilter, only: set[int] | None = None
) -> dict[int, CustomerFacts]:
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
    where = [*effective, Contact.contact_date > since]
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
    ticket_from = flt.end - timedelta(days=AVG_TICKET_DAYS - 1)
    ends = week_ends(flt.end)
    # One more week end than the trend: churn in week k compares the week ends k-1 and k.
    all_ends = [ends[0] - timedelta(days=7), *ends]
    since = min(ticket_from, before_first, p_first, all_ends[0] - window)
    average = sa.func.avg(sa.case((Order.order_date >= ticket_from, Order.total)))
    stmt = (
        sa.select(
            Order.customer_id,
            sa.type_coerce(sa.func.max(Order.order_date), sa.String),
            sa.cast(average, sa.Float),
            _money_sum(Order.order_date.between(before_first, before_last)),
            _money_sum(Order.order_date > flt.end - window),
            _any_between(Order.order_date, m_first, m_last),
            _any_between(Order.order_date, p_first, p_last),
            *[_last_on_or_before(Order.order_date, d) for d in all_ends],
        )
        .where(Order.customer_id.in_(base), Order.order_date.between(since, flt.end))
        .group_by(Order.customer_id)
    )
    for cid, last, avg, before, now, this_m, prev_m, *weeks in db.session.execute(stmt):
        f = facts[cid]
        f.last_order = _day(last)
        f.avg_ticket = float(avg or 0)
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
        for cid, last, avg in db.session.execute(
            sa.select(
                Order.customer_id,
                sa.func.max(Order.order_date),
                sa.cast(sa.func.avg(Order.total), sa.Float),
            )
            .where(Order.customer_id.in_(older), Order.order_date < since)
            .group_by(Order.customer_id)
        ):
            f = facts[cid]
            f.last_order, f.avg_ticket = last, float(avg or 0)


def _add_overdue(facts: dict[int, CustomerFacts], base: Any, flt: KpiFilter) -> None:
    stmt = (
        sa.select(
            Receivable.customer_id, sa.cast(sa.func.sum(Receivable.amount), sa.Float)
        )
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
    """The most recent scoring day on or before `on`."""
    return db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date <= on
        )
    )


def _add_scores(facts: dict[int, CustomerFacts], base: Any, flt: KpiFilter) -> None:
    day = latest_score_date(company_id=flt.scope.company_id, on=flt.end)
    if day is None:
        return
    stmt = sa.select(
        ScoreSnapshot.customer_id,
        ScoreSnapshot.total,
        ScoreSnapshot.flags,
        ScoreSnapshot.cycle_days,
    ).where(ScoreSnapshot.score_date == day, ScoreSnapshot.customer_id.in_(base))
    for cid, total, flags, cycle in db.session.execute(stmt):
        f = facts[cid]
        f.score, f.flags, f.cycle_days = total, flags or 0, cycle


# ---- aggregates over the facts -------------------------------------------------------------


@dataclass
class Coverage:
    """Ruptura de atendimento of one portfolio (or the whole base when owner is None)."""

    owner_id: int | None
    owner_name: str
    customers: int = 0
    in_gap: int = 0

    @property
    def in_frequency(self) -> int:
        return self.customers - self.in_gap

    @property
    def share(self) -> float:
        """Share of the portfolio contacted within its frequency (0–1)."""
        return self.in_frequency / self.customers if self.customers else 0.0


def owner_names(scope: Scope) -> dict[int, str]:
    """Names of the people in scope, by id."""
    return dict(
        db.session.execute(
            sa.select(User.id, User.name).where(scope.user_filter())
        ).all()
    )


def coverage_by_owner(
    facts: dict[int, CustomerFacts], names: dict[int, str]
) -> list[Coverage]:
    """Coverage per portfolio, worst share first."""
    by_owner: dict[int | None, Coverage] = {}
    for f in facts.values():
        cov = by_owner.setdefault(
            f.owner_id, Coverage(f.owner_id, names.get(f.owner_id or 0, "—"))
        )
        cov.customers += 1
        cov.in_gap += f.in_gap
    return sorted(by_owner.values(), key=lambda c: (c.share, c.owner_name))


def coverage_total(facts: dict[int, CustomerFacts]) -> Coverage:
    """Coverage of the whole filtered base."""
    return Coverage(
        None, "", customers=len(facts), in_gap=sum(f.in_gap for f in facts.values())
    )


@dataclass(frozen=True)
class Activation:
    """Positivação: share of the base that bought this month to date vs the same days last month."""

    base: int
    this_month: int
    last_month: int

    @property
    def this_share(self) -> float:
        return self.this_month / self.base if self.base else 0.0

    @property
    def last_share(self) -> float:
        return self.last_month / self.base if self.base else 0.0


def activation(facts: dict[int, CustomerFacts]) -> Activation:
    """Positivação of the filtered base."""
    values = facts.values()
    return Activation(
        base=len(facts),
        this_month=sum(f.bought_this_month for f in values),
        last_month=sum(f.bought_last_month for f in values),
    )


@dataclass(frozen=True)
class Retention:
    """Churn and expansion over the period, on the base active before it."""

    active_at_start: int
    churned: int
    revenue_lost: float
    retained_revenue_before: float
    retained_revenue_now: float

    @property
    def churn_rate(self) -> float:
        return self.churned / self.active_at_start if self.active_at_start else 0.0

    @property
    def expansion(self) -> float:
        """Revenue growth of the retained base (0.05 = +5 %)."""
        before = self.retained_revenue_before
        return (self.retained_revenue_now - before) / before if before else 0.0


def retention(facts: dict[int, CustomerFacts]) -> Retention:
    """Churn (customers and revenue lost) and expansion of the base."""
    active = [f for f in facts.values() if f.active_at_start]
    churned = [f for f in active if f.churned]
    retained = [f for f in active if not f.churned]
    return Retention(
        active_at_start=len(active),
        churned=len(churned),
        revenue_lost=sum(f.revenue_before for f in churned),
        retained_revenue_before=sum(f.revenue_before for f in retained),
        retained_revenue_now=sum(f.revenue_now for f in retained),
    )


@dataclass(frozen=True)
class Risk:
    """Purchase lapses and rescue cases, with the monthly value at risk."""

    lapses: int
    lapse_value: float
    rescues: int
    rescue_value: float
    at_risk: int


def risk(facts: dict[int, CustomerFacts]) -> Risk:
    """Lapse, rescue and at-risk counts of the filtered base."""
    lapsed = [f for f in facts.values() if f.lapsed]
    rescue = [f for f in facts.values() if f.rescue]
    return Risk(
        lapses=len(lapsed),
        lapse_value=sum(f.value_at_risk for f in lapsed),
        rescues=len(rescue),
        rescue_value=sum(f.value_at_risk for f in rescue),
        at_risk=sum(f.at_risk for f in facts.values()),
    )


def status_counts(facts: dict[int, CustomerFacts]) -> dict[str, int]:
    """Customers per map status."""
    counts = Counter(f.status for f in facts.values())
    return {s: counts.get(s, 0) for s in STATUSES}


@dataclass(frozen=True)
class TrendPoint:
    """One week of the trend charts."""

    week_end: date
    coverage: float
    activation: float
    churned: int


def trends(facts: dict[int, CustomerFacts], end: date) -> list[TrendPoint]:
    """Coverage, weekly positivação and customers churned per week, over the last weeks."""
    ends = week_ends(end)
    days = [d.toordinal() for d in ends]
    n = len(days)
    covered, bought, churned = [0] * n, [0] * n, [0] * n
    for f in facts.values():
        contacts = [d.toordinal() if d else None for d in f.week_last_contact]
        orders = [d.toordinal() if d else None for d in f.week_last_order]
        for k, day in enumerate(days):
            last = contacts[k] if contacts else None
            covered[k] += last is not None and day - last <= f.frequency
            bought[k] += bool(f.week_bought and f.week_bought[k])
            if orders:
                was = _active(orders[k], day - 7)
                churned[k] += was and not _active(orders[k + 1], day)
    total = len(facts) or 1
    return [
        TrendPoint(ends[k], covered[k] / total, bought[k] / total, churned[k])
        for k in range(n)
    ]


def _active(last: int | None, day: int) -> bool:
    """Bought within the 90-day window ending on `day` (ordinals)."""
    return last is not None and day - last < ACTIVE_WINDOW_DAYS


# ---- lists and tables beyond the facts ------------------------------------------------------


@dataclass
class DayRow:
    """Plan versus done for one rep on one day."""

    user_id: int
    day: date
    planned: int = 0
    visited: int = 0
    skipped: int = 0
    unplanned: int = 0
    orders: int = 0
    order_value: float = 0.0
    km: float = 0.0
    far_check_ins: int = 0


def _segment_rep(stmt: Any, flt: KpiFilter, customer_col: Any, user_col: Any) -> Any:
    stmt = stmt.where(flt.scope.owner_filter(user_col))
    if flt.rep_id:
        stmt = stmt.where(user_col == flt.rep_id)
    if flt.by_customer:
        customers = sa.select(Customer.id)
        if flt.segment:
            customers = customers.where(Customer.segment == flt.segment)
        if flt.zone:
            customers = customers.where(Customer.zone == flt.zone)
        stmt = stmt.where(customer_col.in_(customers))
    return stmt


def plan_vs_done(flt: KpiFilter) -> list[DayRow]:
    """Per rep and day: planned and skipped stops; visits made (and how many off the plan),
    orders and their value, planned km and far check-ins."""
    rows: dict[tuple[int, date], DayRow] = {}

    def row(uid: int, day: date) -> DayRow:
        return rows.setdefault((uid, day), DayRow(uid, day))

    stops = _segment_rep(
        sa.select(Plan.user_id, Plan.plan_date, PlanStop.status, sa.func.count())
        .join(PlanStop, PlanStop.plan_id == Plan.id)
        .where(PlanStop.kind == "visit", Plan.plan_date.between(flt.start, flt.end))
        .group_by(Plan.user_id, Plan.plan_date, PlanStop.status),
        flt,
        PlanStop.customer_id,
        Plan.user_id,
    )
    for uid, day, status, n in db.session.execute(stops):
        r = row(uid, day)
        r.planned += n
        r.skipped += n if status == StopStatus.SKIPPED else 0
    if not flt.by_customer:  # a route's kilometres cannot be split by segment or region
        km = sa.select(Plan.user_id, Plan.plan_date, Plan.total_m).where(
            flt.scope.owner_filter(Plan.user_id),
            Plan.plan_date.between(flt.start, flt.end),
        )
        if flt.rep_id:
            km = km.where(Plan.user_id == flt.rep_id)
        for uid, day, metres in db.session.execute(km):
            row(uid, day).km = (metres or 0) / 1000
    visits = _segment_rep(
        sa.select(
            Contact.user_id,
            Contact.contact_date,
            sa.func.sum(sa.case((_visited(), 1), else_=0)),
            sa.func.sum(
                sa.case((sa.and_(Contact.planned.is_(False), _visited()), 1), else_=0)
            ),
            sa.func.sum(sa.case((Contact.outcome == Outcome.ORDER, 1), else_=0)),
            sa.cast(
                sa.func.sum(
                    sa.case(
                        (Contact.outcome == Outcome.ORDER, Contact.order_value), else_=0
                    )
                ),
                sa.Float,
            ),
            sa.func.sum(sa.case((Contact.check_in_flagged.is_(True), 1), else_=0)),
        )
        .where(
            Contact.kind == ContactKind.VISIT,
            Contact.contact_date.between(flt.start, flt.end),
        )
        .group_by(Contact.user_id, Contact.contact_date),
        flt,
        Contact.customer_id,
        Contact.user_id,
    )
    for uid, day, visited, unplanned, orders, value, far in db.session.execute(visits):
        r = row(uid, day)
        r.visited, r.unplanned, r.orders, r.order_value, r.far_check_ins = (
            visited,
            unplanned,
            orders,
            value or 0.0,
            far,
        )
    return sorted(rows.values(), key=lambda r: (r.day, r.user_id), reverse=True)


def _visited() -> Any:
    return sa.and_(Contact.outcome.is_not(None), Contact.outcome != Outcome.SKIPPED)


def no_sale_reasons(flt: KpiFilter) -> list[tuple[str, int]]:
    """Contacts that ended without a sale in the period, counted per reason, most frequent first."""
    stmt = _segment_rep(
        sa.select(Contact.no_sale_reason, sa.func.count())
        .where(
            Contact.outcome == Outcome.NO_SALE,
            Contact.contact_date.between(flt.start, flt.end),
        )
        .group_by(Contact.no_sale_reason),
        flt,
        Contact.customer_id,
        Contact.user_id,
    )
    counts: Counter[str] = Counter()
    for reason, n in db.session.execute(stmt):
        counts[reason or ""] += n
    return sorted(counts.items(), key=lambda x: (-x[1], x[0]))


def contact_customer_ids(
    flt: KpiFilter,
    *,
    kind: str,
    day: date | None = None,
    user_id: int | None = None,
    reason: str | None = None,
) -> dict[int, int]:
    """Customers behind a plan-versus-done or no-sale figure, with how many contacts/stops each."""
    first, last = (day, day) if day else (flt.start, flt.end)
    stmt: Any
    if kind in ("planned", "skipped"):
        stmt = (
            sa.select(PlanStop.customer_id, sa.func.count())
            .join(Plan, Plan.id == PlanStop.plan_id)
            .where(PlanStop.kind == "visit", Plan.plan_date.between(first, last))
        )
        if kind == "skipped":
            stmt = stmt.where(PlanStop.status == StopStatus.SKIPPED)
        stmt = _segment_rep(stmt, flt, PlanStop.customer_id, Plan.user_id)
        if user_id:
            stmt = stmt.where(Plan.user_id == user_id)
        stmt = stmt.group_by(PlanStop.customer_id)
    else:
        conditions = {
            "visited": sa.and_(Contact.kind == ContactKind.VISIT, _visited()),
            "unplanned": sa.and_(
                Contact.kind == ContactKind.VISIT,
                Contact.planned.is_(False),
                _visited(),
            ),
            "orders": sa.and_(
                Contact.kind == ContactKind.VISIT, Contact.outcome == Outcome.ORDER
            ),
            "far": sa.and_(
                Contact.kind == ContactKind.VISIT, Contact.check_in_flagged.is_(True)
            ),
            "no_sale": sa.and_(
                Contact.outcome == Outcome.NO_SALE,
                sa.func.coalesce(Contact.no_sale_reason, "") == (reason or ""),
            ),
        }
        stmt = _segment_rep(
            sa.select(Contact.customer_id, sa.func.count()).where(
                conditions[kind], Contact.contact_date.between(first, last)
            ),
            flt,
            Contact.customer_id,
            Contact.user_id,
        )
        if user_id:
            stmt = stmt.where(Contact.user_id == user_id)
        stmt = stmt.group_by(Contact.customer_id)
    return dict(db.session.execute(stmt).all())


def list_zones(*, scope: Scope) -> list[str]:
    """Regions (delivery zones) present in the scope, for the filter."""
    stmt = (
        sa.select(Customer.zone)
        .where(scope.customer_filter(), Customer.zone.is_not(None))
        .distinct()
        .order_by(Customer.zone)
    )
    return [z for z in db.session.scalars(stmt) if z]


def group_counts(facts: dict[int, CustomerFacts], key: str) -> dict[Any, int]:
    """Count facts by an attribute (owner_id, segment...)."""
    out: dict[Any, int] = defaultdict(int)
    for f in facts.values():
        out[getattr(f, key)] += 1
    return dict(out)


# ---- the dashboard and the customers behind each figure ------------------------------------


@dataclass(frozen=True)
class RunRow:
    """A planning run, as the dashboard lists it."""

    id: int
    plan_date: date
    status: str
    started_at: Any
    finished_at: Any
    reps_ok: int
    reps_failed: int
    stops: int
    error: str | None


def latest_runs(scope: Scope, limit: int = 5) -> list[RunRow]:
    """The company's latest planning runs, counted over the reps in scope."""
    runs = list(
        db.session.scalars(
            sa.select(PlanningRun)
            .where(PlanningRun.company_id == scope.company_id)
            .order_by(PlanningRun.started_at.desc(), PlanningRun.id.desc())
            .limit(limit)
        )
    )
    if not runs:
        return []
    per_run: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    stmt = sa.select(
        PlanningRunRep.run_id, PlanningRunRep.status, PlanningRunRep.stops
    ).where(
        PlanningRunRep.run_id.in_([r.id for r in runs]),
        scope.owner_filter(PlanningRunRep.user_id),
    )
    for run_id, status, stops in db.session.execute(stmt):
        counts = per_run[run_id]
        if status in REP_PLANNED:
            counts[0] += 1
        elif status == "failed":
            counts[1] += 1
        counts[2] += stops or 0
    return [
        RunRow(
            id=r.id,
            plan_date=r.plan_date,
            status=str(r.status),
            started_at=r.started_at,
            finished_at=r.finished_at,
            reps_ok=per_run[r.id][0],
            reps_failed=per_run[r.id][1],
            stops=per_run[r.id][2],
            error=r.error,
        )
        for r in runs
    ]


@dataclass
class Dashboard:
    """Everything the supervisor's dashboard shows, for one filter."""

    coverage: Coverage
    coverage_by_owner: list[Coverage]
    risk: Risk
    activation: Activation
    retention: Retention
    statuses: dict[str, int]
    days: list[DayRow]
    no_sale: list[tuple[str, int]]
    trends: list[TrendPoint]
    at_risk: list[CustomerFacts]
    in_gap: list[CustomerFacts]
    runs: list[RunRow]
    names: dict[int, str]


def _gap_order(f: CustomerFacts) -> tuple[int, str]:
    return (-(f.gap_days if f.gap_days is not None else 10**6), f.name)


def build_dashboard(flt: KpiFilter, top: int = 10) -> Dashboard:
    """Compute every figure of the dashboard for the filter."""
    facts = load_facts(flt)
    names = owner_names(flt.scope)
    values = list(facts.values())
    return Dashboard(
        coverage=coverage_total(facts),
        coverage_by_owner=coverage_by_owner(facts, names),
        risk=risk(facts),
        activation=activation(facts),
        retention=retention(facts),
        statuses=status_counts(facts),
        days=plan_vs_done(flt),
        no_sale=no_sale_reasons(flt),
        trends=trends(facts, flt.end),
        at_risk=sorted(
            (f for f in values if f.at_risk), key=lambda f: (f.health, f.name)
        )[:top],
        in_gap=sorted((f for f in values if f.in_gap), key=_gap_order)[:top],
        runs=latest_runs(flt.scope),
        names=names,
    )


FactTest = Callable[[CustomerFacts], Any]


def _has_status(status: str) -> FactTest:
    return lambda f: f.status == status


FACT_LISTS: dict[str, tuple[FactTest, FactTest]] = {
    "all": (lambda f: True, lambda f: f.name),
    "covered": (lambda f: not f.in_gap, lambda f: f.name),
    "gap": (lambda f: f.in_gap, _gap_order),
    "lapse": (lambda f: f.lapsed, lambda f: (-f.value_at_risk, f.name)),
    "rescue": (lambda f: f.rescue, lambda f: (-f.value_at_risk, f.name)),
    "at_risk": (lambda f: f.at_risk, lambda f: (f.health, f.name)),
    "activated": (lambda f: f.bought_this_month, lambda f: f.name),
    "activated_prev": (lambda f: f.bought_last_month, lambda f: f.name),
    "not_activated": (lambda f: not f.bought_this_month, lambda f: f.name),
    "churned": (lambda f: f.churned, lambda f: (-f.revenue_before, f.name)),
    "retained": (
        lambda f: f.active_at_start and not f.churned,
        lambda f: (f.revenue_now - f.revenue_before, f.name),
    ),
    **{f"status_{s}": (_has_status(s), lambda f: f.name) for s in STATUSES},
}
CONTACT_LISTS = (
    "planned",
    "visited",
    "skipped",
    "unplanned",
    "orders",
    "far",
    "no_sale",
)


@dataclass
class ListRow:
    """One customer behind a figure (plus how many stops/contacts when it comes from them)."""

    facts: CustomerFacts
    owner_name: str
    count: int | None = None


def customer_list(
    flt: KpiFilter,
    key: str,
    *,
    day: date | None = None,
    user_id: int | None = None,
    reason: str | None = None,
) -> list[ListRow]:
    """The customers behind a dashboard figure, in the order that matters for that figure.

    Raises KeyError for an unknown list key.
    """
    names = owner_names(flt.scope)
    if key in FACT_LISTS:
        keep, order = FACT_LISTS[key]
        kept = sorted((f for f in load_facts(flt).values() if keep(f)), key=order)
        return [ListRow(f, names.get(f.owner_id or 0, "—")) for f in kept]
    if key not in CONTACT_LISTS:
        raise KeyError(key)
    counts = contact_customer_ids(
        flt, kind=key, day=day, user_id=user_id, reason=reason
    )
    facts = _facts_for(flt, set(counts))
    rows = [
        ListRow(facts[cid], names.get(facts[cid].owner_id or 0, "—"), n)
        for cid, n in counts.items()
        if cid in facts
    ]
    return sorted(rows, key=lambda r: (-(r.count or 0), r.facts.name))


def _facts_for(flt: KpiFilter, ids: set[int]) -> dict[int, CustomerFacts]:
    """Facts of the given customers in scope."""
    return load_facts(flt, only=ids) if ids else {}
