"""Turn stored codes (reason keys, flags, outcomes) into words in the user's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from app.formatting import number
from app.models import ContactKind, Outcome
from app.presenters_scoring import (
    COMPONENT_LABELS,
    FLAG_SPRITE,
    FLAGS,
    PURPOSE_LABELS,
    is_detail,
    render_reason,
)
from app.services.clock import local_today

OUTCOME_LABELS = {
    Outcome.ORDER: _l("Order"),
    Outcome.NO_SALE: _l("No sale"),
    Outcome.CLOSED: _l("Closed"),
    Outcome.RESCHEDULED: _l("Rescheduled"),
    # TRANSLATORS: outcome of a visit or call; a noun-like past participle ("Pulado").
    Outcome.SKIPPED: _lp("outcome", "Skipped"),
    Outcome.NOT_REACHED: _l("Not reached"),
    # TRANSLATORS: outcome of a call: the customer asked to be called back later.
    Outcome.CALLBACK: _lp("outcome", "Call back"),
    Outcome.COLLECTED: _l("Collection"),
    Outcome.VISIT_REQUESTED: _l("Visit requested"),
}

# TRANSLATORS: the kind of a contact with a customer: a visit or a phone call (nouns).
KIND_LABELS = {ContactKind.VISIT: _l("Visit"), ContactKind.CALL: _lp("contact kind", "Call")}


@dataclass(frozen=True)
class FlagLabel:
    """A flag shown by colour, icon and word (never colour alone)."""

    css: str
    icon: str
    label: str
    sprite: str = "info"  # the desk pages' SVG icon (app/icons.py)


def render_reasons(reasons: Iterable[dict[str, Any]] | None, limit: int | None = None) -> list[str]:
    """Sentences for the reasons (not the details), most important first."""
    texts = [t for t in (render_reason(r) for r in (reasons or []) if not is_detail(r)) if t]
    return texts[:limit] if limit else texts


def render_details(reasons: Iterable[dict[str, Any]] | None) -> list[str]:
    """Sentences for the card's details: facts that do not make the customer urgent today."""
    return [t for t in (render_reason(r) for r in (reasons or []) if is_detail(r)) if t]


def purpose_label(purpose: str | None) -> str:
    """What a contact is for, in the user's words."""
    return str(PURPOSE_LABELS.get(purpose or "sales", purpose or ""))


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
        FlagLabel(css=css, icon=icon, label=str(label), sprite=FLAG_SPRITE.get(bit, "info"))
        for bit, css, icon, label in FLAGS
        if (flags or 0) & bit
    ]


def register(app: Flask) -> None:
    """Expose the presenters to templates."""
    app.jinja_env.filters.update(
        render_reasons=render_reasons,
        render_details=render_details,
        purpose_label=purpose_label,
        render_offers=render_offers,
        component_items=component_items,
        flag_labels=flag_labels,
        outcome_label=lambda o: str(OUTCOME_LABELS.get(Outcome(o), o)) if o else "—",
        contact_kind_label=lambda k: str(KIND_LABELS.get(ContactKind(k), k)),
    )
    app.jinja_env.globals["page_today"] = lambda: local_today()
