"""Per-customer inputs of the score, and the purchase-history statistics that fill them.

Every array has one entry per customer (index ``i``), except the ``mix_*`` arrays, which are a
sparse list of (customer index, category) rows. Missing values are ``NaN``; a whole optional
array left as ``None`` makes its component neutral (same value for everyone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class ScoringFeatures:
    """Per-customer arrays for one reference (plan) date; see docs/scoring.md for the SQL."""

    customer_id: IntArray  # the app's customer primary keys, only carried through
    segment: IntArray  # index into ScoringSettings.segment_cycle_days; -1 = none
    purchase_days: IntArray  # distinct days with a sale before or on the reference date
    days_since_first: FloatArray  # reference date - first purchase day; NaN if none
    days_since_last: FloatArray  # reference date - last purchase day; NaN if none
    gap_log_center: FloatArray  # median of ln(gap days) between purchase days; NaN if < 2
    gap_log_scale: FloatArray  # 1.4826 * MAD of ln(gap days) (0 with one gap); NaN if < 2
    avg_ticket: FloatArray | None = None  # mean order value
    revenue: FloatArray | None = None  # revenue over the company's window (e.g. 365 days)
    days_since_contact: FloatArray | None = None  # last visit or call; NaN = never
    visit_frequency_days: FloatArray | None = None  # required cadence; NaN/0 = none
    overdue_amount: FloatArray | None = None  # receivables past due date
    overdue_days: FloatArray | None = None  # days past due of the oldest overdue one
    open_receivables: FloatArray | None = None  # all unpaid receivables, overdue included
    credit_limit: FloatArray | None = None  # NaN = no limit
    delivery_weekdays: npt.NDArray[np.uint8] | None = None  # bit 0 = Monday; 0 = any day
    reference_weekday: int = 0  # weekday of the reference date, 0 = Monday
    days_since_created: FloatArray | None = None  # customer record age; NaN = unknown
    mix_customer: IntArray | None = None  # customer index of each (customer, category) row
    mix_category: IntArray | None = None  # index into category_names
    mix_share: FloatArray | None = None  # share of the customer's purchase days with it
    mix_days_since: FloatArray | None = None  # days since the category was last bought
    category_names: tuple[str, ...] = ()
    # purchase days within the lapse horizon before the reference date, and the portfolio as
    # it was one horizon ago: what lets the engine learn how silence turned into lapse
    # (``horizon_history`` fills both; left as None, the lapse risk is the model's alone)
    recent_purchase_days: IntArray | None = None
    past: PastWindow | None = None

    def __post_init__(self) -> None:
        """Fail early on arrays of the wrong length, which would misalign every customer."""
        n = len(self.customer_id)
        for name in (
            "segment",
            "purchase_days",
            "days_since_first",
            "days_since_last",
            "gap_log_center",
            "gap_log_scale",
            "avg_ticket",
            "revenue",
            "days_since_contact",
            "visit_frequency_days",
            "overdue_amount",
            "overdue_days",
            "open_receivables",
            "credit_limit",
            "delivery_weekdays",
            "days_since_created",
            "recent_purchase_days",
        ):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"{name} has {len(value)} entries for {n} customers")
        mix = (
            self.mix_customer,
            self.mix_category,
            self.mix_share,
            self.mix_days_since,
        )
        if any(m is not None for m in mix) and (
            any(m is None for m in mix) or len({len(m) for m in mix if m is not None}) != 1
        ):
            raise ValueError("mix_* arrays must be given together with equal lengths")
        if self.past is not None and len(self.past.recent_purchase_days) != n:
            raise ValueError("past window has a different number of customers")

    @property
    def size(self) -> int:
        """Number of customers."""
        return len(self.customer_id)


@dataclass(frozen=True, eq=False)
class PurchaseHistory:
    """The purchase-cycle columns of ``ScoringFeatures`` for every customer."""

    purchase_days: IntArray
    days_since_first: FloatArray
    days_since_last: FloatArray
    gap_log_center: FloatArray
    gap_log_scale: FloatArray


@dataclass(frozen=True, eq=False)
class PastWindow:
    """The cycle columns one lapse horizon before the reference date, same customer order.

    With today's ``days_since_last`` it gives, for every customer, what its history looked
    like then and whether it bought since: labelled examples of the portfolio's own lapses.
    """

    history: PurchaseHistory
    recent_purchase_days: IntArray  # purchase days within the horizon before that date


def horizon_history(
    customer: IntArray,
    day: IntArray,
    n_customers: int,
    reference_day: int,
    horizon_days: int,
    current: PurchaseHistory | None = None,
) -> tuple[IntArray, PastWindow]:
    """Recent purchase days now and the past window, from the rows ``purchase_history`` takes.

    Returns the purchase days within ``horizon_days`` before ``reference_day`` (inclusive of
    it) and the ``PastWindow`` as of ``reference_day - horizon_days``.
    """
    h = int(horizon_days)
    now = current or purchase_history(customer, day, n_customers, reference_day)
    then = purchase_history(customer, day, n_customers, reference_day - h)
    before = purchase_history(customer, day, n_customers, reference_day - 2 * h)
    recent_now = (now.purchase_days - then.purchase_days).astype(np.int64)
    recent_then = (then.purchase_days - before.purchase_days).astype(np.int64)
    return recent_now, PastWindow(then, recent_then)


def purchase_history(
    customer: IntArray, day: IntArray, n_customers: int, reference_day: int
) -> PurchaseHistory:
    """Cycle statistics from (customer index, purchase day number) rows, all customers at once.

    The app fetches one row per (customer, purchase day) with one set-based query; duplicate
    rows are allowed. Day numbers are any integer day count (e.g. days since 1970-01-01).
    """
    customer = np.asarray(customer, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    keep = (day <= reference_day) & (customer >= 0)
    customer, day = customer[keep], day[keep]
    if len(day):
        # one integer key per (customer, day): sort, then drop repeated keys
        low = int(day.min())
        span = int(day.max()) - low + 1
        key = np.sort(customer * span + (day - low))
        key = key[np.r_[True, key[1:] != key[:-1]]]
        customer, day = key // span, key % span + low

    counts = np.bincount(customer, minlength=n_customers).astype(np.int64)
    first = np.full(n_customers, np.nan)
    last = np.full(n_customers, np.nan)
    new_customer = np.r_[True, customer[1:] != customer[:-1]] if len(day) else []
    starts = np.flatnonzero(new_customer)
    ends = np.r_[starts[1:], len(day)] - 1
    first[customer[starts]] = reference_day - day[starts]
    last[customer[ends[ends >= 0]]] = reference_day - day[ends[ends >= 0]]

    same = customer[1:] == customer[:-1]
    gap_customer = customer[1:][same]
    log_gap = np.log(np.maximum(day[1:] - day[:-1], 1)[same].astype(np.float64))
    center = _group_median(gap_customer, log_gap, n_customers)
    spread = np.abs(log_gap - center[gap_customer])
    scale = 1.4826 * _group_median(gap_customer, spread, n_customers)
    return PurchaseHistory(counts, first, last, center, scale)


def _group_median(group: IntArray, value: FloatArray, n_groups: int) -> FloatArray:
    """Median of ``value`` within each group (``group`` sorted ascending); NaN for empty."""
    out = np.full(n_groups, np.nan)
    if len(value) == 0:
        return out
    # sort by group, then value, through one float key (faster than lexsort)
    low = float(value.min())
    span = float(value.max()) - low + 1.0
    order = np.argsort(group * span + (value - low))
    sorted_value = value[order]
    counts = np.bincount(group, minlength=n_groups)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    has = counts > 0
    lo = starts[has] + (counts[has] - 1) // 2
    hi = starts[has] + counts[has] // 2
    out[has] = 0.5 * (sorted_value[lo] + sorted_value[hi])
    return out


@dataclass(frozen=True, eq=False)
class MixHistory:
    """The ``mix_*`` columns of ``ScoringFeatures``: one row per (customer, category)."""

    customer: IntArray
    category: IntArray
    share: FloatArray
    days_since: FloatArray


def mix_history(
    customer: IntArray,
    category: IntArray,
    day: IntArray,
    purchase_days: IntArray,
    reference_day: int,
) -> MixHistory:
    """Category shares and recency from (customer, category, day) rows, all customers at once.

    ``purchase_days`` is the per-customer count from ``purchase_history``; a row per order line is
    fine (duplicates are dropped), so one set-based query feeds it.
    """
    customer = np.asarray(customer, dtype=np.int64)
    category = np.asarray(category, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    keep = (day <= reference_day) & (customer >= 0) & (category >= 0)
    customer, category, day = customer[keep], category[keep], day[keep]
    if len(day) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return MixHistory(empty, empty, np.zeros(0), np.zeros(0))
    # one sortable key per (customer, category, day); drop repeats, then group by the pair
    low = int(day.min())
    span = int(day.max()) - low + 1
    n_cat = int(category.max()) + 1
    key = np.sort((customer * n_cat + category) * span + (day - low))
    key = key[np.r_[True, key[1:] != key[:-1]]]
    pair = key // span
    last_day = key % span + low
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    ends = np.r_[starts[1:], len(pair)] - 1
    counts = np.diff(np.r_[starts, len(pair)])
    pair_customer = pair[starts] // n_cat
    total = np.maximum(np.asarray(purchase_days, dtype=np.float64)[pair_customer], 1.0)
    return MixHistory(
        customer=pair_customer,
        category=pair[starts] % n_cat,
        share=np.minimum(counts / total, 1.0),
        days_since=(reference_day - last_day[ends]).astype(np.float64),
    )
