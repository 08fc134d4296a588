"""The daily priority score: components, flags and explanations for every customer at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.scoring import components as comp
from optimizer.scoring.cycles import (
    CycleOutputs,
    CyclePopulation,
    cycle_outputs,
    fit_population,
)
from optimizer.scoring.explain import explain
from optimizer.scoring.features import ScoringFeatures
from optimizer.scoring.flags import (
    COLLECTION,
    CREDIT_BLOCKED,
    NEW_CUSTOMER,
    PURCHASE_LAPSE,
    RESCUE,
    SERVICE_GAP,
    flag_names,
)
from optimizer.scoring.reason import Reason
from optimizer.scoring.settings import ScoringSettings

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

COMPONENTS = ("urgency", "service", "value", "finance", "delivery", "mix")

PURPOSE_SALES = 0
PURPOSE_COLLECT = 1
PURPOSE_NONE = 2
PURPOSE_NAMES = ("sales", "collect_only", "none")


@dataclass(frozen=True, eq=False)
class ScoringResult:
    """Scores, components (0-1 and points), flags and the model outputs for every customer."""

    features: ScoringFeatures
    settings: ScoringSettings
    population: CyclePopulation
    score: FloatArray  # 0-100 sales priority
    components: FloatArray  # (6, n): one row per name in COMPONENTS, each 0-1
    points: FloatArray  # (6, n): what each component adds to ``score``
    flags: npt.NDArray[np.uint8]
    purpose: npt.NDArray[np.int8]  # PURPOSE_SALES / PURPOSE_COLLECT / PURPOSE_NONE
    cycle: CycleOutputs
    finance: comp.Finance
    revenue_share: FloatArray
    delivery_days: IntArray
    mix: comp.MixLapse

    @property
    def cycle_days(self) -> FloatArray:
        """The learned purchase cycle of each customer, in days."""
        return self.cycle.cycle_days

    @property
    def lapse_risk(self) -> FloatArray:
        """P(no purchase within the lapse horizon)."""
        return self.cycle.lapse_risk

    @property
    def buy_propensity(self) -> FloatArray:
        """P(a purchase within the propensity horizon)."""
        return self.cycle.buy_propensity

    def component(self, name: str) -> FloatArray:
        """One named component (0-1) for all customers."""
        row: FloatArray = self.components[COMPONENTS.index(name)]
        return row

    def has(self, i: int, flag: int) -> bool:
        """Whether customer ``i`` carries ``flag``."""
        return bool(self.flags[i] & flag)

    def offers(self, i: int) -> list[tuple[int, str]]:
        """What to offer: the customer's lapsed regular categories, largest share first."""
        lo, hi = np.searchsorted(self.mix.customer, [i, i + 1])
        names = self.features.category_names
        return [
            (int(k), names[k] if k < len(names) else str(k))
            for k in self.mix.category[lo:hi]
        ]

    def explain(self, i: int) -> list[Reason]:
        """Reasons for customer ``i``: flagged ones first, then by contribution to the score."""
        return explain(self, i)

    def card(self, i: int) -> dict[str, Any]:
        """Everything a customer card shows, as plain JSON-ready values."""
        return {
            "customer_id": int(self.features.customer_id[i]),
            "score": round(float(self.score[i]), 1),
            "purpose": PURPOSE_NAMES[int(self.purpose[i])],
            "flags": flag_names(int(self.flags[i])),
            "components": {
                name: {
                    "value": round(float(self.components[k, i]), 3),
                    "points": round(float(self.points[k, i]), 1),
                }
                for k, name in enumerate(COMPONENTS)
            },
            "cycle_days": round(float(self.cycle_days[i]), 1),
            "lapse_risk": round(float(self.lapse_risk[i]), 3),
            "buy_propensity": round(float(self.buy_propensity[i]), 3),
            "reasons": [{"key": r.key, "values": r.values} for r in self.explain(i)],
            "offers": [name for _, name in self.offers(i)],
        }

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """One array per snapshot column, for a bulk insert of the day's scores."""
        out: dict[str, npt.NDArray[Any]] = {
            "customer_id": self.features.customer_id,
            "score": self.score,
            "flags": self.flags,
            "purpose": self.purpose,
            "cycle_days": self.cycle_days,
            "lapse_risk": self.lapse_risk,
            "buy_propensity": self.buy_propensity,
        }
        for k, name in enumerate(COMPONENTS):
            out[f"{name}_points"] = self.points[k]
        return out


def score(
    features: ScoringFeatures,
    settings: ScoringSettings | None = None,
    population: CyclePopulation | None = None,
) -> ScoringResult:
    """Score every customer; the population is fitted on the portfolio unless given."""
    settings = settings or ScoringSettings()
    population = population or fit_population(features, settings)
    cyc = cycle_outputs(features, settings, population)
    n = features.size
    recency = np.asarray(features.days_since_last, dtype=np.float64)
    known = np.isfinite(recency)
    rescue = known & (recency >= settings.rescue_multiple * cyc.cycle_days)
    lapse = (
        known
        & ~rescue
        & (features.purchase_days >= settings.lapse_min_purchase_days)
        & (recency > settings.lapse_multiple * cyc.cycle_days)
    )
    urgency = np.where(rescue, settings.rescue_urgency, cyc.urgency)
    service, service_flag = comp.service_gap(features, settings)
    value, share = comp.value(features, settings)
    fin = comp.finance(features, settings)
    delivery, delivery_days = comp.delivery_fit(features, settings)
    mix = comp.mix_lapse(features, settings, cyc.cycle_days)

    parts = np.stack([urgency, service, value, fin.component, delivery, mix.component])
    weights = np.asarray(settings.weights(), dtype=np.float64)
    points = parts * (100.0 * weights / weights.sum())[:, None]
    total = points.sum(axis=0)
    purpose = np.full(n, PURPOSE_SALES, dtype=np.int8)
    if settings.collection_policy != "allow":
        total = np.where(fin.collection, 0.0, total)
        code = PURPOSE_NONE if settings.collection_policy == "skip" else PURPOSE_COLLECT
        purpose[fin.collection] = code

    flags = np.zeros(n, dtype=np.uint8)
    for mask, bit in (
        (service_flag, SERVICE_GAP),
        (lapse, PURCHASE_LAPSE),
        (rescue, RESCUE),
        (fin.collection, COLLECTION),
        (fin.credit_blocked, CREDIT_BLOCKED),
        (_new_customers(features, settings), NEW_CUSTOMER),
    ):
        flags[mask] |= np.uint8(bit)
    return ScoringResult(
        features,
        settings,
        population,
        np.clip(total, 0.0, 100.0),
        parts,
        points,
        flags,
        purpose,
        cyc,
        fin,
        share,
        delivery_days,
        mix,
    )


def _new_customers(
    features: ScoringFeatures, settings: ScoringSettings
) -> npt.NDArray[np.bool_]:
    """First purchase (or, with none, the customer record) within the new-customer window."""
    first = np.asarray(features.days_since_first, dtype=np.float64)
    created = (
        np.full(features.size, np.nan)
        if features.days_since_created is None
        else np.asarray(features.days_since_created, dtype=np.float64)
    )
    window = settings.new_customer_days
    recent_first = np.isfinite(first) & (first <= window)
    no_history = ~np.isfinite(first) & (np.isnan(created) | (created <= window))
    new: npt.NDArray[np.bool_] = recent_first | no_history
    return new
