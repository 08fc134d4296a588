"""Scoring features of every customer of a company, with set-based SQL (SQLite and PostgreSQL).

Each query covers all of the company's customers at once (GROUP BY customer, or per customer and
category); none runs per customer. The one row-level query is the (customer, order day) list the
purchase cycles are learned from. Dates come back as integer day numbers (days since 1970-01-01)
computed in SQL, so millions of rows cross the driver as plain numbers (binary COPY on PostgreSQL).

Definitions (all "as of" the reference day D, so past days can be re-scored):
- purchase days: distinct order dates <= D; the cycle statistics come from them through the
  engine's ``purchase_history`` (median and MAD of ln(gap), which SQL cannot do portably, and
  folding same-day orders in numpy is cheaper than hashing millions of (customer, day) groups);
- average ticket: ``app.services.ticket`` (the one definition: mean order total of the orders in
  the 365 days up to D, else of all orders <= D); revenue: order totals in (D-365, D];
- last contact: latest visit or call <= D that reached the customer (``SERVED_OUTCOMES``);
- receivables: open = issued <= D and not paid by D; overdue = open and due before D;
  overdue days = D minus the oldest overdue due date;
- credit limit: a limit <= 0 means "not configured" (no credit check), as the ERP exports it;
- product mix: per (customer, category), distinct purchase days and the last day bought;
- new customer: days since the customer record was created (local calendar day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Contact, Customer, Order, OrderLine, Outcome, Receivable
from app.services import ticket as tickets
from app.services.clock import DEFAULT_TZ
from app.services.scoring_copy import fetch_columns, fetch_rows
from optimizer.scoring import (
    ScoringFeatures,
    ScoringSettings,
    horizon_history,
    purchase_history,
)

EPOCH = date(1970, 1, 1)
REVENUE_WINDOW_DAYS = 365
PG_WORK_MEM = "1GB"  # the mix sort of 8 M lines fits in ~700 MB
SERVED_OUTCOMES = (
    Outcome.ORDER,
    Outcome.NO_SALE,
    Outcome.CALLBACK,
    Outcome.COLLECTED,
    Outcome.VISIT_REQUESTED,
)


def day_number(day: date) -> int:
    """Days since 1970-01-01, the integer day scale of every feature query."""
    return (day - EPOCH).days


def _day_sql(column: Any, dialect: str) -> Any:
    """SQL expression turning a DATE column into days since 1970-01-01."""
    if dialect == "postgresql":
        return sa.type_coerce(column - sa.literal(EPOCH, sa.Date), sa.Integer)
    return sa.cast(sa.func.julianday(column) - 2440587.5, sa.Integer)


@dataclass(frozen=True)
class CompanyFeatures:
    """The engine's features plus the raw facts the app shows beside them."""

    features: ScoringFeatures
    segment_names: tuple[str, ...]
    reference_day: date


def segment_names_for(
    session: Session, company_id: int, settings: ScoringSettings
) -> tuple[str, ...]:
    """Segment order behind ``segment_cycle_days``: the settings' own list, else sorted names."""
    configured = settings.extra.get("segment_names")
    if configured:
        return tuple(str(s) for s in configured)
    names = session.scalars(
        sa.select(Customer.segment)
        .where(Customer.company_id == company_id, Customer.active)
        .distinct()
    )
    return tuple(sorted(n for n in names if n))


def _whole_table(column: Any, dialect: str) -> Any:
    """On SQLite, the column behind a unary plus: a filter that matches (nearly) every row of a big
    table is cheaper as a plain scan than as millions of index-then-row lookups."""
    if dialect == "sqlite":
        return sa.literal_column(f"+{column.table.name}.{column.name}", type_=column.type)
    return column


def _customers(session: Session, company_id: int) -> dict[str, np.ndarray]:
    """Static customer facts, ordered by id (the index every other array follows)."""
    stmt = (
        sa.select(
            Customer.id,
            Customer.segment,
            Customer.visit_frequency_days,
            sa.cast(Customer.credit_limit, sa.Float),
            Customer.delivery_weekdays,
            Customer.created_at,
        )
        .where(Customer.company_id == company_id, Customer.active)
        .order_by(Customer.id)
    )
    rows = session.execute(stmt).all()
    return {
        "id": np.array([r[0] for r in rows], dtype=np.int64),
        "segment": np.array([r[1] or "" for r in rows], dtype=object),
        "frequency": np.array([float(r[2] or 0) for r in rows], dtype=np.float64),
        "limit": np.array([float(r[3] or 0) for r in rows], dtype=np.float64),
        "weekdays": np.array([int(r[4] or 0) & 0x7F for r in rows], dtype=np.uint8),
        "created": np.array(
            [day_number(r[5].astimezone(DEFAULT_TZ).date()) if r[5] else -(10**9) for r in rows],
            dtype=np.int64,
        ),
    }


