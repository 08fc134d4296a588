"""Message keys and values behind each customer's score (rendered by the app in pt-BR/English).

A card lists **reasons**, then **details**:
- the purpose comes first, because it changes what the contact is for: overdue receivables to
  collect, a rescue case to reactivate;
- then every fact that makes the customer more urgent *today*, by the points it adds now: due or
  late for its purchase cycle, a visit overdue, a large monthly revenue at stake, a product line
  it stopped while still buying others;
- facts that do not make it more urgent today are details: the days since the last purchase of a
  customer not yet due, a small value at stake, credit headroom, a new customer, when an order
  taken today would be delivered (it makes a day convenient, not a customer urgent; its points
  still count in the score).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from optimizer.scoring.flags import (
    COLLECTION,
    CREDIT_BLOCKED,
    FIELD_REACTIVATION,
    NEW_CUSTOMER,
    PURCHASE_LAPSE,
    RESCUE,
    SERVICE_GAP,
)
from optimizer.scoring.reason import Reason

if TYPE_CHECKING:
    from optimizer.scoring.engine import ScoringResult

_PURPOSE, _REASON, _DETAIL = 0, 1, 2
_MAX_OFFERS = 3
# a component at least this high is a reason today: due for the cycle (urgency 0.5 = the
# customer's own cycle has passed), or at least half the reference money at stake
_DUE = 0.5 - 1e-6  # (the tail approximation is exact to ~1e-7 at one cycle)
_VALUABLE = 0.5

Tiered = tuple[int, Reason]
_URGENCY, _SERVICE, _VALUE, _FINANCE, _DELIVERY, _MIX = range(6)


def _value(array: np.ndarray | None, i: int, default: float = 0.0) -> float:
    """Entry ``i`` of an optional feature array, ``default`` when missing or NaN."""
    if array is None or not np.isfinite(array[i]):
        return default
    return float(array[i])


def _line(tier: int, reason: Reason) -> Tiered:
    """The reason in its tier, points rounded, marked as a detail in the detail tier."""
    return tier, replace(reason, points=round(reason.points, 2), detail=tier == _DETAIL)


def _channel(res: ScoringResult, i: int) -> str:
    """Who attempts the reactivation: a field visit by policy, telesales first, or only."""
    if res.has(i, FIELD_REACTIVATION):
        return "field"
    return "telesales_only" if res.settings.reactivation_policy == "never" else "telesales"


def _cycle(res: ScoringResult, i: int) -> Tiered:
    """Purchase-cycle line: rescue (purpose), lapse, due, or plain days without purchase."""
    pts = float(res.points[_URGENCY, i])
    days = res.features.days_since_last[i]
    if not np.isfinite(days):
        return _line(_DETAIL, Reason("no_purchase_history", {}, pts))
    cycle = max(round(float(res.cycle_days[i])), 1)
    values: dict[str, object] = {"days": int(days), "cycle": cycle}
    if res.has(i, RESCUE):
        values["cycles"] = round(float(days / res.cycle_days[i]), 1)
        values["monthly"] = round(float(res.monthly_value[i]), 2)
        # a reactivation says who makes the attempt; a collection case says it to collect
        if not res.has(i, COLLECTION) or res.settings.collection_policy == "allow":
            values["channel"] = _channel(res, i)
        if res.has(i, FIELD_REACTIVATION):
            values["min_value"] = round(res.settings.reactivation_field_min_value, 2)
        return _line(_PURPOSE, Reason("rescue", values, pts))
    if res.has(i, PURCHASE_LAPSE):
        values["lapse_risk"] = round(100 * float(res.lapse_risk[i]))
        return _line(_REASON, Reason("purchase_lapse", values, pts))
    due = res.components[_URGENCY, i] >= _DUE
    return _line(_REASON if due else _DETAIL, Reason("days_without_purchase", values, pts))


def _finance(res: ScoringResult, i: int) -> list[Tiered]:
    """Collection (purpose) and credit (detail: what can be sold on credit) lines."""
    f = res.features
    out: list[Tiered] = []
    pts = float(res.points[_FINANCE, i])
    if res.has(i, COLLECTION):
        values: dict[str, object] = {
            "amount": round(_value(f.overdue_amount, i), 2),
            "days": int(_value(f.overdue_days, i)),
            "policy": res.settings.collection_policy,
        }
        out.append(_line(_PURPOSE, Reason("overdue_collect", values, pts)))
    if res.has(i, CREDIT_BLOCKED):
        values = {
            "available": round(float(res.finance.available_credit[i]), 2),
            "ticket": round(_value(f.avg_ticket, i), 2),
        }
        out.append(_line(_DETAIL, Reason("credit_blocked", values, 0.0)))
    return out


def _service_and_new(res: ScoringResult, i: int) -> list[Tiered]:
    """Visit-overdue (reason) and new-customer (detail) lines."""
    f = res.features
    out: list[Tiered] = []
    if res.has(i, SERVICE_GAP):
        contact = f.days_since_contact
        never = contact is None or not np.isfinite(contact[i])
        values: dict[str, object] = {
            "days": None if never or contact is None else int(contact[i]),
            "frequency": int(_value(f.visit_frequency_days, i)),
        }
        out.append(_line(_REASON, Reason("visit_overdue", values, float(res.points[_SERVICE, i]))))
    if res.has(i, NEW_CUSTOMER):
        first = f.days_since_first[i]
        values = {"days": int(first) if np.isfinite(first) else None}
        out.append(_line(_DETAIL, Reason("new_customer", values, 0.0)))
    return out


def _money(res: ScoringResult, i: int) -> list[Tiered]:
    """Monthly revenue at stake: a reason when it is large, else a detail (none for a rescue)."""
    if res.has(i, RESCUE) or res.monthly_value[i] <= 0:
        return []
    values: dict[str, object] = {
        "at_stake": round(float(res.value_at_stake[i]), 2),
        "monthly": round(float(res.monthly_value[i]), 2),
        "lapse_risk": round(100 * float(res.lapse_risk[i])),
        "ticket": round(_value(res.features.avg_ticket, i), 2),
    }
    tier = _REASON if res.components[_VALUE, i] >= _VALUABLE else _DETAIL
    return [_line(tier, Reason("value_at_stake", values, float(res.points[_VALUE, i])))]


def _delivery_and_mix(res: ScoringResult, i: int) -> list[Tiered]:
    """Next-delivery (detail) and stopped-buying-category (reason) lines."""
    f = res.features
    out: list[Tiered] = []
    if f.delivery_weekdays is not None and f.delivery_weekdays[i] & 0x7F:
        values: dict[str, object] = {"days": int(res.delivery_days[i])}
        out.append(
            _line(
                _DETAIL,
                Reason("next_delivery", values, float(res.points[_DELIVERY, i])),
            )
        )
    lo, hi = np.searchsorted(res.mix.customer, [i, i + 1])
    names = f.category_names
    pts = float(res.points[_MIX, i])
    for k, days in zip(
        res.mix.category[lo:hi][:_MAX_OFFERS],
        res.mix.days_since[lo:hi][:_MAX_OFFERS],
        strict=True,
    ):
        name = names[k] if k < len(names) else str(k)
        values = {"category": name, "days": int(days)}
        out.append(_line(_REASON, Reason("stopped_buying_category", values, pts)))
    return out


def explain(res: ScoringResult, i: int) -> list[Reason]:
    """Every line of customer ``i``'s card: purpose, reasons by points today, then details."""
    tiered = [*_finance(res, i), _cycle(res, i)]
    tiered += _service_and_new(res, i) + _money(res, i) + _delivery_and_mix(res, i)
    tiered.sort(key=lambda t: (t[0], -t[1].points))
    return [reason for _, reason in tiered]
