"""Words for the score: one renderer per engine reason key, component and flag labels.

The keys, component names and flag bits come from ``optimizer.scoring``; a test checks that
every reason key the engine can write has a renderer here and every flag bit a label.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.formatting import money, number
from optimizer.scoring import (
    COLLECTION,
    CREDIT_BLOCKED,
    FIELD_REACTIVATION,
    NEW_CUSTOMER,
    PURCHASE_LAPSE,
    RESCUE,
    SERVICE_GAP,
)

COMPONENT_LABELS: dict[str, Any] = {
    "urgency": _l("Purchase cycle"),
    "service": _l("Service (visits and calls)"),
    "value": _l("Customer value"),
    "finance": _l("Finance"),
    "delivery": _l("Delivery fit"),
    "mix": _l("Product mix"),
}

# (bit, css class, icon, label): colour + icon + word, never colour alone.
FLAGS: list[tuple[int, str, str, Any]] = [
    (SERVICE_GAP, "gap", "⏱", _l("Service gap")),
    (PURCHASE_LAPSE, "lapse", "↘", _l("Purchase lapse")),
    (RESCUE, "rescue", "🛟", _l("Rescue")),
    (COLLECTION, "collect", "⚠", _l("Overdue: collect")),
    (CREDIT_BLOCKED, "credit", "⛔", _l("Credit blocked")),
    (NEW_CUSTOMER, "new", "★", _l("New customer")),
    (FIELD_REACTIVATION, "rescue", "🚗", _l("Reactivation visit (company policy)")),
]
# The desk pages draw the same flags with the SVG sprite (app/icons.py); the rep's phone keeps
# the characters above, which need no extra request offline.
FLAG_SPRITE: dict[int, str] = {
    SERVICE_GAP: "clock",
    PURCHASE_LAPSE: "trending-down",
    RESCUE: "life-buoy",
    COLLECTION: "triangle-alert",
    CREDIT_BLOCKED: "ban",
    NEW_CUSTOMER: "star",
    FIELD_REACTIVATION: "car",
}

# What a contact is for (optimizer.scoring.PURPOSE_NAMES).
PURPOSE_LABELS: dict[str, Any] = {
    "sales": _l("Sales visit"),
    "collect_only": _l("Collection only"),
    "none": _l("No contact planned"),
    "reactivation": _l("Reactivation (rescue)"),
}


def _int(values: dict[str, Any], key: str) -> int:
    value = values.get(key)
    return int(value) if isinstance(value, int | float) else 0


def _days_without_purchase(v: dict[str, Any]) -> str:
    if _int(v, "days") == 0:  # "0 dia sem comprar" reads wrong: say it
        return _("Bought today; usually buys every %(cycle)s days", cycle=_int(v, "cycle"))
    return ngettext(
        "%(num)d day without buying; usually buys every %(cycle)s days",
        "%(num)d days without buying; usually buys every %(cycle)s days",
        _int(v, "days"),
        cycle=_int(v, "cycle"),
    )


def _purchase_lapse(v: dict[str, Any]) -> str:
    return ngettext(
        "%(num)d day without buying; usually buys every %(cycle)s days — out of its cycle",
        "%(num)d days without buying; usually buys every %(cycle)s days — out of its cycle",
        _int(v, "days"),
        cycle=_int(v, "cycle"),
    )


def _rescue(v: dict[str, Any]) -> str:
    cycles = number(v.get("cycles") or 0, "#,##0.#")
    gone = ngettext(
        "No purchase for %(num)d day (%(cycles)s× its %(cycle)s-day cycle): rescue",
        "No purchase for %(num)d days (%(cycles)s× its %(cycle)s-day cycle): rescue",
        _int(v, "days"),
        cycles=cycles,
        cycle=_int(v, "cycle"),
    )
    if "channel" not in v:  # snapshots older than purposes
        return gone
    monthly = money(v.get("monthly") or 0)
    channel = v.get("channel")
    if channel == "field":
        how = _(
            "field visit by company policy (customers bringing %(min)s a month or more)",
            min=money(v.get("min_value") or 0),
        )
    elif channel == "telesales_only":
        how = _("telesales only, by company policy")
    else:
        how = _("telesales first; a field visit if the call asks for one")
    return _(
        "%(gone)s — used to bring %(monthly)s a month; %(how)s", gone=gone, monthly=monthly, how=how
    )


def _value_at_stake(v: dict[str, Any]) -> str:
    return _(
        "%(at_stake)s a month at stake: buys %(monthly)s a month, %(risk)s%% risk of losing it",
        at_stake=money(v.get("at_stake") or 0),
        monthly=money(v.get("monthly") or 0),
        risk=_int(v, "lapse_risk"),
    )


def _overdue_collect(v: dict[str, Any]) -> str:
    amount, days = money(v.get("amount") or 0), _int(v, "days")
    policy = v.get("policy")
    if policy == "skip":
        return ngettext(
            "%(amount)s overdue for %(num)d day — collect; no sales visit",
            "%(amount)s overdue for %(num)d days — collect; no sales visit",
            days,
            amount=amount,
        )
    if policy == "allow":
        return ngettext(
            "%(amount)s overdue for %(num)d day — collect during the visit",
            "%(amount)s overdue for %(num)d days — collect during the visit",
            days,
            amount=amount,
        )
    return ngettext(
        "%(amount)s overdue for %(num)d day — collect",
        "%(amount)s overdue for %(num)d days — collect",
        days,
        amount=amount,
    )


def _credit_blocked(v: dict[str, Any]) -> str:
    available = v.get("available") or 0
    if available < 0:
        return _(
            "Credit limit exceeded by %(amount)s; the usual order is %(ticket)s",
            amount=money(-available),
            ticket=money(v.get("ticket") or 0),
        )
    return _(
        "Available credit %(available)s is below the usual order of %(ticket)s",
        available=money(v.get("available") or 0),
        ticket=money(v.get("ticket") or 0),
    )


def _visit_overdue(v: dict[str, Any]) -> str:
    frequency = _int(v, "frequency")
    if v.get("days") is None:
        return _("Never visited or called; should be every %(frequency)s days", frequency=frequency)
    return ngettext(
        "No visit or call for %(num)d day; should be every %(frequency)s days",
        "No visit or call for %(num)d days; should be every %(frequency)s days",
        _int(v, "days"),
        frequency=frequency,
    )


def _new_customer(v: dict[str, Any]) -> str:
    if v.get("days") is None:
        return _("New customer, no purchase yet")
    if _int(v, "days") == 0:
        return _("New customer: first purchase today")
    return ngettext(
        "New customer: first purchase %(num)d day ago",
        "New customer: first purchase %(num)d days ago",
        _int(v, "days"),
    )


def _high_value(v: dict[str, Any]) -> str:
    share = v.get("share_pct") or 0
    if share < 1:  # a fraction of a percent says nothing to a rep
        return _("Average ticket %(ticket)s", ticket=money(v.get("ticket") or 0))
    return _(
        "Average ticket %(ticket)s; %(share)s%% of the portfolio's revenue",
        ticket=money(v.get("ticket") or 0),
        share=number(share, "#,##0.#"),
    )


def _next_delivery(v: dict[str, Any]) -> str:
    days = _int(v, "days")
    if days <= 0:
        return _("An order taken today is delivered today")
    if days == 1:
        return _("An order taken today is delivered tomorrow")
    return _("An order taken today is delivered in %(num)d days", num=days)


def _stopped_buying(v: dict[str, Any]) -> str:
    category = str(v.get("category") or "")
    if v.get("days") is None:
        return _("Stopped buying %(category)s", category=category)
    if _int(v, "days") == 0:
        return _("Stopped buying %(category)s (last time today)", category=category)
    return ngettext(
        "Stopped buying %(category)s (last time %(num)d day ago)",
        "Stopped buying %(category)s (last time %(num)d days ago)",
        _int(v, "days"),
        category=category,
    )


# Engine reason key -> renderer of its values.
REASONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "days_without_purchase": _days_without_purchase,
    "purchase_lapse": _purchase_lapse,
    "rescue": _rescue,
    "no_purchase_history": lambda _v: _("Has never bought"),
    "overdue_collect": _overdue_collect,
    "credit_blocked": _credit_blocked,
    "visit_overdue": _visit_overdue,
    "new_customer": _new_customer,
    "high_value": _high_value,  # snapshots older than the value in money
    "value_at_stake": _value_at_stake,
    "next_delivery": _next_delivery,
    "stopped_buying_category": _stopped_buying,
}


def is_detail(reason: dict[str, Any]) -> bool:
    """A stored line that is a detail, not a reason (older snapshots have only reasons)."""
    return bool(reason.get("detail"))


def render_reason(reason: dict[str, Any]) -> str | None:
    """One reason as a sentence in the user's language, or None for an unknown key."""
    renderer = REASONS.get(str(reason.get("key", "")))
    if renderer is None:
        return None
    try:
        return renderer(dict(reason.get("values") or {}))
    except (KeyError, TypeError, ValueError):
        return None
