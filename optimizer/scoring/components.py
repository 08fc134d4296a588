"""The non-cycle components: service gap, value, finance, delivery fit and product-mix lapse."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.scoring.features import ScoringFeatures
from optimizer.scoring.settings import ScoringSettings

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _or(values: FloatArray | None, n: int, fill: float) -> FloatArray:
    """The array with NaN (or a missing array) replaced by ``fill``."""
    if values is None:
        return np.full(n, fill)
    return np.where(np.isnan(values), fill, np.asarray(values, dtype=np.float64))


def service_gap(
    features: ScoringFeatures, settings: ScoringSettings
) -> tuple[FloatArray, BoolArray]:
    """Days since the last visit or call over the required frequency: 0.5 when due, 1 at 2x."""
    n = features.size
    freq = _or(features.visit_frequency_days, n, 0.0)
    has = freq > 0
    never = features.days_since_contact is None or np.isnan(features.days_since_contact)
    days = np.where(never & has, 2 * freq, _or(features.days_since_contact, n, 0.0))
    ratio = np.where(has, days / np.where(has, freq, 1.0), 0.0)
    component = np.clip(ratio / 2.0, 0.0, 1.0)
    flag = has & (days > freq + settings.service_tolerance_days)
    return component, flag


# days in the "month" of a monthly revenue (365.25 / 12)
MONTH_DAYS = 30.4375


@dataclass(frozen=True, eq=False)
class Value:
    """Money of each customer: what it normally brings a month, and how much of it is at stake."""

    component: FloatArray  # 0-1: value at stake over the reference
    monthly: FloatArray  # average ticket x days in a month / own cycle (R$ per month)
    at_stake: FloatArray  # monthly x lapse risk (R$ per month); what a rescue case used to bring
    reference: float  # value at stake worth full points
    revenue_share: FloatArray  # share of the portfolio's revenue in the window


def value(
    features: ScoringFeatures,
    settings: ScoringSettings,
    cycle_days: FloatArray,
    lapse_risk: FloatArray,
    reactivation: BoolArray,
) -> Value:
    """Monthly revenue at stake, linear in money: twice the money at stake, twice the points.

    The reference (full points) is the 95th percentile of the value at stake of the customers
    that are not rescue cases, unless the company sets it. A rescue case's value is what it
    used to bring; it gets no points for it (a customer is not worth more for being gone).
    """
    n = features.size
    ticket = np.maximum(_or(features.avg_ticket, n, 0.0), 0.0)
    monthly = ticket * MONTH_DAYS / np.maximum(cycle_days, 1.0)
    at_stake = np.where(reactivation, monthly, monthly * np.clip(lapse_risk, 0.0, 1.0))
    reference = settings.value_reference_monthly
    if reference is None:
        pool = at_stake[~reactivation & (at_stake > 0)]
        reference = float(np.percentile(pool, 95)) if len(pool) else 1.0
    reference = max(float(reference), 1e-9)
    component = np.where(reactivation, 0.0, np.clip(at_stake / reference, 0.0, 1.0))
    revenue = np.maximum(_or(features.revenue, n, 0.0), 0.0)
    total = revenue.sum()
    share = revenue / total if total > 0 else np.zeros(n)
    return Value(component, monthly, at_stake, reference, share)


@dataclass(frozen=True, eq=False)
class Finance:
    """Finance component (1 = healthy) and its flags."""

    component: FloatArray
    collection: BoolArray
    credit_blocked: BoolArray
    available_credit: FloatArray


def finance(features: ScoringFeatures, settings: ScoringSettings) -> Finance:
    """Overdue receivables and credit headroom; more overdue can only lower this component."""
    n = features.size
    overdue = np.maximum(_or(features.overdue_amount, n, 0.0), 0.0)
    late = _or(features.overdue_days, n, 0.0)
    ticket = _or(features.avg_ticket, n, 0.0)
    open_rec = np.maximum(_or(features.open_receivables, n, 0.0), overdue)
    limit = _or(features.credit_limit, n, np.inf)
    available = limit - open_rec
    blocked = np.isfinite(limit) & (available < ticket)
    pressure = np.where(late > 0, np.minimum(1.0, overdue / np.maximum(ticket, 1.0)), 0.0)
    component = (1.0 - pressure) * np.where(blocked, 0.5, 1.0)
    collection = (overdue > 0) & (late > settings.overdue_tolerance_days)
    return Finance(component, collection, blocked, available)


def delivery_fit(
    features: ScoringFeatures, settings: ScoringSettings
) -> tuple[FloatArray, IntArray]:
    """1 when an order taken today reaches the next delivery day within the lead time.

    Returns the component and the days until that delivery (lead time + waiting days).
    """
    n = features.size
    lead = int(settings.lead_time_days)
    mask = (
        np.zeros(n, dtype=np.int64)
        if features.delivery_weekdays is None
        else np.asarray(features.delivery_weekdays, dtype=np.int64) & 0x7F
    )
    wait = np.full(n, 7, dtype=np.int64)
    for extra in range(6, -1, -1):
        weekday = (features.reference_weekday + lead + extra) % 7
        wait = np.where(mask & (1 << weekday), extra, wait)
    wait = np.where(mask == 0, 0, wait)
    return 1.0 - wait / 7.0, lead + wait


@dataclass(frozen=True, eq=False)
class MixLapse:
    """Lapsed regular categories (sorted by customer, then share) and the per-customer score."""

    component: FloatArray
    customer: IntArray
    category: IntArray
    share: FloatArray
    days_since: FloatArray


def mix_lapse(
    features: ScoringFeatures, settings: ScoringSettings, cycle_days: FloatArray
) -> MixLapse:
    """Regular categories the customer stopped while it still bought others.

    A category counts when the customer kept buying for more than ``mix_lapse_multiple``
    cycles after its last purchase of it: a customer who stopped buying everything did not
    "stop buying" each of its categories (that is a purchase lapse or a rescue case).
    """
    n = features.size
    if features.mix_customer is None:
        empty_i = np.zeros(0, dtype=np.int64)
        return MixLapse(np.zeros(n), empty_i, empty_i, np.zeros(0), np.zeros(0))
    share = np.asarray(features.mix_share, dtype=np.float64)
    since = np.asarray(features.mix_days_since, dtype=np.float64)
    # cheap filter first, so the per-customer gathers touch few rows
    idx = np.flatnonzero(share >= settings.mix_min_share)
    cust = np.asarray(features.mix_customer, dtype=np.int64)[idx]
    # still bought other things for longer than the cycle allows after the category's last day
    silence = _or(features.days_since_last, n, np.inf)
    allowance = settings.mix_lapse_multiple * cycle_days
    regular = features.purchase_days >= settings.mix_min_purchase_days
    allowance = np.where(regular & np.isfinite(silence), allowance, np.inf)
    keep = since[idx] - silence[cust] > allowance[cust]
    idx, cust = idx[keep], cust[keep]
    # by customer, then largest share first, through one float key
    order = np.argsort(cust + 0.5 * (1.0 - share[idx]), kind="stable")
    idx, cust = idx[order], cust[order]
    component = np.minimum(1.0, np.bincount(cust, weights=share[idx], minlength=n))
    category = np.asarray(features.mix_category, dtype=np.int64)[idx]
    return MixLapse(component, cust, category, share[idx], since[idx])
