"""Purchase-cycle model: a renewal process per customer with a dropout after each purchase.

Gaps between a customer's purchase days are log-normal around its own (shrunk) cycle; after each
repeat purchase the customer may drop out with a probability drawn from a population Beta(a, b),
as in BG/NBD. Regular customers therefore get a sharp "not yet due" window and become suspect as
soon as they pass it; irregular or sparse ones are judged on the population's behaviour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from optimizer.scoring.features import ScoringFeatures
from optimizer.scoring.mathfn import lgamma, log_norm_sf
from optimizer.scoring.settings import ScoringSettings

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MIN_POOL = 20


@dataclass(frozen=True, eq=False)
class CyclePopulation:
    """Population parameters learned from a whole portfolio (or set by the admin)."""

    segment_log_cycle: (
        FloatArray  # prior ln(cycle) per segment; last entry = no segment
    )
    within_sd: float  # typical spread of one customer's ln(gap)
    shrinkage: float  # prior weight of the segment cycle, in pseudo-gaps
    dropout_a: float
    dropout_b: float


@dataclass(frozen=True, eq=False)
class CycleOutputs:
    """Per-customer results of the cycle model."""

    cycle_days: FloatArray  # learned median cycle
    log_center: FloatArray
    log_sd: FloatArray  # predictive sd of ln(next gap)
    p_alive: FloatArray
    urgency: FloatArray  # P(the next purchase would have happened by now | alive)
    lapse_risk: FloatArray  # P(no purchase in the lapse horizon)
    buy_propensity: FloatArray  # P(a purchase in the propensity horizon)


def segment_slots(features: ScoringFeatures, settings: ScoringSettings) -> IntArray:
    """Segment of each customer as a slot index; unknown segments share the last slot."""
    seg = np.asarray(features.segment, dtype=np.int64)
    n_slots = max(len(settings.segment_cycle_days), int(seg.max(initial=-1)) + 1) + 1
    return np.where(seg < 0, n_slots - 1, seg)


def fit_population(
    features: ScoringFeatures, settings: ScoringSettings
) -> CyclePopulation:
    """Empirical-Bayes cycle priors and the dropout Beta, from the portfolio's own history."""
    slots = segment_slots(features, settings)
    n_slots = int(slots.max(initial=0)) + 1
    gaps = np.maximum(np.asarray(features.purchase_days) - 1, 0).astype(np.float64)
    center = np.asarray(features.gap_log_center, dtype=np.float64)
    scale = np.asarray(features.gap_log_scale, dtype=np.float64)
    has = (gaps >= 1) & np.isfinite(center)

    spread_pool = has & (gaps >= 3) & np.isfinite(scale)
    if spread_pool.sum() >= _MIN_POOL:
        w = gaps[spread_pool] - 1
        within_sd = float(np.sqrt(np.sum(w * scale[spread_pool] ** 2) / np.sum(w)))
    else:
        within_sd = settings.default_gap_log_sd
    within_sd = max(within_sd, 0.05)

    defaults = np.array(
        [math.log(settings.segment_cycle(s)) for s in range(n_slots - 1)]
        + [math.log(settings.default_cycle_days)]
    )
    prior = defaults.copy()
    if settings.learn_segment_cycles:
        totals = np.bincount(slots[has], weights=center[has], minlength=n_slots)
        counts = np.bincount(slots[has], minlength=n_slots)
        learned = counts >= settings.min_segment_customers
        prior[learned] = totals[learned] / counts[learned]

    if settings.shrinkage_strength is not None:
        shrinkage = float(settings.shrinkage_strength)
    elif has.sum() >= _MIN_POOL:
        resid = center[has] - prior[slots[has]]
        between = float(np.mean(resid**2) - np.mean(within_sd**2 / gaps[has]))
        shrinkage = within_sd**2 / max(between, 0.02)
    else:
        shrinkage = 2.0
    partial = CyclePopulation(prior, within_sd, shrinkage, 1.0, 1.0)
    a, b = _fit_dropout(features, settings, partial)
    return CyclePopulation(prior, within_sd, shrinkage, a, b)


