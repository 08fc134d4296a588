"""Purposes, money, the mix rule, reasons versus details, and the learned lapse risk."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer.scoring import (
    FIELD_REACTIVATION,
    PURPOSE_COLLECT,
    PURPOSE_NAMES,
    PURPOSE_REACTIVATE,
    PURPOSE_SALES,
    RESCUE,
    ScoringSettings,
    horizon_history,
    purchase_history,
    score,
)
from optimizer.scoring.calibration import fit_logistic
from tests.optimizer.test_scoring import features, population, regular


def _rows(*customers: dict[str, list[float]]) -> dict[str, list[float]]:
    return {k: [c[k][0] for c in customers] for k in customers[0]}


def test_purposes_sales_reactivation_and_collection_first() -> None:
    # 10-day cycle: 12 days is due, 31 days (3.1 cycles) is a rescue case
    cols = _rows(regular(6, 10.0, 12.0), regular(6, 10.0, 31.0), regular(6, 10.0, 31.0))
    f = features(
        3,
        **cols,
        avg_ticket=[500.0, 500.0, 500.0],
        overdue_amount=[0.0, 0.0, 900.0],
        overdue_days=[0.0, 0.0, 30.0],
    )
    res = score(f, ScoringSettings(collection_policy="collect_only"), population(10.0))
    assert [PURPOSE_NAMES[p] for p in res.purpose] == [
        "sales",
        "reactivation",
        "collect_only",
    ]
    assert res.purpose[0] == PURPOSE_SALES
    assert res.purpose[1] == PURPOSE_REACTIVATE
    assert res.purpose[2] == PURPOSE_COLLECT  # money owed comes first, rescue or not
    assert res.has(1, RESCUE)
    assert res.has(2, RESCUE)
    # the rescue case earns nothing for being gone: no cycle points, no value points
    assert res.component("urgency")[1] == 0
    assert res.component("value")[1] == 0
    assert res.score[1] < res.score[0]
    assert res.card(1)["purpose"] == "reactivation"
    rescue = res.explain(1)[0]
    assert rescue.key == "rescue"
    assert not rescue.detail
    assert rescue.values["channel"] == "telesales"
    assert rescue.values["monthly"] == pytest.approx(500.0 * 30.4375 / 10.0, abs=0.01)


def test_reactivation_policy_field_above_a_value_and_never() -> None:
    cols = _rows(regular(6, 10.0, 40.0), regular(6, 10.0, 40.0))
    f = features(2, **cols, avg_ticket=[1000.0, 100.0])
    pop = population(10.0)
    # monthly values: 3,043.75 and 304.38
    above = score(
        f,
        ScoringSettings(reactivation_policy="field_above_value", reactivation_field_min_value=1000),
        pop,
    )
    assert above.has(0, FIELD_REACTIVATION)
    assert not above.has(1, FIELD_REACTIVATION)
    assert above.explain(0)[0].values["channel"] == "field"
    assert above.explain(0)[0].values["min_value"] == 1000
    assert above.explain(1)[0].values["channel"] == "telesales"
    never = score(f, ScoringSettings(reactivation_policy="never"), pop)
    assert not never.flags[0] & FIELD_REACTIVATION
    assert never.explain(0)[0].values["channel"] == "telesales_only"
    first = score(f, ScoringSettings(), pop)
    assert not np.any(first.flags & FIELD_REACTIVATION)
    with pytest.raises(ValueError, match="reactivation_policy"):
        ScoringSettings(reactivation_policy="sometimes")


def test_mix_lapse_counts_only_lines_stopped_while_still_buying_others() -> None:
    # both buy every 10 days; A bought yesterday, B has bought nothing for 100 days
    cols = _rows(regular(10, 10.0, 1.0), regular(10, 10.0, 100.0))
    f = features(
        2,
        **cols,
        mix_customer=[0, 0, 1, 1],
        mix_category=[0, 1, 0, 1],
        mix_share=[0.5, 1.0, 0.5, 1.0],
        # A stopped "Bebidas" 30 days ago; B's lines stopped with everything else
        mix_days_since=[30.0, 1.0, 110.0, 100.0],
        category_names=("Bebidas", "Limpeza"),
    )
    res = score(f, population=population(10.0))
    assert res.component("mix").tolist() == pytest.approx([0.5, 0.0])
    assert res.offers(0) == [(0, "Bebidas")]
    assert res.offers(1) == []  # 110 - 100 = 10 days is within 1.5 cycles
    mix_reason = next(r for r in res.explain(0) if r.key == "stopped_buying_category")
    assert not mix_reason.detail


def test_a_recent_buyer_has_details_not_reasons() -> None:
    # same customer three days after a purchase and at two cycles: only the second is urgent
    cols = _rows(regular(8, 20.0, 3.0), regular(8, 20.0, 45.0))
    f = features(2, **cols, avg_ticket=[605.5, 605.5], delivery_weekdays=[0b10, 0b10])
    res = score(f, ScoringSettings(), population(20.0))
    fresh = res.explain(0)
    assert [r.key for r in fresh if not r.detail] == []
    assert {r.key for r in fresh} >= {"days_without_purchase", "value_at_stake"}
    late = [r for r in res.explain(1) if not r.detail]
    assert late[0].key == "purchase_lapse"
    # reasons come in the order of what they add today
    assert [r.points for r in late] == sorted((r.points for r in late), reverse=True)
    money = next(r for r in res.explain(1) if r.key == "value_at_stake")
    assert money.values["monthly"] == pytest.approx(605.5 * 30.4375 / 20.0, abs=0.01)
    assert money.values["at_stake"] == pytest.approx(
        money.values["monthly"] * res.lapse_risk[1], abs=0.01
    )


def test_value_spans_the_range_with_the_money() -> None:
    n = 50
    tickets = np.linspace(100.0, 5000.0, n)
    cols = {k: v * n for k, v in regular(6, 14.0, 14.0).items()}
    res = score(features(n, **cols, avg_ticket=tickets.tolist()), population=population(14.0))
    value = res.component("value")
    assert value[0] < 0.05
    assert value[-1] == 1.0
    assert np.all(np.diff(value) >= 0)  # more money at stake, never fewer points


def test_horizon_history_counts_recent_purchase_days_and_the_past() -> None:
    customer = np.array([0, 0, 0, 0, 1, 1])
    day = np.array([10, 50, 95, 99, 20, 40])
    recent, past = horizon_history(customer, day, 2, reference_day=100, horizon_days=30)
    assert recent.tolist() == [2, 0]  # days 95 and 99 fall in (70, 100]
    assert past.history.purchase_days.tolist() == [2, 2]  # as of day 70
    assert past.history.days_since_last.tolist() == [20.0, 30.0]
    assert past.recent_purchase_days.tolist() == [
        1,
        0,
    ]  # in (40, 70]: day 50; day 40 is out
    now = purchase_history(customer, day, 2, 100)
    assert now.purchase_days.tolist() == [4, 2]


def _portfolio(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Customers who slow down before they stop: the pattern a steady-rate model misses."""
    rng = np.random.default_rng(seed)
    customers, days = [], []
    for c in range(n):
        cycle = rng.uniform(5, 40)
        stop = rng.uniform(100, 900)
        t = rng.uniform(0, 60)
        while t < 700:
            slow = 3.0 if t > stop - 120 else 1.0
            if t > stop:
                break
            customers.append(c)
            days.append(int(t))
            t += rng.gamma(3.0, cycle * slow / 3.0)
    return np.array(customers), np.array(days)


