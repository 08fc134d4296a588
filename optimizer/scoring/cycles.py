"""Purchase-cycle model: repeat buying while active, and a dropout after each purchase.

While active, a customer's quiet spells are judged two ways and blended: the population's
Poisson-gamma view (BG/NBD: heterogeneous memoryless rates) and the customer's own renewal
cycle (log-normal gaps around a cycle shrunk toward its segment's). The renewal view gets more
weight the more gaps the customer has and the more regular they are, so a regular customer has a
sharp "not yet due" window and becomes suspect soon after passing it. After each repeat purchase
the customer may drop out with a probability drawn from a Beta whose first parameter moves with
the customer's average ticket (big buyers leave less often), fitted by maximum likelihood.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.scoring.features import ScoringFeatures
from optimizer.scoring.mathfn import lgamma, log_norm_sf
from optimizer.scoring.nbd import fit_bgnbd, nelder_mead
from optimizer.scoring.settings import ScoringSettings

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MIN_POOL = 20
# sd of ln(gap) for memoryless (Poisson) buying: a customer this irregular has no cycle
_POISSON_LOG_SD = math.pi / math.sqrt(6.0)


@dataclass(frozen=True, eq=False)
class CyclePopulation:
    """Population parameters learned from a whole portfolio (or set by the admin)."""

    # prior ln(cycle) per segment slot; the last slot is "no segment"
    segment_log_cycle: FloatArray
    within_sd: float  # typical spread of one customer's ln(gap)
    shrinkage: float  # prior weight of the segment cycle, in pseudo-gaps
    rate_r: float  # gamma shape of the purchase rates (BG/NBD r)
    rate_alpha: float  # gamma scale of the purchase rates, days (BG/NBD alpha)
    dropout_a: float  # Beta(a, b) of the dropout probability after each purchase
    dropout_b: float
    spend_effect: float = 0.0  # change of ln(dropout odds) per sd of ln(average ticket)
    spend_log_mean: float = 0.0  # ln(average ticket) standardisation of the fit
    spend_log_sd: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, so a nightly job can store the fit and reuse it."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["segment_log_cycle"] = [float(v) for v in self.segment_log_cycle]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CyclePopulation:
        """Inverse of ``to_dict``."""
        values = dict(data)
        values["segment_log_cycle"] = np.asarray(values["segment_log_cycle"], dtype=np.float64)
        return cls(**values)


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


def segment_slots(features: ScoringFeatures, settings: ScoringSettings) -> tuple[IntArray, int]:
    """Segment of each customer as a slot index, and the slot count; "none" is the last."""
    seg = np.asarray(features.segment, dtype=np.int64)
    n_slots = max(len(settings.segment_cycle_days), int(seg.max(initial=-1)) + 1) + 1
    return np.where(seg < 0, n_slots - 1, seg), n_slots


def fit_population(features: ScoringFeatures, settings: ScoringSettings) -> CyclePopulation:
    """Empirical-Bayes cycle priors and the dropout Beta, from the portfolio's own history."""
    slots, n_slots = segment_slots(features, settings)
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
    r, alpha, a, b = _fit_nbd(features, settings)
    pop = CyclePopulation(prior, within_sd, shrinkage, r, alpha, a, b)
    mu, sigma = _spend_moments(features)
    z = _spend_z(features, mu, sigma)
    a, b, beta = _fit_dropout(_Quiet(features, settings, pop), z, settings)
    return CyclePopulation(prior, within_sd, shrinkage, r, alpha, a, b, beta, mu, sigma)


