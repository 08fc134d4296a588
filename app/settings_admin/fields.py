"""Labels, help and bounds of each ScoringSettings field, for the form generated from
the dataclass."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from flask_babel import lazy_gettext as _l

from optimizer.scoring import (
    COLLECTION_POLICIES,
    REACTIVATION_POLICIES,
    ScoringSettings,
)

GROUPS: dict[str, Any] = {
    "weights": _l("Weights of the score"),
    "cycle": _l("Purchase cycle"),
    "finance": _l("Finance"),
    "service": _l("Service, delivery and new customers"),
    "mix": _l("Product mix (what to offer)"),
    "reactivation": _l("Rescue cases (reactivation)"),
    "model": _l("Advanced: the purchase model"),
}


@dataclass(frozen=True)
class FieldText:
    """How one settings field is shown: group, label, help and allowed range."""

    group: str
    label: Any
    help: Any
    minimum: float | None = 0.0
    maximum: float | None = None


TEXT: dict[str, FieldText] = {
    "weight_urgency": FieldText(
        "weights",
        _l("Purchase cycle"),
        _l("How much being due (or late) to buy again counts."),
        0,
        10,
    ),
    "weight_service": FieldText(
        "weights",
        _l("Service (visits and calls)"),
        _l("How much a visit or call overdue for its frequency counts."),
        0,
        10,
    ),
    "weight_value": FieldText(
        "weights",
        _l("Customer value"),
        _l(
            "How much the monthly revenue at stake counts "
            "(what the customer brings a month × the risk of losing it)."
        ),
        0,
        10,
    ),
    "weight_finance": FieldText(
        "weights", _l("Finance"), _l("How much a healthy credit situation counts."), 0, 10
    ),
    "weight_delivery": FieldText(
        "weights",
        _l("Delivery fit"),
        _l("How much a quick delivery of an order taken today counts."),
        0,
        10,
    ),
    "weight_mix": FieldText(
        "weights",
        _l("Product mix"),
        _l("How much product lines the customer stopped buying count."),
        0,
        10,
    ),
    "default_cycle_days": FieldText(
        "cycle",
        _l("Default purchase cycle (days)"),
        _l("Cycle of a customer with no history and no segment cycle."),
        1,
        365,
    ),
    "learn_segment_cycles": FieldText(
        "cycle",
        _l("Learn each segment's cycle"),
        _l("Learn the typical cycle of each segment from its customers' orders."),
    ),
    "min_segment_customers": FieldText(
        "cycle",
        _l("Customers needed to learn a segment"),
        _l("Below this, the segment uses the default cycle."),
        1,
        100000,
    ),
    "rescue_multiple": FieldText(
        "cycle",
        _l("Rescue after (× the cycle)"),
        _l("A customer this many cycles without buying is a rescue case."),
        1.01,
        50,
    ),
    "lapse_multiple": FieldText(
        "cycle",
        _l("Purchase lapse after (× the cycle)"),
        _l("Flag a lapse (ruptura de positivação) when this many cycles pass without a purchase."),
        1,
        50,
    ),
    "lapse_min_purchase_days": FieldText(
        "cycle",
        _l("Purchases needed to flag a lapse"),
        _l("Only customers who bought regularly can lapse."),
        1,
        1000,
    ),
    "collection_policy": FieldText(
        "finance",
        _l("Overdue customers"),
        _l("What to do with customers whose receivables are overdue past the tolerance."),
    ),
    "overdue_tolerance_days": FieldText(
        "finance",
        _l("Overdue tolerance (days)"),
        _l("Days past due before the customer is flagged for collection."),
        0,
        365,
    ),
    "service_tolerance_days": FieldText(
        "service",
        _l("Visit frequency tolerance (days)"),
        _l("Days past the visit frequency before a service gap is flagged."),
        0,
        365,
    ),
    "new_customer_days": FieldText(
        "service",
        _l("New customer for (days)"),
        _l("Days after the first purchase during which a customer counts as new."),
        0,
        3650,
    ),
    "value_reference_monthly": FieldText(
        "service",
        _l("Revenue at stake worth full value points (R$ a month)"),
        _l("Blank: the portfolio's 95th percentile."),
        0,
        None,
    ),
    "reactivation_policy": FieldText(
        "reactivation",
        _l("Rescue cases go to"),
        _l(
            "A customer far past its purchase cycle needs a reactivation attempt, "
            "not a slot a due customer needs."
        ),
    ),
    "reactivation_field_min_value": FieldText(
        "reactivation",
        _l("Field visit from (R$ a month)"),
        _l(
            "With “field above a value”: rescue cases that used to bring at least "
            "this much a month get a field visit."
        ),
        0,
        None,
    ),
    "lapse_calibration": FieldText(
        "model",
        _l("Learn the lapse risk from the last months"),
        _l(
            "Each night, compare who stopped buying over the last horizon "
            "with what the model said, and correct it."
        ),
    ),
    "calibration_min_customers": FieldText(
        "model",
        _l("Customers needed to learn the lapse risk"),
        _l("Below this, the model's own lapse risk is used."),
        10,
        10_000_000,
    ),
    "mix_min_share": FieldText(
        "mix",
        _l("Regular product line from (share of purchases)"),
        _l("A line bought on at least this share of the purchases is regular (0–1)."),
        0,
        1,
    ),
    "mix_min_purchase_days": FieldText(
        "mix",
        _l("Purchases needed to judge the mix"),
        _l("Customers with fewer purchases get no mix suggestions."),
        1,
        1000,
    ),
    "mix_lapse_multiple": FieldText(
        "mix",
        _l("Line stopped after (× the cycle)"),
        _l("Suggest a regular line not bought for this many cycles."),
        0.1,
        50,
    ),
    "shrinkage_strength": FieldText(
        "model",
        _l("Pull toward the segment's cycle"),
        _l("In orders; blank: learned from the data."),
        0,
        1000,
    ),
    "scale_prior_strength": FieldText(
        "model",
        _l("Pull toward the typical regularity"),
        _l("In orders: how much a customer's regularity is pulled to the portfolio's."),
        0,
        1000,
    ),
    "default_gap_log_sd": FieldText(
        "model",
        _l("Default irregularity"),
        _l("Spread of purchase gaps (log scale) when too few customers to learn it."),
        0.01,
        5,
    ),
    "lapse_horizon_days": FieldText(
        "model",
        _l("Lapse risk horizon (days)"),
        _l("Lapse risk is the chance of no purchase within these days."),
        1,
        3650,
    ),
    "propensity_horizon_days": FieldText(
        "model",
        _l("Purchase propensity horizon (days)"),
        _l("Propensity is the chance of a purchase within these days."),
        1,
        3650,
    ),
    "dormant_rate_share": FieldText(
        "model",
        _l("Purchases of a customer who left (× its rate)"),
        _l(
            "0: a customer who dropped out never buys again; "
            "0.1: still buys at a tenth of its usual rate."
        ),
        0,
        1,
    ),
    "fit_sample_size": FieldText(
        "model",
        _l("Customers sampled to fit the model"),
        _l("Larger is slower and steadier."),
        100,
        10_000_000,
    ),
    "regularity_gaps": FieldText(
        "model",
        _l("Orders before trusting a customer's own cycle"),
        _l("How many purchase gaps it takes to trust a customer's own rhythm."),
        0,
        1000,
    ),
}

POLICY_LABELS: dict[str, Any] = {
    "skip": _l("Skip: no sales visit (score 0)"),
    "collect_only": _l("Collection visit only"),
    "allow": _l("Allow sales visits"),
}

REACTIVATION_LABELS: dict[str, Any] = {
    "telesales_first": _l("Telesales first (a field visit only when the call asks for one)"),
    "field_above_value": _l("Field visit when valuable enough, telesales for the others"),
    "never": _l("Telesales only, never a field visit"),
}

# The choices of each text setting: (stored value, label).
CHOICES: dict[str, list[tuple[str, Any]]] = {
    "collection_policy": [(p, POLICY_LABELS[p]) for p in COLLECTION_POLICIES],
    "reactivation_policy": [(p, REACTIVATION_LABELS[p]) for p in REACTIVATION_POLICIES],
}

# Fields shown with their own widget (per segment, or the delivery form: the lead time is
# one company fact shared with the visit calendar) or not at all.
SPECIAL = {"segment_cycle_days", "extra", "lead_time_days"}


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: its dataclass name and kind ('float', 'int', 'bool', 'choice',
    'optional')."""

    name: str
    kind: str
    text: FieldText


