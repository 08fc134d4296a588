"""Per-company weights, thresholds and policies of the priority score, versioned as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

COLLECTION_POLICIES = ("skip", "collect_only", "allow")
# What a rescue case gets: a telesales attempt first (a field visit only when a call asks for
# one), a field visit straight away when its monthly value reaches a threshold, or never a
# field visit (telesales only).
REACTIVATION_POLICIES = ("telesales_first", "field_above_value", "never")


@dataclass(frozen=True)
class ScoringSettings:
    """Everything an admin may tune; defaults are the product's recommendation."""

    # weights of the named components in the 0-100 total (normalised by their sum)
    weight_urgency: float = 0.35
    weight_service: float = 0.20
    weight_value: float = 0.15
    weight_finance: float = 0.10
    weight_delivery: float = 0.10
    weight_mix: float = 0.10

    # purchase cycle
    default_cycle_days: float = 30.0
    segment_cycle_days: tuple[float, ...] = ()
    learn_segment_cycles: bool = True
    min_segment_customers: int = 30
    shrinkage_strength: float | None = None
    scale_prior_strength: float = 3.0
    default_gap_log_sd: float = 0.8
    rescue_multiple: float = 3.0
    lapse_multiple: float = 1.5
    lapse_min_purchase_days: int = 3

    # probabilistic parts (what the backtest measures)
    lapse_horizon_days: float = 90.0
    propensity_horizon_days: float = 14.0
    dormant_rate_share: float = 0.0  # a dropped-out customer still buys at this x its rate
    fit_sample_size: int = 10_000
    regularity_gaps: float = 3.0
    # learn how silence turned into lapse over the last horizon of the portfolio's own history
    lapse_calibration: bool = True
    calibration_min_customers: int = 200

    # service gap
    service_tolerance_days: float = 0.0

    # value: monthly revenue at stake (R$) worth full value points (None: the 95th percentile)
    value_reference_monthly: float | None = None

    # reactivation (rescue cases): see REACTIVATION_POLICIES
    reactivation_policy: str = "telesales_first"
    reactivation_field_min_value: float = 0.0  # R$ per month, for "field_above_value"

    # finance
    collection_policy: str = "skip"
    overdue_tolerance_days: float = 5.0

    # delivery and new customers
    lead_time_days: int = 1
    new_customer_days: float = 60.0

    # product mix ("what to offer")
    mix_min_share: float = 0.25
    mix_min_purchase_days: int = 4
    mix_lapse_multiple: float = 1.5

    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Reject settings that would silently produce a meaningless ranking."""
        if self.collection_policy not in COLLECTION_POLICIES:
            raise ValueError(f"collection_policy must be one of {COLLECTION_POLICIES}")
        if self.reactivation_policy not in REACTIVATION_POLICIES:
            raise ValueError(f"reactivation_policy must be one of {REACTIVATION_POLICIES}")
        if self.reactivation_field_min_value < 0:
            raise ValueError("reactivation_field_min_value must not be negative")
        if min(self.weights()) < 0 or sum(self.weights()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        if self.default_cycle_days <= 0 or any(c <= 0 for c in self.segment_cycle_days):
            raise ValueError("cycles must be positive")
        if self.rescue_multiple <= 1:
            raise ValueError("rescue_multiple must be above 1")

    def weights(self) -> tuple[float, ...]:
        """Component weights in the order of ``COMPONENTS``."""
        return (
            self.weight_urgency,
            self.weight_service,
            self.weight_value,
            self.weight_finance,
            self.weight_delivery,
            self.weight_mix,
        )

    def segment_cycle(self, segment: int) -> float:
        """Configured default cycle of a segment (the company default when unset)."""
        if 0 <= segment < len(self.segment_cycle_days):
            return self.segment_cycle_days[segment]
        return self.default_cycle_days

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, so each plan can record the settings version that produced it."""
        data = asdict(self)
        data["segment_cycle_days"] = list(self.segment_cycle_days)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoringSettings:
        """Inverse of ``to_dict``; unknown keys go to ``extra`` so old code reads new JSON."""
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names and k != "extra"}
        extra = dict(data.get("extra", {}))
        extra.update({k: v for k, v in data.items() if k not in names})
        if "segment_cycle_days" in known:
            known["segment_cycle_days"] = tuple(float(c) for c in known["segment_cycle_days"])
        return cls(**known, extra=extra)