def predictive(
    features: ScoringFeatures, settings: ScoringSettings, pop: CyclePopulation
) -> tuple[FloatArray, FloatArray]:
    """ln-cycle centre and predictive sd of each customer's next gap, shrunk to its segment."""
    slots, n_slots = segment_slots(features, settings)
    known = len(pop.segment_log_cycle) - 1
    # a segment the population has not seen (or "none") uses the population's "none" slot
    slots = np.where((slots >= known) | (slots == n_slots - 1), known, slots)
    prior = pop.segment_log_cycle[slots]
    gaps = np.maximum(np.asarray(features.purchase_days) - 1, 0).astype(np.float64)
    center = np.where(np.isfinite(features.gap_log_center), features.gap_log_center, prior)
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


def _fit_nbd(features: ScoringFeatures, settings: ScoringSettings) -> tuple[float, ...]:
    """BG/NBD population parameters on (a deterministic sample of) the portfolio."""
    x, t_x, age = _nbd_inputs(features)
    idx = np.flatnonzero(np.isfinite(age))
    if len(idx) < _MIN_POOL:
        return 0.5, 4.0 * settings.default_cycle_days, 0.5, 3.0
    if len(idx) > settings.fit_sample_size:
        rng = np.random.default_rng(12345)
        idx = np.sort(rng.choice(idx, settings.fit_sample_size, replace=False))
    return fit_bgnbd(x[idx], t_x[idx], age[idx])


def _nbd_inputs(features: ScoringFeatures) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Repeats x, time of the last repeat t_x and age T, in days since the first purchase."""
    x = np.maximum(np.asarray(features.purchase_days) - 1, 0).astype(np.float64)
    first = np.asarray(features.days_since_first, dtype=np.float64)
    age = first + 1.0
    t_x = first - np.asarray(features.days_since_last, dtype=np.float64)
    return x, t_x, age


class _Quiet:
    """ln P(no purchase from the last one until ``days`` after today | still active).

    Blends the population's Poisson view (BG/NBD) with the customer's own renewal cycle,
    trusting the latter more the more gaps the customer has shown.
    """

    def __init__(
        self, features: ScoringFeatures, settings: ScoringSettings, pop: CyclePopulation
    ) -> None:
        self.mean, self.sd = predictive(features, settings, pop)
        x, t_x, age = _nbd_inputs(features)
        recency = np.asarray(features.days_since_last, dtype=np.float64)
        self.known = np.isfinite(recency)
        self.x = x
        self.s = np.where(self.known, np.maximum(recency, 0.0), 0.0)
        self.t_x = np.where(self.known, t_x, 0.0)
        self.log_alpha_tx = np.log(pop.rate_alpha + self.t_x)
        self.age = np.where(self.known, age, 1.0)
        regular = np.clip(1.0 - self.sd / _POISSON_LOG_SD, 0.0, 1.0)
        self.w = x / (x + settings.regularity_gaps) * regular
        self.rx = pop.rate_r + x
        self.alpha = pop.rate_alpha
        self.renewal_now = np.zeros(0)

    def dormant(self, kappa: float, days: float) -> FloatArray:
        """ln P(no purchase since the last one | dropped out then, buying at kappa x its rate)."""
        if kappa <= 0:
            return np.zeros_like(self.rx)
        alpha_tx = self.alpha + self.t_x
        quiet_days = self.age - self.t_x + days
        out: FloatArray = self.rx * (np.log(alpha_tx) - np.log(alpha_tx + kappa * quiet_days))
        return out

    def __call__(self, days: float) -> FloatArray:
        """The blended log survival ``days`` ahead of the reference date."""
        poisson = self.rx * (self.log_alpha_tx - np.log(self.alpha + self.age + days))
        renewal = _log_surv(self.s + days, self.mean, self.sd)
        if days == 0.0:
            self.renewal_now = renewal
        blended: FloatArray = (1.0 - self.w) * poisson + self.w * renewal
        return blended


def _spend_moments(features: ScoringFeatures) -> tuple[float, float]:
    """Mean and sd of ln(average ticket) over customers with a known ticket."""
    if features.avg_ticket is None:
        return 0.0, 1.0
    ticket = np.asarray(features.avg_ticket, dtype=np.float64)
    logs = np.log(ticket[np.isfinite(ticket) & (ticket > 0)])
    if len(logs) < _MIN_POOL:
        return 0.0, 1.0
    return float(logs.mean()), max(float(logs.std()), 1e-9)


def _spend_z(features: ScoringFeatures, mean: float, sd: float) -> FloatArray:
    """Standardised ln(average ticket); 0 where unknown, so spend is neutral when missing."""
    if features.avg_ticket is None:
        return np.zeros(features.size)
    ticket = np.asarray(features.avg_ticket, dtype=np.float64)
    ok = np.isfinite(ticket) & (ticket > 0)
    z = np.zeros(features.size)
    z[ok] = np.clip((np.log(ticket[ok]) - mean) / sd, -3.0, 3.0)
    return z


def _dropout_loglik(params: FloatArray, x: FloatArray, z: FloatArray, log_s: FloatArray) -> float:
    """ln-likelihood of Beta(a e^(beta z), b) dropout given each customer's quiet spell."""
    la, lb, beta = np.clip(params, -8.0, 8.0)
    a = np.exp(la + beta * z)
    b = math.exp(lb)
    head = lgamma(b + x) - lgamma(a + b + x) + lgamma(a + b) - math.lgamma(b)
    odds = np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0)
    return float(np.sum(head + np.logaddexp(log_s, odds)))


