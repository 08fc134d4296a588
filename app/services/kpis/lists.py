"""The customers behind a dashboard figure, in the order that matters for that figure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.services.errors import NotFound
from app.services.kpis.activity import contact_customer_ids
from app.services.kpis.facts import STATUSES, CustomerFacts, KpiFilter, gap_order, load_facts
from app.services.kpis.metrics import owner_names

FactTest = Callable[[CustomerFacts], Any]


def _has_status(status: str) -> FactTest:
    return lambda f: f.status == status


FACT_LISTS: dict[str, tuple[FactTest, FactTest]] = {
    "all": (lambda f: True, lambda f: f.name),
    "covered": (lambda f: not f.in_gap, lambda f: f.name),
    "gap": (lambda f: f.in_gap, gap_order),
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
    "flagged",
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

    Raises NotFound for an unknown list key (a link to a list that does not exist).
    """
    names = owner_names(flt.scope)
    if key in FACT_LISTS:
        keep, order = FACT_LISTS[key]
        kept = sorted((f for f in load_facts(flt).values() if keep(f)), key=order)
        return [ListRow(f, names.get(f.owner_id or 0, "—")) for f in kept]
    if key not in CONTACT_LISTS:
        raise NotFound(f"list {key}")
    counts = contact_customer_ids(flt, kind=key, day=day, user_id=user_id, reason=reason)
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
