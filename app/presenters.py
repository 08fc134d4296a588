"""Turn stored codes (reason keys, flags, outcomes) into words in the user's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.formatting import money, number
from app.models import ContactKind, Outcome
from app.services.clock import local_today

OUTCOME_LABELS = {
    Outcome.ORDER: _l("Order"),
    Outcome.NO_SALE: _l("No sale"),
    Outcome.CLOSED: _l("Closed"),
    Outcome.RESCHEDULED: _l("Rescheduled"),
    Outcome.SKIPPED: _l("Skipped"),
    Outcome.NOT_REACHED: _l("Not reached"),
    Outcome.CALLBACK: _l("Call back"),
    Outcome.COLLECTED: _l("Collection"),
}

KIND_LABELS = {ContactKind.VISIT: _l("Visit"), ContactKind.CALL: _l("Call")}

# Reason keys written by the scoring engine → message templates. Values are
# formatted before interpolation (money as BRL, numbers with the locale's separators).
REASON_TEMPLATES: dict[str, Any] = {
    "days_without_purchase": _l("%(days)s days without buying; usually buys every %(cycle)s"),
    "never_bought": _l("Has never bought"),
    "visit_overdue": _l("Contact overdue by %(days)s days (every %(frequency)s days)"),
    "never_contacted": _l("Never visited or called"),
    "overdue_collect": _l("%(amount)s overdue for %(days)s days — collect"),
    "credit_blocked": _l("Available credit %(available)s is below the usual order of %(ticket)s"),
    "stopped_buying_category": _l("Stopped buying %(category)s"),
    "high_value": _l("Average ticket %(ticket)s"),
    "rescue": _l("Lost for %(days)s days: rescue"),
    "new_customer": _l("New customer"),
    "delivery_fit": _l("An order today is delivered on %(day)s"),
}

MONEY_KEYS = {"amount", "available", "ticket", "value"}


@dataclass(frozen=True)
class FlagLabel:
    """A flag shown by colour, icon and word (never colour alone)."""

    css: str
    icon: str
    label: str


def _format_values(values: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in values.items():
        if key in MONEY_KEYS and isinstance(value, int | float):
            out[key] = money(value)
        elif isinstance(value, float):
            out[key] = number(value, "#,##0")
        else:
            out[key] = str(value)
    return out


def render_reason(reason: dict[str, Any]) -> str | None:
    """One reason as a sentence, or None for keys this version does not know."""
    template = REASON_TEMPLATES.get(reason.get("key", ""))
    if template is None:
        return None
    try:
        return str(template) % _format_values(reason.get("values") or {})
    except (KeyError, TypeError, ValueError):
        return None


def render_reasons(reasons: Iterable[dict[str, Any]] | None, limit: int | None = None) -> list[str]:
    """Sentences for the reasons, most important first."""
    texts = [t for t in (render_reason(r) for r in (reasons or [])) if t]
    return texts[:limit] if limit else texts


def render_offers(offers: Iterable[Any] | None) -> list[str]:
    """Product categories to offer."""
    out = []
    for offer in offers or []:
        out.append(str(offer.get("category")) if isinstance(offer, dict) else str(offer))
    return out


def component_items(components: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Score components as (label, points) pairs."""
    from app.presenters_scoring import COMPONENT_LABELS

    items = []
    for key, value in (components or {}).items():
        label = COMPONENT_LABELS.get(key)
        if label is not None and isinstance(value, int | float):
            items.append((str(label), number(value, "#,##0.0")))
    return items


def flag_labels(flags: int | None) -> list[FlagLabel]:
    """The flags set in a bitmask, each with colour class, icon and word."""
    from app.presenters_scoring import FLAGS

    return [
        FlagLabel(css=css, icon=icon, label=str(label))
        for bit, css, icon, label in FLAGS
        if (flags or 0) & bit
    ]


def register(app: Flask) -> None:
    """Expose the presenters to templates."""
    app.jinja_env.filters.update(
        render_reasons=render_reasons,
        render_offers=render_offers,
        component_items=component_items,
        flag_labels=flag_labels,
        outcome_label=lambda o: str(OUTCOME_LABELS.get(Outcome(o), o)) if o else "—",
        contact_kind_label=lambda k: str(KIND_LABELS.get(ContactKind(k), k)),
    )
    app.jinja_env.globals["page_today"] = lambda: local_today()