def _fit_dropout(
    quiet: _Quiet, z: FloatArray, settings: ScoringSettings
) -> tuple[float, float, float]:
    """Maximum-likelihood dropout Beta (and its spend effect) given the blended survival."""
    idx = np.flatnonzero((quiet.x > 0) & quiet.known)
    if len(idx) < _MIN_POOL:
        return 1.0, 3.0, 0.0
    if len(idx) > settings.fit_sample_size:
        rng = np.random.default_rng(12345)
        idx = np.sort(rng.choice(idx, settings.fit_sample_size, replace=False))
    log_s, x, zi = quiet(0.0)[idx], quiet.x[idx], z[idx]
    start = np.array([0.0, 1.0, 0.0])
    best = nelder_mead(lambda p: -_dropout_loglik(p, x, zi, log_s), start)
    la, lb, beta = np.clip(best, -8.0, 8.0)
    return math.exp(la), math.exp(lb), float(beta)


def cycle_outputs(
    features: ScoringFeatures, settings: ScoringSettings, pop: CyclePopulation
) -> CycleOutputs:
    """Cycle, P(alive), urgency, lapse risk and purchase propensity of every customer."""
    quiet = _Quiet(features, settings, pop)
    log_now = quiet(0.0)
    log_odds = _log_dropout_odds(quiet.x, pop.dropout_a, pop.dropout_b)
    z = _spend_z(features, pop.spend_log_mean, pop.spend_log_sd)
    log_odds = log_odds + pop.spend_effect * z
    kappa = settings.dormant_rate_share
    log_dead_now = quiet.dormant(kappa, 0.0)
    p_alive = np.exp(log_now - np.logaddexp(log_now, log_odds + log_dead_now))
    stay_lapse = np.exp(quiet(settings.lapse_horizon_days) - log_now)
    stay_buy = np.exp(quiet(settings.propensity_horizon_days) - log_now)
    dead_lapse = np.exp(quiet.dormant(kappa, settings.lapse_horizon_days) - log_dead_now)
    dead_buy = np.exp(quiet.dormant(kappa, settings.propensity_horizon_days) - log_dead_now)
    lapse = p_alive * stay_lapse + (1.0 - p_alive) * dead_lapse
    buy = p_alive * (1.0 - stay_buy) + (1.0 - p_alive) * (1.0 - dead_buy)
    own = quiet.renewal_now
    urgency = np.where(quiet.known, -np.expm1(own), 0.0)
    return CycleOutputs(np.exp(quiet.mean), quiet.mean, quiet.sd, p_alive, urgency, lapse, buy)
