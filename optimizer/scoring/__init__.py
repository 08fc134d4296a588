"""Explainable daily priority score of every customer (pure numpy; see docs/scoring.md)."""

from optimizer.scoring.cycles import CyclePopulation, fit_population
from optimizer.scoring.engine import (
    COMPONENTS,
    PURPOSE_COLLECT,
    PURPOSE_NAMES,
    PURPOSE_NONE,
    PURPOSE_REACTIVATE,
    PURPOSE_SALES,
    ScoringResult,
    score,
)
from optimizer.scoring.features import (
    MixHistory,
    PastWindow,
    PurchaseHistory,
    ScoringFeatures,
    horizon_history,
    mix_history,
    purchase_history,
)
from optimizer.scoring.flags import (
    COLLECTION,
    CREDIT_BLOCKED,
    FIELD_REACTIVATION,
    FLAG_NAMES,
    NEW_CUSTOMER,
    PURCHASE_LAPSE,
    RESCUE,
    SERVICE_GAP,
    flag_names,
)
from optimizer.scoring.reason import Reason
from optimizer.scoring.settings import (
    COLLECTION_POLICIES,
    REACTIVATION_POLICIES,
    ScoringSettings,
)

__all__ = [
    "COLLECTION",
    "COLLECTION_POLICIES",
    "COMPONENTS",
    "CREDIT_BLOCKED",
    "FIELD_REACTIVATION",
    "FLAG_NAMES",
    "NEW_CUSTOMER",
    "PURCHASE_LAPSE",
    "PURPOSE_COLLECT",
    "PURPOSE_NAMES",
    "PURPOSE_NONE",
    "PURPOSE_REACTIVATE",
    "PURPOSE_SALES",
    "REACTIVATION_POLICIES",
    "RESCUE",
    "SERVICE_GAP",
    "CyclePopulation",
    "MixHistory",
    "PastWindow",
    "PurchaseHistory",
    "Reason",
    "ScoringFeatures",
    "ScoringResult",
    "ScoringSettings",
    "fit_population",
    "flag_names",
    "horizon_history",
    "mix_history",
    "purchase_history",
    "score",
]
