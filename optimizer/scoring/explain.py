"""Message keys and values behind each customer's score (rendered by the app in pt-BR/English)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from optimizer.scoring.engine import Reason, ScoringResult


def _cycle_reason(res: ScoringResult, i: int) -> Reason | None:
    """Purchase-cycle line: rescue, lapse or plain days without purchase."""
    from optimizer.scoring.engine import PURCHASE_LAPSE, RESCUE, Reason

    f = res.features
    pts = float(res.points[i, 0])
    days = f.days_since_last[i]
    if not np.isfinite(days):
        return Reason("no_purchase_history", {}, pts)
    cycle = round(float(res.cycle_days[i]))
    values = {"days": int(days), "cycle": max(cycle, 1)}
    if res.has(i, RESCUE):
        values["cycles"] = round(float(days / res.cycle_days[i]), 1)
        return Reason("rescue", values, 100.0 + pts)
    if res.has(i, PURCHASE_LAPSE):
        values["lapse_risk"] = round(100 * float(res.lapse_risk[i]))
        return Reason("purchase_lapse", values, 50.0 + pts)
    return Reason("days_without_purchase", values, pts)


def _finance_reasons(res: ScoringResult, i: int) -> list[Reason]:
    """Collection and credit lines; they lead the card, whatever their points."""
    from optimizer.scoring.engine import COLLECTION, CREDIT_BLOCKED, Reason

    f = res.features
    out = []
    if res.has(i, COLLECTION):
        amount = float(f.overdue_amount[i]) if f.overdue_amount is not None else 0.0
        days = int(f.overdue_days[i]) if f.overdue_days is not None else 0
        out.append(
            Reason("overdue_collect", {"amount": round(amount, 2), "days": days}, 200.0)
        )
    if res.has(i, CREDIT_BLOCKED):
        ticket = float(f.avg_ticket[i]) if f.avg_ticket is not None else 0.0
        available = round(float(res.finance.available_credit[i]), 2)
        out.append(
            Reason(
                "credit_blocked",
                {"available": available, "ticket": round(ticket, 2)},
                150.0,
            )
        )
    return out


def reasons(res: ScoringResult, i: int) -> list[Reason]:
    """Every reason that applies to customer ``i``, with its points for ordering."""
    from optimizer.scoring.engine import NEW_CUSTOMER, SERVICE_GAP, Reason

    f = res.features
    out = _finance_reasons(res, i)
    cycle = _cycle_reason(res, i)
    if cycle is not None:
        out.append(cycle)
    if res.has(i, SERVICE_GAP):
        contact = f.days_since_contact
        days = None if contact is None or np.isnan(contact[i]) else int(contact[i])
        freq = (
            int(f.visit_frequency_days[i]) if f.visit_frequency_days is not None else 0
        )
        out.append(
            Reason(
                "visit_overdue",
                {"days": days, "frequency": freq},
                40.0 + float(res.points[i, 1]),
            )
        )
    if res.components[i, 2] >= 0.5:
        values = {
            "ticket": round(float(f.avg_ticket[i]), 2)
            if f.avg_ticket is not None
            else 0.0,
            "share_pct": round(100 * float(res.revenue_share[i]), 2),
        }
        out.append(Reason("high_value", values, float(res.points[i, 2])))
    if f.delivery_weekdays is not None and f.delivery_weekdays[i]:
        out.append(
            Reason(
                "next_delivery",
                {"days": int(res.delivery_days[i])},
                float(res.points[i, 4]),
            )
        )
    lo, hi = np.searchsorted(res.mix.customer, [i, i + 1])
    names = f.category_names
    mix_points = float(res.points[i, 5])
    for k, days in list(
        zip(res.mix.category[lo:hi], res.mix.days_since[lo:hi], strict=True)
    )[:3]:
        name = names[k] if k < len(names) else str(k)
        out.append(
            Reason(
                "stopped_buying_category",
                {"category": name, "days": int(days)},
                mix_points,
            )
        )
    if res.has(i, NEW_CUSTOMER):
        first = f.days_since_first[i]
        out.append(
            Reason(
                "new_customer",
                {"days": int(first) if np.isfinite(first) else None},
                30.0,
            )
        )
    return out
