"""Explainable daily priority score of every customer (pure numpy; see docs/scoring.md)."""

from optimizer.scoring.cycles import CyclePopulation, fit_population
from optimizer.scoring.engine import (
    COLLECTION,
    COMPONENTS,
    CREDIT_BLOCKED,
    FLAG_NAMES,
    NEW_CUSTOMER,
    PURCHASE_LAPSE,
    PURPOSE_COLLECT,
    PURPOSE_NONE,
    PURPOSE_SALES,
    RESCUE,
    SERVICE_GAP,
    Reason,
    ScoringResult,
    score,
)
from optimizer.scoring.features import (
    PurchaseHistory,
    ScoringFeatures,
    purchase_history,
)
from optimizer.scoring.settings import COLLECTION_POLICIES, ScoringSettings

__all__ = [
    "COLLECTION",
    "COLLECTION_POLICIES",
    "COMPONENTS",
    "CREDIT_BLOCKED",
    "FLAG_NAMES",
    "NEW_CUSTOMER",
    "PURCHASE_LAPSE",
    "PURPOSE_COLLECT",
    "PURPOSE_NONE",
    "PURPOSE_SALES",
    "RESCUE",
    "SERVICE_GAP",
    "CyclePopulation",
    "PurchaseHistory",
    "Reason",
    "ScoringFeatures",
    "ScoringResult",
    "ScoringSettings",
    "fit_population",
    "purchase_history",
    "score",
]