def _index(ids: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``keys`` in the sorted ``ids`` and a mask of the keys found there."""
    pos = np.searchsorted(ids, keys)
    pos = np.minimum(pos, max(len(ids) - 1, 0))
    found = (ids[pos] == keys) if len(ids) else np.zeros(len(keys), dtype=bool)
    return pos, found


def _order_stats(session: Session, company_id: int, ref: int) -> list[np.ndarray]:
    """Per customer: the ticket's four aggregates, and the total inside the revenue window."""
    window_start = _date(ref - REVENUE_WINDOW_DAYS)
    stmt = (
        sa.select(
            Order.customer_id,
            *tickets.aggregates(_date(ref)),
            sa.cast(
                sa.func.sum(sa.case((Order.order_date > window_start, Order.total), else_=0)),
                sa.Float,
            ),
        )
        .where(Order.company_id == company_id, Order.order_date <= _date(ref))
        .group_by(Order.customer_id)
    )
    return fetch_columns(session, stmt, "ififif")


def _purchase_days(session: Session, company_id: int, ref: int, dialect: str) -> list[np.ndarray]:
    """(customer, day number) of every order; the engine folds same-day orders into one day.

    Deliberately not grouped in SQL: a GROUP BY (customer, day) over millions of orders costs
    more in the database (hashing nearly one group per row) than folding them in numpy.
    """
    stmt = sa.select(Order.customer_id, _day_sql(Order.order_date, dialect)).where(
        _whole_table(Order.company_id, dialect) == company_id,
        _whole_table(Order.order_date, dialect) <= _date(ref),
    )
    return fetch_columns(session, stmt, "ii")


def _date(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def _contacts(session: Session, company_id: int, ref: int, dialect: str) -> list[np.ndarray]:
    """Last contact that reached each customer."""
    stmt = (
        sa.select(Contact.customer_id, sa.func.max(_day_sql(Contact.contact_date, dialect)))
        .where(
            Contact.company_id == company_id,
            Contact.contact_date <= _date(ref),
            Contact.outcome.in_(SERVED_OUTCOMES),
        )
        .group_by(Contact.customer_id)
    )
    return fetch_columns(session, stmt, "ii")


def _receivables(session: Session, company_id: int, ref: int, dialect: str) -> list[np.ndarray]:
    """Open and overdue amounts and the oldest overdue due day, per customer."""
    on = _date(ref)
    overdue = Receivable.due_date < on
    stmt = (
        sa.select(
            Receivable.customer_id,
            sa.cast(sa.func.sum(Receivable.amount), sa.Float),
            sa.cast(sa.func.sum(sa.case((overdue, Receivable.amount), else_=0)), sa.Float),
            sa.func.min(sa.case((overdue, _day_sql(Receivable.due_date, dialect)))),
        )
        .where(
            Receivable.company_id == company_id,
            Receivable.issue_date <= on,
            sa.or_(Receivable.paid_date.is_(None), Receivable.paid_date > on),
        )
        .group_by(Receivable.customer_id)
    )
    return fetch_columns(session, stmt, "ifff")


def _mix(session: Session, company_id: int, ref: int, dialect: str) -> list[np.ndarray]:
    """Per (customer, category): distinct purchase days with it and the last such day."""
    day = _day_sql(Order.order_date, dialect)
    stmt = (
        sa.select(
            Order.customer_id,
            OrderLine.category,
            sa.func.count(sa.distinct(Order.order_date)),
            sa.func.max(day),
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            _whole_table(Order.company_id, dialect) == company_id,
            _whole_table(Order.order_date, dialect) <= _date(ref),
        )
        .group_by(Order.customer_id, OrderLine.category)
    )
    rows = fetch_rows(session, stmt)
    categories = np.array([r[1] for r in rows], dtype=object)
    numbers = np.array([(r[0], r[2], r[3]) for r in rows], dtype=np.int64).reshape(len(rows), 3)
    return [numbers[:, 0], categories, numbers[:, 1], numbers[:, 2]]


def _scatter(n: int, pos: np.ndarray, values: np.ndarray, fill: float = np.nan) -> np.ndarray:
    out = np.full(n, fill)
    out[pos] = values
    return out


def extract(
    *, session: Session, company_id: int, day: date, settings: ScoringSettings
) -> CompanyFeatures:
    """Features of every active customer of a company for reference day ``day``."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # the two big GROUP BYs (millions of rows) hash in memory instead of spilling to disk
        session.execute(sa.text(f"SET LOCAL work_mem = '{PG_WORK_MEM}'"))
    ref = day_number(day)
    cust = _customers(session, company_id)
    ids, n = cust["id"], len(cust["id"])
    segments = segment_names_for(session, company_id, settings)
    seg_index = {name: k for k, name in enumerate(segments)}

    p_cust, p_day = _purchase_days(session, company_id, ref, dialect)
    pos, found = _index(ids, p_cust)
    hist = purchase_history(pos[found], p_day[found], n, ref)
    recent, past = horizon_history(
        pos[found], p_day[found], n, ref, int(settings.lapse_horizon_days), current=hist
    )
    s_cust, w_total, w_orders, a_total, a_orders, s_window = _order_stats(session, company_id, ref)
    pos, found = _index(ids, s_cust)
    pos = pos[found]
    ticket = _scatter(
        n, pos, tickets.combine(w_total[found], w_orders[found], a_total[found], a_orders[found])
    )
    revenue = _scatter(n, pos, s_window[found], 0.0)

    c_cust, c_day = _contacts(session, company_id, ref, dialect)
    pos, found = _index(ids, c_cust)
    since_contact = _scatter(n, pos[found], (ref - c_day[found]).astype(np.float64))

    r_cust, r_open, r_overdue, r_oldest = _receivables(session, company_id, ref, dialect)
    pos, found = _index(ids, r_cust)
    pos = pos[found]
    open_rec = _scatter(n, pos, r_open[found], 0.0)
    overdue = _scatter(n, pos, r_overdue[found], 0.0)
    overdue_days = _scatter(
        n, pos, np.where(np.isfinite(r_oldest[found]), ref - r_oldest[found], 0.0), 0.0
    )

    m_cust, m_cat, m_days, m_last = _mix(session, company_id, ref, dialect)
    pos, found = _index(ids, m_cust)
    categories, cat_idx = np.unique(m_cat[found].astype(str), return_inverse=True)
    m_pos = pos[found]
    order = np.lexsort((cat_idx, m_pos))
    m_pos, cat_idx, m_days, m_last = (
        m_pos[order],
        cat_idx[order],
        m_days[found][order],
        m_last[found][order],
    )
    share = m_days / np.maximum(hist.purchase_days[m_pos], 1)

    limit = np.where(cust["limit"] > 0, cust["limit"], np.nan)
    frequency = np.where(cust["frequency"] > 0, cust["frequency"], np.nan)
    features = ScoringFeatures(
        customer_id=ids,
        segment=np.array([seg_index.get(s, -1) for s in cust["segment"]], dtype=np.int64),
        purchase_days=hist.purchase_days,
        days_since_first=hist.days_since_first,
        days_since_last=hist.days_since_last,
        gap_log_center=hist.gap_log_center,
        gap_log_scale=hist.gap_log_scale,
        avg_ticket=ticket,
        revenue=revenue,
        days_since_contact=since_contact,
        visit_frequency_days=frequency,
        overdue_amount=overdue,
        overdue_days=overdue_days,
        open_receivables=open_rec,
        credit_limit=limit,
        delivery_weekdays=cust["weekdays"],
        reference_weekday=day.weekday(),
        days_since_created=np.maximum(ref - cust["created"], 0).astype(np.float64),
        mix_customer=m_pos.astype(np.int64),
        mix_category=cat_idx.astype(np.int64),
        mix_share=share.astype(np.float64),
        mix_days_since=(ref - m_last).astype(np.float64),
        category_names=tuple(str(c) for c in categories),
        recent_purchase_days=recent,
        past=past,
    )
    return CompanyFeatures(features=features, segment_names=segments, reference_day=day)