def predictive(
    features: ScoringFeatures, settings: ScoringSettings, pop: CyclePopulation
) -> tuple[FloatArray, FloatArray]:
    """ln-cycle centre and predictive sd of each customer's next gap, shrunk to its segment."""
    slots = segment_slots(features, settings)
    slots = np.minimum(slots, len(pop.segment_log_cycle) - 1)
    prior = pop.segment_log_cycle[slots]
    gaps = np.maximum(np.asarray(features.purchase_days) - 1, 0).astype(np.float64)
    center = np.where(
        np.isfinite(features.gap_log_center), features.gap_log_center, prior
    )
    scale = np.where(np.isfinite(features.gap_log_scale), features.gap_log_scale, 0.0)
    k = pop.shrinkage
    nu = settings.scale_prior_strength
    mean = (gaps * center + k * prior) / (gaps + k)
    var = (gaps * scale**2 + nu * pop.within_sd**2) / (gaps + nu)
    sd = np.sqrt(var * (1.0 + 1.0 / (gaps + k)))
    return mean, sd


def _log_surv(days: FloatArray, mean: FloatArray, sd: FloatArray) -> FloatArray:
    """ln P(gap > days) for the log-normal gap; days are whole days since the last purchase."""
    return log_norm_sf((np.log(days + 0.5) - mean) / sd)


def _log_dropout_odds(repeats: FloatArray, a: float, b: float) -> FloatArray:
    """ln[a / (b + x - 1)]: odds of having dropped out right after the last of x repeats."""
    safe = np.maximum(repeats, 1.0)
    return np.where(repeats > 0, math.log(a) - np.log(b + safe - 1.0), -np.inf)


def _fit_dropout(
    features: ScoringFeatures, settings: ScoringSettings, pop: CyclePopulation
) -> tuple[float, float]:
    """Maximum-likelihood Beta(a, b) of the dropout probability, by a shrinking grid search."""
    repeats = np.maximum(np.asarray(features.purchase_days) - 1, 0).astype(np.float64)
    recency = np.asarray(features.days_since_last, dtype=np.float64)
    use = (repeats > 0) & np.isfinite(recency)
    idx = np.flatnonzero(use)
    if len(idx) < _MIN_POOL:
        return 1.0, 3.0
    if len(idx) > settings.fit_sample_size:
        rng = np.random.default_rng(12345)
        idx = np.sort(rng.choice(idx, settings.fit_sample_size, replace=False))
    mean, sd = predictive(features, settings, pop)
    log_s = _log_surv(recency[idx], mean[idx], sd[idx])
    x = repeats[idx]
    ux, ucount = np.unique(x, return_counts=True)

    def loglik(la: float, lb: float) -> float:
        a, b = math.exp(la), math.exp(lb)
        # ln B(a, b + x) - ln B(a, b), over distinct x only
        beta = lgamma(b + ux) - lgamma(a + b + ux) + lgamma(a + b) - lgamma(b)
        tail = np.logaddexp(log_s, _log_dropout_odds(x, a, b))
        return float(np.dot(beta, ucount) + tail.sum())

    best = (0.0, 1.0)
    step = 2.0
    for _ in range(6):
        grid = [
            (best[0] + i * step / 2, best[1] + j * step / 2)
            for i in range(-2, 3)
            for j in range(-2, 3)
        ]
        best = max(grid, key=lambda p: loglik(*p))
        step /= 2
    la, lb = (min(max(v, -8.0), 8.0) for v in best)
    return math.exp(la), math.exp(lb)


def cycle_outputs(
    features: ScoringFeatures, settings: ScoringSettings, pop: CyclePopulation
) -> CycleOutputs:
    """Cycle, P(alive), urgency, lapse risk and purchase propensity of every customer."""
    mean, sd = predictive(features, settings, pop)
    repeats = np.maximum(np.asarray(features.purchase_days) - 1, 0).astype(np.float64)
    recency = np.asarray(features.days_since_last, dtype=np.float64)
    known = np.isfinite(recency)
    s = np.where(known, np.maximum(recency, 0.0), 0.0)
    log_now = _log_surv(s, mean, sd)
    log_odds = _log_dropout_odds(repeats, pop.dropout_a, pop.dropout_b)
    p_alive = np.exp(log_now - np.logaddexp(log_now, log_odds))
    stay_lapse = np.exp(_log_surv(s + settings.lapse_horizon_days, mean, sd) - log_now)
    stay_buy = np.exp(
        _log_surv(s + settings.propensity_horizon_days, mean, sd) - log_now
    )
    lapse = 1.0 - p_alive * (1.0 - stay_lapse)
    buy = p_alive * (1.0 - stay_buy)
    urgency = np.where(known, -np.expm1(log_now), 0.0)
    return CycleOutputs(np.exp(mean), mean, sd, p_alive, urgency, lapse, buy)
