"""Lapse risk learned from the portfolio's own last horizon (a temporal self-check).

The cycle model (``cycles.py``) assumes that a customer buys at a steady rate until it leaves
for good. Real customers slow down before they stop, and how much a silence means differs
between businesses. So the engine looks one lapse horizon back: it scores the portfolio as it
was then with the same population, sees who did buy since, and fits a small logistic
regression of "no purchase in the horizon" on the model's own answer and a few plain facts:

- the model's lapse risk (logit) and its expected purchases while alive (log);
- days since the last purchase, purchase days and relationship age (logs);
- purchase days within the last horizon (log): the slowing down the steady-rate model misses.

The fit is applied to today's customers. It is the portfolio's own history that sets the
weights, every night, so nothing here is tuned to a dataset. Fitted only on customers with
at least ``lapse_min_purchase_days`` purchase days then (the customers a lapse is defined for),
and only when there are enough of them with both outcomes; otherwise the model's risk stands.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from optimizer.scoring.cycles import CycleOutputs, CyclePopulation, cycle_outputs
from optimizer.scoring.features import ScoringFeatures
from optimizer.scoring.settings import ScoringSettings

FloatArray = npt.NDArray[np.float64]

_RIDGE = 1e-3  # per example; keeps the fit stable when two facts move together
_MIN_EACH_OUTCOME = 30
_FIT_SAMPLE = 50_000


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-6, 1.0 - 1e-6)
    out: FloatArray = np.log(q / (1.0 - q))
    return out


def design(
    features: ScoringFeatures,
    cyc: CycleOutputs,
    pop: CyclePopulation,
    recent: npt.NDArray[np.int64],
) -> FloatArray:
    """One row per customer: the model's answer and the plain facts, then an intercept."""
    repeats = np.maximum(np.asarray(features.purchase_days) - 1, 0).astype(np.float64)
    silence = np.nan_to_num(np.asarray(features.days_since_last, dtype=np.float64), nan=0.0)
    age = np.nan_to_num(np.asarray(features.days_since_first, dtype=np.float64), nan=0.0) + 1.0
    rate_if_alive = (pop.rate_r + repeats) / (pop.rate_alpha + age)
    expected = np.log(np.maximum(cyc.p_alive, 1e-9)) + np.log(rate_if_alive)
    return np.column_stack(
        [
            _logit(cyc.lapse_risk),
            np.log1p(np.maximum(silence, 0.0)),
            np.log1p(repeats),
            np.log(age),
            expected,
            np.log1p(np.maximum(recent, 0).astype(np.float64)),
            np.ones(features.size),
        ]
    )


def fit_logistic(
    x: FloatArray, y: FloatArray, ridge: float = _RIDGE, iters: int = 30
) -> FloatArray:
    """Ridge-penalised logistic regression by Newton steps (IRLS); the intercept is free."""
    n, k = x.shape
    beta = np.zeros(k)
    penalty = ridge * n * np.eye(k)
    penalty[-1, -1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        weight = p * (1.0 - p)
        hessian = x.T @ (x * weight[:, None]) + penalty
        gradient = x.T @ (y - p) - penalty @ beta
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return beta


def past_features(features: ScoringFeatures) -> ScoringFeatures | None:
    """The portfolio one horizon ago (cycle columns then; the rest as today), if known."""
    past = features.past
    if past is None:
        return None
    h = past.history
    return dataclasses.replace(
        features,
        purchase_days=h.purchase_days,
        days_since_first=h.days_since_first,
        days_since_last=h.days_since_last,
        gap_log_center=h.gap_log_center,
        gap_log_scale=h.gap_log_scale,
        mix_customer=None,
        mix_category=None,
        mix_share=None,
        mix_days_since=None,
        recent_purchase_days=past.recent_purchase_days,
        past=None,
    )


def calibrated_lapse(
    features: ScoringFeatures,
    settings: ScoringSettings,
    pop: CyclePopulation,
    cyc: CycleOutputs,
) -> FloatArray | None:
    """Today's lapse risk learned from the last horizon, or None when it cannot be learned."""
    then = past_features(features)
    if not settings.lapse_calibration or then is None or features.recent_purchase_days is None:
        return None
    assert features.past is not None
    # bought nothing since then <=> today's silence is at least the horizon
    silence_now = np.asarray(features.days_since_last, dtype=np.float64)
    lapsed = ~(np.nan_to_num(silence_now, nan=np.inf) < settings.lapse_horizon_days)
    eligible = np.flatnonzero(then.purchase_days >= max(settings.lapse_min_purchase_days, 1))
    positives = int(lapsed[eligible].sum())
    if (
        len(eligible) < settings.calibration_min_customers
        or positives < _MIN_EACH_OUTCOME
        or len(eligible) - positives < _MIN_EACH_OUTCOME
    ):
        return None
    if len(eligible) > _FIT_SAMPLE:
        rng = np.random.default_rng(12345)
        eligible = np.sort(rng.choice(eligible, _FIT_SAMPLE, replace=False))
    cyc_then = cycle_outputs(then, settings, pop)
    x_then = design(then, cyc_then, pop, features.past.recent_purchase_days)[eligible]
    finite = np.all(np.isfinite(x_then), axis=1)
    beta = fit_logistic(x_then[finite], lapsed[eligible][finite].astype(np.float64))
    if not np.all(np.isfinite(beta)):
        return None
    x_now = design(features, cyc, pop, features.recent_purchase_days)
    risk: FloatArray = 1.0 / (1.0 + np.exp(-(x_now @ beta)))
    # no purchase history: nothing was learned about them, keep the model's answer
    known = np.isfinite(np.asarray(features.days_since_last, dtype=np.float64))
    return np.where(known, risk, cyc.lapse_risk)