def _kind(annotation: Any) -> str:
    text = str(annotation).replace(" ", "")
    if text in {"float|None", "Optional[float]"}:
        return "optional"
    if text == "bool":
        return "bool"
    if text == "int":
        return "int"
    if text == "str":
        return "choice"
    return "float"


def field_specs() -> list[FieldSpec]:
    """Editable fields in the dataclass's order; fields without text get a plain label."""
    specs = []
    for f in fields(ScoringSettings):
        if f.name in SPECIAL:
            continue
        text = TEXT.get(f.name) or FieldText("model", f.name.replace("_", " ").capitalize(), "")
        specs.append(FieldSpec(f.name, _kind(f.type), text))
    return specs


SEGMENT_PREFIX = "segment_cycle__"


def segment_specs(segments: tuple[str, ...]) -> list[FieldSpec]:
    """One optional cycle field per customer segment of the company (blank: default cycle)."""
    return [
        FieldSpec(
            f"{SEGMENT_PREFIX}{k}",
            "optional",
            FieldText(
                "cycle",
                _l("Purchase cycle of the “%(segment)s” segment (days)", segment=name),
                _l("Blank: the default cycle, or the one learned from the segment's orders."),
                1,
                365,
            ),
        )
        for k, name in enumerate(segments)
    ]
