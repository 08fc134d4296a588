"""Properties of the priority score that must hold for any portfolio (hypothesis)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.scoring import (
    COLLECTION_POLICIES,
    FLAG_NAMES,
    PURPOSE_REACTIVATE,
    REACTIVATION_POLICIES,
    RESCUE,
    ScoringFeatures,
    ScoringSettings,
    fit_population,
    score,
)

FLAG_REASON = {
    "service_gap": "visit_overdue",
    "purchase_lapse": "purchase_lapse",
    "rescue": "rescue",
    "collection": "overdue_collect",
    "credit_blocked": "credit_blocked",
    "new_customer": "new_customer",
    "field_reactivation": "rescue",
}


@st.composite
def portfolios(draw: st.DrawFn) -> ScoringFeatures:
    """Small portfolios with every field, some customers without history or data."""
    n = draw(st.integers(1, 12))
    seeds = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seeds)
    days = rng.integers(0, 15, n)
    cycle = np.exp(rng.normal(math.log(20), 0.7, n))
    last = np.where(days > 0, rng.uniform(0, 200, n).round(), np.nan)
    first = last + np.where(days > 1, (days - 1) * cycle, 0.0)
    center = np.where(days > 1, np.log(cycle), np.nan)
    scale = np.where(days > 2, rng.uniform(0, 1.2, n), np.where(days == 2, 0.0, np.nan))
    overdue = np.where(rng.random(n) < 0.4, rng.uniform(0, 2000, n), 0.0)
    k = int(rng.integers(0, 3 * n + 1))
    return ScoringFeatures(
        customer_id=np.arange(n, dtype=np.int64),
        segment=rng.integers(-1, 3, n),
        purchase_days=days,
        days_since_first=first,
        days_since_last=last,
        gap_log_center=center,
        gap_log_scale=scale,
        avg_ticket=np.where(rng.random(n) < 0.9, rng.uniform(0, 3000, n), np.nan),
        revenue=rng.uniform(0, 50_000, n),
        days_since_contact=np.where(rng.random(n) < 0.9, rng.integers(0, 90, n), np.nan),
        visit_frequency_days=rng.choice([np.nan, 7.0, 14.0, 30.0], n),
        overdue_amount=overdue,
        overdue_days=np.where(overdue > 0, rng.integers(1, 60, n), 0).astype(float),
        open_receivables=overdue + rng.uniform(0, 2000, n),
        credit_limit=np.where(rng.random(n) < 0.7, rng.uniform(0, 8000, n), np.nan),
        delivery_weekdays=rng.integers(0, 128, n).astype(np.uint8),
        reference_weekday=int(rng.integers(0, 7)),
        days_since_created=np.where(rng.random(n) < 0.5, rng.uniform(0, 900, n), np.nan),
        mix_customer=np.sort(rng.integers(0, n, k)),
        mix_category=rng.integers(0, 5, k),
        mix_share=rng.random(k),
        mix_days_since=rng.uniform(0, 300, k),
        category_names=("A", "B", "C", "D", "E"),
    )


def _with(features: ScoringFeatures, **columns: np.ndarray) -> ScoringFeatures:
    """A copy of ``features`` with some columns replaced."""
    return replace(features, **columns)


@settings(max_examples=60, deadline=None)
@given(portfolios(), st.sampled_from(COLLECTION_POLICIES), st.data())
def test_more_overdue_never_raises_sales_priority(
    f: ScoringFeatures, policy: str, data: st.DataObject
) -> None:
    cfg = ScoringSettings(collection_policy=policy)
    pop = fit_population(f, cfg)
    i = data.draw(st.integers(0, f.size - 1))
    more_amount = data.draw(st.floats(0, 5000))
    more_days = data.draw(st.floats(0, 90))
    amount = f.overdue_amount.copy()
    late = f.overdue_days.copy()
    open_rec = f.open_receivables.copy()
    amount[i] += more_amount
    late[i] += more_days
    open_rec[i] += more_amount
    worse = _with(f, overdue_amount=amount, overdue_days=late, open_receivables=open_rec)
    before = score(f, cfg, pop).score[i]
    after = score(worse, cfg, pop).score[i]
    assert after <= before + 1e-9


@settings(max_examples=60, deadline=None)
@given(portfolios(), st.data())
def test_more_days_past_the_cycle_never_lowers_urgency_before_rescue(
    f: ScoringFeatures, data: st.DataObject
) -> None:
    cfg = ScoringSettings()
    pop = fit_population(f, cfg)
    base = score(f, cfg, pop)
    i = data.draw(st.integers(0, f.size - 1))
    if not np.isfinite(f.days_since_last[i]):
        return
    rescue_at = cfg.rescue_multiple * base.cycle_days[i]
    extra = data.draw(st.floats(0, 400))
    later_days = f.days_since_last[i] + extra
    if later_days >= rescue_at:
        return
    since_last = f.days_since_last.copy()
    since_first = f.days_since_first.copy()
    since_last[i] += extra
    since_first[i] += extra
    later = score(_with(f, days_since_last=since_last, days_since_first=since_first), cfg, pop)
    assert not later.has(i, RESCUE)
    assert later.component("urgency")[i] >= base.component("urgency")[i] - 1e-12


@settings(max_examples=40, deadline=None)
@given(portfolios(), st.lists(st.floats(1, 120), min_size=3, max_size=3))
def test_no_history_gets_the_segment_defaults(f: ScoringFeatures, cycles: list[float]) -> None:
    cfg = ScoringSettings(segment_cycle_days=tuple(cycles), learn_segment_cycles=False)
    res = score(f, cfg)
    for i in np.flatnonzero(f.purchase_days == 0):
        expected = cfg.segment_cycle(int(f.segment[i]))
        assert math.isclose(res.cycle_days[i], expected, rel_tol=1e-9)
        assert res.component("urgency")[i] == 0
        assert res.flags[i] & RESCUE == 0


@settings(max_examples=40, deadline=None)
@given(portfolios(), st.sampled_from(COLLECTION_POLICIES))
def test_scores_are_deterministic_and_bounded(f: ScoringFeatures, policy: str) -> None:
    cfg = ScoringSettings(collection_policy=policy)
    first, second = score(f, cfg), score(f, cfg)
    assert np.array_equal(first.score, second.score)
    assert np.array_equal(first.flags, second.flags)
    assert np.array_equal(first.lapse_risk, second.lapse_risk)
    assert np.all((first.score >= 0) & (first.score <= 100))
    assert np.all((first.components >= 0) & (first.components <= 1))
    for p in (first.lapse_risk, first.buy_propensity):
        assert np.all(np.isfinite(p) & (p >= 0) & (p <= 1))
    assert np.allclose(
        first.points.sum(axis=0)[first.purpose == 0], first.score[first.purpose == 0]
    )


@settings(max_examples=40, deadline=None)
@given(portfolios())
def test_every_flag_is_explained(f: ScoringFeatures) -> None:
    res = score(f)
    for i in range(f.size):
        keys = {r.key for r in res.explain(i)}
        for bit, name in FLAG_NAMES.items():
            if res.flags[i] & bit:
                assert FLAG_REASON[name] in keys
        assert len(res.offers(i)) == int(np.sum(res.mix.customer == i))


@settings(max_examples=60, deadline=None)
@given(portfolios(), st.sampled_from(REACTIVATION_POLICIES), st.data())
def test_a_rescue_case_never_outranks_itself_when_due(
    f: ScoringFeatures, policy: str, data: st.DataObject
) -> None:
    """Being gone earns no points: the same customer scores at least as much when merely due."""
    cfg = ScoringSettings(reactivation_policy=policy, collection_policy="allow")
    pop = fit_population(f, cfg)
    gone = score(f, cfg, pop)
    rescues = np.flatnonzero(gone.flags & RESCUE)
    if len(rescues) == 0:
        return
    i = int(data.draw(st.sampled_from(rescues.tolist())))
    assert gone.purpose[i] == PURPOSE_REACTIVATE
    # the same history, seen when the silence was exactly one cycle (shift the clock back)
    shift = f.days_since_last[i] - np.floor(gone.cycle_days[i])
    since_last, since_first = f.days_since_last.copy(), f.days_since_first.copy()
    since_last[i] -= shift
    since_first[i] -= shift
    mix_since = f.mix_days_since.copy()
    mix_since[f.mix_customer == i] -= shift
    due = score(
        _with(
            f,
            days_since_last=since_last,
            days_since_first=since_first,
            mix_days_since=mix_since,
        ),
        cfg,
        pop,
    )
    assert not due.has(i, RESCUE)
    assert gone.component("urgency")[i] == 0
    assert gone.component("value")[i] == 0
    assert gone.component("mix")[i] <= due.component("mix")[i] + 1e-12
    assert gone.score[i] <= due.score[i] + 1e-9