def test_the_lapse_risk_is_learned_from_the_last_horizon() -> None:
    customer, day = _portfolio(1500, 3)
    ref, n = 600, 1500
    hist = purchase_history(customer, day, n, ref)
    recent, past = horizon_history(customer, day, n, ref, 90, current=hist)
    cols = {
        "purchase_days": hist.purchase_days,
        "days_since_first": hist.days_since_first,
        "days_since_last": hist.days_since_last,
        "gap_log_center": hist.gap_log_center,
        "gap_log_scale": hist.gap_log_scale,
    }
    plain = score(features(n, **cols))
    learned = score(features(n, **cols, recent_purchase_days=recent, past=past))
    off = score(
        features(n, **cols, recent_purchase_days=recent, past=past),
        ScoringSettings(lapse_calibration=False),
    )
    assert np.array_equal(off.lapse_risk, plain.lapse_risk)
    assert not np.allclose(learned.lapse_risk, plain.lapse_risk)
    assert np.all((learned.lapse_risk >= 0) & (learned.lapse_risk <= 1))
    # judged on what happens next
    future = np.zeros(n, dtype=bool)
    future[customer[(day > ref) & (day <= ref + 90)]] = True
    pool = hist.purchase_days >= 3
    lapsed = ~future[pool]

    def auc(s: np.ndarray) -> float:
        order = np.argsort(s)
        ranks = np.empty(len(s))
        ranks[order] = np.arange(1, len(s) + 1)
        pos = lapsed.sum()
        return float((ranks[lapsed].sum() - pos * (pos + 1) / 2) / (pos * (~lapsed).sum()))

    assert auc(learned.lapse_risk[pool]) > auc(plain.lapse_risk[pool])
    # too few customers to learn from: the model's answer stands
    small = score(
        features(n, **cols, recent_purchase_days=recent, past=past),
        ScoringSettings(calibration_min_customers=10**6),
    )
    assert np.array_equal(small.lapse_risk, plain.lapse_risk)


def test_fit_logistic_recovers_known_coefficients() -> None:
    rng = np.random.default_rng(5)
    x = np.column_stack([rng.normal(size=20000), np.ones(20000)])
    p = 1 / (1 + np.exp(-(1.5 * x[:, 0] - 0.5)))
    y = (rng.random(20000) < p).astype(float)
    beta = fit_logistic(x, y, ridge=0.0)
    assert beta == pytest.approx([1.5, -0.5], abs=0.06)
    assert math.isfinite(float(beta.sum()))


def test_a_rescue_case_to_collect_does_not_promise_a_call() -> None:
    cols = _rows(regular(6, 10.0, 40.0))
    f = features(1, **cols, avg_ticket=[500.0], overdue_amount=[900.0], overdue_days=[30.0])
    res = score(f, ScoringSettings(collection_policy="collect_only"), population(10.0))
    lines = res.explain(0)
    assert lines[0].key in {"overdue_collect", "rescue"}
    rescue = next(r for r in lines if r.key == "rescue")
    assert "channel" not in rescue.values  # the collection decides the contact
    allowed = score(f, ScoringSettings(collection_policy="allow"), population(10.0))
    assert next(r for r in allowed.explain(0) if r.key == "rescue").values["channel"] == "telesales"
