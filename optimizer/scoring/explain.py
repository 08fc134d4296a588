"""Message keys and values behind each customer's score (rendered by the app in pt-BR/English).

Reasons come in tiers: finance flags first (they change what the visit is for), then the other
flags (rescue, purchase lapse, visit overdue, new customer), then the plain contributions;
within a tier, by the points the component adds to the score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from optimizer.scoring.flags import (
    COLLECTION,
    CREDIT_BLOCKED,
    NEW_CUSTOMER,
    PURCHASE_LAPSE,
    RESCUE,
    SERVICE_GAP,
)
from optimizer.scoring.reason import Reason

if TYPE_CHECKING:
    from optimizer.scoring.engine import ScoringResult

_FINANCE, _FLAG, _PLAIN = 0, 1, 2
_MAX_OFFERS = 3

Tiered = tuple[int, Reason]


def _value(array: np.ndarray | None, i: int, default: float = 0.0) -> float:
    """Entry ``i`` of an optional feature array, ``default`` when missing or NaN."""
    if array is None or not np.isfinite(array[i]):
        return default
    return float(array[i])


def _cycle(res: ScoringResult, i: int) -> Tiered:
    """Purchase-cycle line: rescue, lapse or plain days without purchase."""
    pts = float(res.points[0, i])
    days = res.features.days_since_last[i]
    if not np.isfinite(days):
        return _PLAIN, Reason("no_purchase_history", {}, pts)
    cycle = max(round(float(res.cycle_days[i])), 1)
    values: dict[str, object] = {"days": int(days), "cycle": cycle}
    if res.has(i, RESCUE):
        values["cycles"] = round(float(days / res.cycle_days[i]), 1)
        return _FLAG, Reason("rescue", values, pts)
    if res.has(i, PURCHASE_LAPSE):
        values["lapse_risk"] = round(100 * float(res.lapse_risk[i]))
        return _FLAG, Reason("purchase_lapse", values, pts)
    return _PLAIN, Reason("days_without_purchase", values, pts)


def _finance(res: ScoringResult, i: int) -> list[Tiered]:
    """Collection and credit lines."""
    f = res.features
    out: list[Tiered] = []
    pts = float(res.points[3, i])
    if res.has(i, COLLECTION):
        values = {
            "amount": round(_value(f.overdue_amount, i), 2),
            "days": int(_value(f.overdue_days, i)),
            "policy": res.settings.collection_policy,
        }
        out.append((_FINANCE, Reason("overdue_collect", values, pts)))
    if res.has(i, CREDIT_BLOCKED):
        values = {
            "available": round(float(res.finance.available_credit[i]), 2),
            "ticket": round(_value(f.avg_ticket, i), 2),
        }
        out.append((_FINANCE, Reason("credit_blocked", values, pts)))
    return out


def _service_and_new(res: ScoringResult, i: int) -> list[Tiered]:
    """Visit-overdue and new-customer lines."""
    f = res.features
    out: list[Tiered] = []
    if res.has(i, SERVICE_GAP):
        contact = f.days_since_contact
        never = contact is None or not np.isfinite(contact[i])
        values: dict[str, object] = {
            "days": None if never or contact is None else int(contact[i]),
            "frequency": int(_value(f.visit_frequency_days, i)),
        }
        out.append((_FLAG, Reason("visit_overdue", values, float(res.points[1, i]))))
    if res.has(i, NEW_CUSTOMER):
        first = f.days_since_first[i]
        values = {"days": int(first) if np.isfinite(first) else None}
        out.append((_FLAG, Reason("new_customer", values, 0.0)))
    return out


def _value_delivery_mix(res: ScoringResult, i: int) -> list[Tiered]:
    """High-value, next-delivery and stopped-buying-category lines."""
    f = res.features
    out: list[Tiered] = []
    values: dict[str, object]
    if res.components[2, i] >= 0.5:
        values = {
            "ticket": round(_value(f.avg_ticket, i), 2),
            "share_pct": round(100 * float(res.revenue_share[i]), 2),
        }
        out.append((_PLAIN, Reason("high_value", values, float(res.points[2, i]))))
    if f.delivery_weekdays is not None and f.delivery_weekdays[i] & 0x7F:
        values = {"days": int(res.delivery_days[i])}
        out.append((_PLAIN, Reason("next_delivery", values, float(res.points[4, i]))))
    lo, hi = np.searchsorted(res.mix.customer, [i, i + 1])
    names = f.category_names
    pts = float(res.points[5, i])
    for k, days in zip(
        res.mix.category[lo:hi][:_MAX_OFFERS],
        res.mix.days_since[lo:hi][:_MAX_OFFERS],
        strict=True,
    ):
        name = names[k] if k < len(names) else str(k)
        values = {"category": name, "days": int(days)}
        out.append((_PLAIN, Reason("stopped_buying_category", values, pts)))
    return out


def explain(res: ScoringResult, i: int) -> list[Reason]:
    """Every reason that applies to customer ``i``, most important first."""
    tiered = [*_finance(res, i), _cycle(res, i)]
    tiered += _service_and_new(res, i) + _value_delivery_mix(res, i)
    tiered.sort(key=lambda t: (t[0], -t[1].points))
    return [reason for _, reason in tiered]
