"""The daily priority score: components, flags and explanations for every customer at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.scoring import components as comp
from optimizer.scoring.calibration import calibrated_lapse
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
    FIELD_REACTIVATION,
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

# What a contact with the customer is for. The codes are stored: never renumber them.
PURPOSE_SALES = 0  # a sales visit (or call), ranked by the score
PURPOSE_COLLECT = 1  # collect overdue receivables only (collection policy "collect_only")
PURPOSE_NONE = 2  # no contact planned (collection policy "skip")
PURPOSE_REACTIVATE = 3  # a rescue case: a reactivation attempt, by telesales unless policy says
PURPOSE_NAMES = ("sales", "collect_only", "none", "reactivation")


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
    purpose: npt.NDArray[np.int8]  # one of the PURPOSE_* codes
    cycle: CycleOutputs
    finance: comp.Finance
    value: comp.Value
    delivery_days: IntArray
    mix: comp.MixLapse
    lapse_risk: FloatArray  # P(no purchase within the lapse horizon), learned (calibration.py)

    @property
    def revenue_share(self) -> FloatArray:
        """Each customer's share of the portfolio's revenue in the window."""
        return self.value.revenue_share

    @property
    def monthly_value(self) -> FloatArray:
        """What each customer normally brings a month, by its own cycle (R$)."""
        return self.value.monthly

    @property
    def value_at_stake(self) -> FloatArray:
        """Monthly revenue at stake: monthly value x lapse risk (a rescue case: its
        monthly value)."""
        return self.value.at_stake

    @property
    def cycle_days(self) -> FloatArray:
        """The learned purchase cycle of each customer, in days."""
        return self.cycle.cycle_days

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
        return [(int(k), names[k] if k < len(names) else str(k)) for k in self.mix.category[lo:hi]]

    def explain(self, i: int) -> list[Reason]:
        """Reasons of customer ``i`` (purpose first, then by points today), then its details."""
        return explain(self, i)

    def card(self, i: int) -> dict[str, Any]:
        """Everything a customer card shows, as plain JSON-ready values."""
        lines = self.explain(i)
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
            "avg_ticket": _money(self.features.avg_ticket, i),
            "monthly_value": round(float(self.monthly_value[i]), 2),
            "value_at_stake": round(float(self.value_at_stake[i]), 2),
            "reasons": [{"key": r.key, "values": r.values} for r in lines if not r.detail],
            "details": [{"key": r.key, "values": r.values} for r in lines if r.detail],
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
            "avg_ticket": _or_nan(self.features.avg_ticket, self.features.size),
            "monthly_value": self.monthly_value,
            "value_at_stake": self.value_at_stake,
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
    learned = calibrated_lapse(features, settings, population, cyc)
    lapse_risk = cyc.lapse_risk if learned is None else learned
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
    # a rescue case is not due: being gone earns it no cycle points (nor value points)
    urgency = np.where(rescue, 0.0, cyc.urgency)
    service, service_flag = comp.service_gap(features, settings)
    money = comp.value(features, settings, cyc.cycle_days, lapse_risk, rescue)
    fin = comp.finance(features, settings)
    delivery, delivery_days = comp.delivery_fit(features, settings)
    mix = comp.mix_lapse(features, settings, cyc.cycle_days)

    parts = np.stack([urgency, service, money.component, fin.component, delivery, mix.component])
    weights = np.asarray(settings.weights(), dtype=np.float64)
    points = parts * (100.0 * weights / weights.sum())[:, None]
    total = points.sum(axis=0)
    purpose = np.where(rescue, PURPOSE_REACTIVATE, PURPOSE_SALES).astype(np.int8)
    if settings.collection_policy != "allow":
        total = np.where(fin.collection, 0.0, total)
        code = PURPOSE_NONE if settings.collection_policy == "skip" else PURPOSE_COLLECT
        purpose[fin.collection] = code
    in_field = (
        (purpose == PURPOSE_REACTIVATE)
        & (settings.reactivation_policy == "field_above_value")
        & (money.monthly >= settings.reactivation_field_min_value)
    )

    flags = np.zeros(n, dtype=np.uint8)
    for mask, bit in (
        (service_flag, SERVICE_GAP),
        (lapse, PURCHASE_LAPSE),
        (rescue, RESCUE),
        (fin.collection, COLLECTION),
        (fin.credit_blocked, CREDIT_BLOCKED),
        (_new_customers(features, settings), NEW_CUSTOMER),
        (in_field, FIELD_REACTIVATION),
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
        money,
        delivery_days,
        mix,
        lapse_risk,
    )


def _or_nan(values: FloatArray | None, n: int) -> FloatArray:
    """An optional feature array, all NaN when missing."""
    return np.full(n, np.nan) if values is None else np.asarray(values, dtype=np.float64)


def _money(values: FloatArray | None, i: int) -> float | None:
    """Entry ``i`` rounded to cents, None when unknown."""
    if values is None or not np.isfinite(values[i]):
        return None
    return round(float(values[i]), 2)


def _new_customers(features: ScoringFeatures, settings: ScoringSettings) -> npt.NDArray[np.bool_]:
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
