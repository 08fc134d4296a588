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


def _log_scale(values: FloatArray, reference: float | None) -> FloatArray:
    """log1p(value) / log1p(reference), clipped to 0..1; reference = 95th percentile if None."""
    positive = values[values > 0]
    if reference is None:
        reference = float(np.percentile(positive, 95)) if len(positive) else 1.0
    reference = max(reference, 1e-9)
    scaled: FloatArray = np.log1p(np.maximum(values, 0.0)) / np.log1p(reference)
    return np.clip(scaled, 0.0, 1.0)


def value(
    features: ScoringFeatures, settings: ScoringSettings
) -> tuple[FloatArray, FloatArray]:
    """Mean of the log-scaled average ticket and revenue; also returns each one's share."""
    n = features.size
    ticket = _or(features.avg_ticket, n, 0.0)
    revenue = _or(features.revenue, n, 0.0)
    total = revenue.sum()
    share = revenue / total if total > 0 else np.zeros(n)
    component = 0.5 * (
        _log_scale(ticket, settings.value_reference_ticket)
        + _log_scale(revenue, settings.value_reference_revenue)
    )
    return component, share


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
    pressure = np.where(
        late > 0, np.minimum(1.0, overdue / np.maximum(ticket, 1.0)), 0.0
    )
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
    """Categories bought on a regular share of purchase days but not for over a cycle."""
    n = features.size
    if features.mix_customer is None:
        empty_i = np.zeros(0, dtype=np.int64)
        return MixLapse(np.zeros(n), empty_i, empty_i, np.zeros(0), np.zeros(0))
    share = np.asarray(features.mix_share, dtype=np.float64)
    since = np.asarray(features.mix_days_since, dtype=np.float64)
    # cheap filter first, so the per-customer gathers touch few rows
    idx = np.flatnonzero(share >= settings.mix_min_share)
    cust = np.asarray(features.mix_customer, dtype=np.int64)[idx]
    # missing for longer than the cycle allows and than the customer's own silence
    # (otherwise it is a purchase lapse, not a mix lapse)
    silence = _or(features.days_since_last, n, np.inf)
    limit = np.maximum(settings.mix_lapse_multiple * cycle_days, silence)
    regular = features.purchase_days >= settings.mix_min_purchase_days
    limit = np.where(regular, limit, np.inf)
    keep = since[idx] > limit[cust]
    idx, cust = idx[keep], cust[keep]
    # by customer, then largest share first, through one float key
    order = np.argsort(cust + 0.5 * (1.0 - share[idx]), kind="stable")
    idx, cust = idx[order], cust[order]
    component = np.minimum(1.0, np.bincount(cust, weights=share[idx], minlength=n))
    category = np.asarray(features.mix_category, dtype=np.int64)[idx]
    return MixLapse(component, cust, category, share[idx], since[idx])
