"""Turn stored codes (reason keys, flags, outcomes) into words in the user's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.formatting import number
from app.models import ContactKind, Outcome
from app.presenters_scoring import COMPONENT_LABELS, FLAGS, render_reason
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


@dataclass(frozen=True)
class FlagLabel:
    """A flag shown by colour, icon and word (never colour alone)."""

    css: str
    icon: str
    label: str


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
    """Score components as (label, points) pairs, in the engine's order."""
    items = []
    for key, label in COMPONENT_LABELS.items():
        value = (components or {}).get(key)
        if isinstance(value, int | float):
            items.append((str(label), number(value, "#,##0.0")))
    return items


def flag_labels(flags: int | None) -> list[FlagLabel]:
    """The flags set in a bitmask, each with colour class, icon and word."""
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

