"""Hand-computed cases for each part of the priority score."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from optimizer.scoring import (
    COLLECTION,
    CREDIT_BLOCKED,
    NEW_CUSTOMER,
    PURCHASE_LAPSE,
    PURPOSE_COLLECT,
    PURPOSE_NONE,
    PURPOSE_REACTIVATE,
    PURPOSE_SALES,
    RESCUE,
    SERVICE_GAP,
    CyclePopulation,
    ScoringFeatures,
    ScoringSettings,
    fit_population,
    flag_names,
    mix_history,
    purchase_history,
    score,
)
from optimizer.scoring.mathfn import lgamma, log_norm_sf
from optimizer.scoring.nbd import bgnbd_loglik, fit_bgnbd

_INT_COLUMNS = {"segment", "purchase_days", "mix_customer", "mix_category"}


def features(n: int, **columns: Any) -> ScoringFeatures:
    """Customers with no history unless ``columns`` say otherwise; lists become arrays."""
    base: dict[str, Any] = {
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "segment": np.full(n, -1, dtype=np.int64),
        "purchase_days": np.zeros(n, dtype=np.int64),
        "days_since_first": np.full(n, np.nan),
        "days_since_last": np.full(n, np.nan),
        "gap_log_center": np.full(n, np.nan),
        "gap_log_scale": np.full(n, np.nan),
    }
    for name, value in columns.items():
        if isinstance(value, list):
            kind: Any = np.int64 if name in _INT_COLUMNS else np.float64
            kind = np.uint8 if name == "delivery_weekdays" else kind
            value = np.asarray(value, dtype=kind)
        base[name] = value
    return ScoringFeatures(**base)


def population(cycle: float = 14.5, shrinkage: float = 2.0) -> CyclePopulation:
    """A fixed population (one segment slot plus "none"), so cycles are hand-computable."""
    return CyclePopulation(
        segment_log_cycle=np.log([cycle, cycle]),
        within_sd=0.5,
        shrinkage=shrinkage,
        rate_r=0.7,
        rate_alpha=60.0,
        dropout_a=0.2,
        dropout_b=3.0,
    )


def regular(n_days: int, cycle: float, since_last: float) -> dict[str, list[Any]]:
    """Columns of one customer with ``n_days`` purchase days exactly ``cycle`` apart."""
    return {
        "purchase_days": [n_days],
        "days_since_first": [since_last + (n_days - 1) * cycle],
        "days_since_last": [since_last],
        "gap_log_center": [math.log(cycle)],
        "gap_log_scale": [0.0],
    }


# --- special functions and the history helper ------------------------------------


def test_lgamma_and_normal_tail_match_the_standard_library() -> None:
    z = np.array([0.01, 0.5, 1.0, 3.7, 12.0, 250.0])
    assert np.allclose(lgamma(z), [math.lgamma(v) for v in z], atol=1e-9)
    x = np.array([-6.0, -1.0, 0.0, 0.5, 2.0, 8.0])
    expected = [math.log(0.5 * math.erfc(v / math.sqrt(2))) for v in x]
    assert np.allclose(log_norm_sf(x), expected, atol=1e-6)
    assert log_norm_sf(np.array([40.0]))[0] == pytest.approx(
        -800 - math.log(40 * math.sqrt(2 * math.pi)), abs=0.01
    )


def test_purchase_history_from_rows() -> None:
    # customer 0 bought on days 10, 24 (twice) and 30; customer 2 on 5 and 9; day 41 is later
    hist = purchase_history(
        np.array([0, 0, 0, 2, 2, 0, 0]), np.array([10, 24, 24, 5, 9, 30, 41]), 4, 40
    )
    assert hist.purchase_days.tolist() == [3, 0, 2, 0]
    assert np.allclose(hist.days_since_first, [30, np.nan, 35, np.nan], equal_nan=True)
    assert np.allclose(hist.days_since_last, [10, np.nan, 31, np.nan], equal_nan=True)
    # gaps 14 and 6: median of the logs is ln(sqrt(84)); both deviate ln(14 / sqrt(84))
    assert math.exp(hist.gap_log_center[0]) == pytest.approx(math.sqrt(84))
    assert hist.gap_log_scale[0] == pytest.approx(1.4826 * math.log(14 / math.sqrt(84)))
    assert hist.gap_log_center[2] == pytest.approx(math.log(4))
    assert hist.gap_log_scale[2] == 0
    assert np.isnan(hist.gap_log_center[[1, 3]]).all()


def test_median_resists_an_outlier_gap() -> None:
    days = np.array([0, 14, 28, 42, 56, 256, 270])  # one 200-day gap among 14-day ones
    hist = purchase_history(np.zeros(7, dtype=np.int64), days, 1, 280)
    assert math.exp(hist.gap_log_center[0]) == pytest.approx(14.0)


# --- purchase cycle -------------------------------------------------------------


def test_cycle_is_shrunk_toward_the_segment() -> None:
    f = features(1, **regular(n_days=3, cycle=30.0, since_last=1.0))
    res = score(f, population=population(cycle=10.0, shrinkage=2.0))
    # two gaps of 30 and two pseudo-gaps of 10, averaged in log space
    assert res.cycle_days[0] == pytest.approx(math.exp((2 * math.log(30) + 2 * math.log(10)) / 4))


def test_urgency_is_one_half_at_the_cycle_and_rises_past_it() -> None:
    cycle = 14.5
    cols = regular(n_days=6, cycle=cycle, since_last=14.0)
    f = features(1, **cols)
    pop = population(cycle=cycle)
    res = score(f, population=pop)
    assert res.cycle_days[0] == pytest.approx(cycle)
    assert res.component("urgency")[0] == pytest.approx(0.5)  # ln(14 + 1/2) = ln(cycle)
    later = score(features(1, **{**cols, "days_since_last": [20.0]}), population=pop)
    assert later.component("urgency")[0] > 0.5
    assert not later.has(0, PURCHASE_LAPSE)  # 20 < 1.5 x 14.5


def test_lapse_then_rescue_flags() -> None:
    pop = population(cycle=10.0)
    lapsed = score(features(1, **regular(5, 10.0, since_last=16.0)), population=pop)
    assert lapsed.has(0, PURCHASE_LAPSE)
    assert not lapsed.has(0, RESCUE)
    assert next(r.key for r in lapsed.explain(0)) == "purchase_lapse"
    assert lapsed.explain(0)[0].values["days"] == 16
    assert lapsed.explain(0)[0].values["cycle"] == 10
    rescue = score(features(1, **regular(5, 10.0, since_last=41.0)), population=pop)
    assert rescue.has(0, RESCUE)
    assert not rescue.has(0, PURCHASE_LAPSE)
    # a rescue case is not ranked as merely due: being gone earns it no cycle points
    assert rescue.component("urgency")[0] == 0.0
    assert rescue.purpose[0] == PURPOSE_REACTIVATE
    assert rescue.explain(0)[0].key == "rescue"
    assert rescue.explain(0)[0].values["cycles"] == 4.1
    assert rescue.explain(0)[0].values["channel"] == "telesales"


def test_no_history_gets_the_segment_default() -> None:
    settings = ScoringSettings(segment_cycle_days=(7.0, 45.0), learn_segment_cycles=False)
    f = features(3, segment=[1, 0, -1])
    res = score(f, settings)
    assert res.cycle_days.tolist() == pytest.approx([45.0, 7.0, 30.0])
    assert res.component("urgency").tolist() == [0.0, 0.0, 0.0]
    assert all(res.has(i, NEW_CUSTOMER) for i in range(3))
    # being new does not make a customer more urgent today: a detail, not a reason
    lines = {r.key: r for r in res.explain(0)}
    assert lines["new_customer"].detail
    assert lines["no_purchase_history"].detail


def test_lapse_risk_and_propensity_are_probabilities_that_move_the_right_way() -> None:
    pop = population(cycle=10.0)
    rows = [regular(8, 10.0, since_last=s) for s in (2.0, 9.0, 60.0)]
    cols = {k: [r[k][0] for r in rows] for k in rows[0]}
    res = score(features(3, **cols), population=pop)
    assert np.all((res.lapse_risk >= 0) & (res.lapse_risk <= 1))
    assert res.lapse_risk[2] > res.lapse_risk[1]  # long silence: more likely gone
    assert res.buy_propensity[1] > res.buy_propensity[0]  # due now beats just bought
    assert res.buy_propensity[1] > res.buy_propensity[2]


# --- other components -----------------------------------------------------------


def test_service_gap() -> None:
    f = features(
        5,
        days_since_contact=[7.0, 14.0, 21.0, 40.0, np.nan],
        visit_frequency_days=[14.0, 14.0, 14.0, 14.0, 7.0],
    )
    res = score(f)
    assert res.component("service").tolist() == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0])
    assert [res.has(i, SERVICE_GAP) for i in range(5)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    reason = next(r for r in res.explain(2) if r.key == "visit_overdue")
    assert reason.values == {"days": 21, "frequency": 14}
    assert next(r for r in res.explain(4) if r.key == "visit_overdue").values["days"] is None
    neutral = score(features(1, days_since_contact=[30.0]))
    assert neutral.component("service")[0] == 0
    assert not neutral.has(0, SERVICE_GAP)


def test_value_is_the_monthly_revenue_at_stake_in_money() -> None:
    settings = ScoringSettings(value_reference_monthly=1000.0)
    # ticket 600 every 15.21875 days = R$ 1,200 a month; the risk scales what is at stake
    cols = regular(6, 15.21875, since_last=5.0)
    f = features(
        3,
        **{k: v * 3 for k, v in cols.items()},
        avg_ticket=[600.0, 300.0, 0.0],
        revenue=[1.0, 3.0, 0.0],
    )
    res = score(f, settings, population(cycle=15.21875, shrinkage=0.0))
    assert res.monthly_value.tolist() == pytest.approx([1200.0, 600.0, 0.0])
    assert res.value_at_stake.tolist() == pytest.approx(
        (res.monthly_value * res.lapse_risk).tolist()
    )
    # linear in money: half the ticket, half the value points
    assert res.component("value")[1] == pytest.approx(res.component("value")[0] / 2)
    assert res.component("value")[2] == 0.0
    assert res.revenue_share.tolist() == pytest.approx([0.25, 0.75, 0.0])


def test_finance_overdue_and_credit() -> None:
    f = features(
        4,
        avg_ticket=[500.0, 500.0, 500.0, 500.0],
        overdue_amount=[250.0, 250.0, 0.0, 0.0],
        overdue_days=[10.0, 3.0, 0.0, 0.0],
        open_receivables=[250.0, 250.0, 700.0, 100.0],
        credit_limit=[np.nan, np.nan, 1000.0, 1000.0],
    )
    res = score(f, ScoringSettings(collection_policy="allow"))
    assert res.component("finance").tolist() == pytest.approx([0.5, 0.5, 0.5, 1.0])
    assert [res.has(i, COLLECTION) for i in range(4)] == [True, False, False, False]
    assert [res.has(i, CREDIT_BLOCKED) for i in range(4)] == [False, False, True, False]
    assert res.explain(0)[0].key == "overdue_collect"
    assert res.explain(0)[0].values == {"amount": 250.0, "days": 10, "policy": "allow"}
    credit = next(r for r in res.explain(2) if r.key == "credit_blocked")
    assert credit.values == {"available": 300.0, "ticket": 500.0}
    assert credit.detail  # what can be sold on credit, not a reason to go


def test_collection_policies() -> None:
    cols = {"avg_ticket": [500.0], "overdue_amount": [900.0], "overdue_days": [30.0]}
    f = features(1, **cols)
    allow = score(f, ScoringSettings(collection_policy="allow"))
    collect = score(f, ScoringSettings(collection_policy="collect_only"))
    skip = score(f, ScoringSettings(collection_policy="skip"))
    assert allow.score[0] > 0
    assert allow.purpose[0] == PURPOSE_SALES
    assert collect.score[0] == 0
    assert collect.purpose[0] == PURPOSE_COLLECT
    assert skip.score[0] == 0
    assert skip.purpose[0] == PURPOSE_NONE
    assert flag_names(int(skip.flags[0])) == ["collection", "new_customer"]


def test_delivery_fit() -> None:
    tuesday, thursday, monday = 1 << 1, 1 << 3, 1 << 0
    f = features(4, delivery_weekdays=[tuesday, thursday, monday, 0], reference_weekday=0)
    res = score(f, ScoringSettings(lead_time_days=1))
    assert res.component("delivery").tolist() == pytest.approx([1.0, 5 / 7, 1 / 7, 1.0])
    assert res.delivery_days.tolist() == [1, 3, 7, 1]
    assert next(r for r in res.explain(1) if r.key == "next_delivery").values == {"days": 3}


def test_mix_lapse_and_offers() -> None:
    cols = regular(n_days=10, cycle=10.0, since_last=5.0)
    f = features(
        2,
        **{k: [v[0], np.nan if k != "purchase_days" else 0] for k, v in cols.items()},
        mix_customer=[0, 0, 0],
        mix_category=[0, 1, 2],
        mix_share=[0.5, 0.1, 0.6],
        mix_days_since=[30.0, 40.0, 5.0],
        category_names=("Bebidas", "Limpeza", "Mercearia"),
    )
    res = score(f, population=population(cycle=10.0))
    # Bebidas: regular (half the purchase days) and not bought for 30 > 1.5 x 10 days
    assert res.component("mix").tolist() == pytest.approx([0.5, 0.0])
    assert res.offers(0) == [(0, "Bebidas")]
    assert res.offers(1) == []
    reason = next(r for r in res.explain(0) if r.key == "stopped_buying_category")
    assert reason.values == {"category": "Bebidas", "days": 30}


def test_total_is_the_weighted_sum_of_components() -> None:
    settings = ScoringSettings(value_reference_monthly=1.0)
    f = features(
        1,
        **regular(n_days=6, cycle=14.5, since_last=14.0),
        avg_ticket=[100.0],
        revenue=[1000.0],
        days_since_contact=[7.0],
        visit_frequency_days=[14.0],
    )
    res = score(f, settings, population(cycle=14.5))
    # urgency 0.5, service 0.25, value 1, finance 1, delivery 1, mix 0
    expected = 100 * (0.35 * 0.5 + 0.2 * 0.25 + 0.15 + 0.1 + 0.1) / 1.0
    assert res.score[0] == pytest.approx(expected)
    assert res.points[:, 0].sum() == pytest.approx(expected)


# --- settings and population ------------------------------------------------------


def test_settings_round_trip_through_json() -> None:
    settings = ScoringSettings(collection_policy="collect_only", segment_cycle_days=(7.0, 30.0))
    again = ScoringSettings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again == settings
    newer = ScoringSettings.from_dict({**settings.to_dict(), "future_knob": 3})
    assert newer.extra == {"future_knob": 3}
    assert newer.segment_cycle_days == (7.0, 30.0)


@pytest.mark.parametrize(
    "bad",
    [{"collection_policy": "maybe"}, {"weight_value": -1.0}, {"rescue_multiple": 1.0}],
)
def test_settings_reject_nonsense(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        ScoringSettings(**bad)


def test_bgnbd_fit_finds_a_local_maximum() -> None:
    rng = np.random.default_rng(1)
    n = 400
    x = rng.poisson(3.0, n).astype(np.float64)
    age = rng.uniform(100, 300, n)
    t_x = np.where(x > 0, age * rng.uniform(0.2, 1.0, n), 0.0)
    best = np.log(fit_bgnbd(x, t_x, age))
    top = bgnbd_loglik(best, x, t_x, age)
    for k in range(4):
        for step in (-0.05, 0.05):
            moved = best.copy()
            moved[k] += step
            assert bgnbd_loglik(moved, x, t_x, age) <= top + 1e-6


def test_population_fit_learns_the_portfolio_cycle() -> None:
    rng = np.random.default_rng(5)
    n = 300
    n_days = rng.integers(3, 12, n)
    center = np.log(20.0) + rng.normal(0, 0.2, n)
    f = features(
        n,
        purchase_days=n_days,
        days_since_first=n_days * 20.0 + 5,
        days_since_last=rng.uniform(0, 30, n),
        gap_log_center=center,
        gap_log_scale=np.full(n, 0.3),
    )
    pop = fit_population(f, ScoringSettings())
    assert math.exp(pop.segment_log_cycle[-1]) == pytest.approx(20.0, rel=0.05)
    assert pop.within_sd == pytest.approx(0.3)
    assert pop.shrinkage > 1  # customers vary little around the portfolio's cycle


def test_features_reject_misaligned_arrays() -> None:
    with pytest.raises(ValueError, match="avg_ticket"):
        features(2, avg_ticket=[1.0])
    with pytest.raises(ValueError, match="mix"):
        features(1, mix_customer=[0])


def test_dormant_customers_may_come_back() -> None:
    f = features(1, **regular(8, 10.0, since_last=90.0))
    pop = population(cycle=10.0)
    gone = score(f, ScoringSettings(), pop)
    sleeper = score(f, ScoringSettings(dormant_rate_share=0.1), pop)
    assert 0 < sleeper.lapse_risk[0] < gone.lapse_risk[0] <= 1
    assert gone.buy_propensity[0] < sleeper.buy_propensity[0] < 1


def test_mix_history_from_rows() -> None:
    # customer 0 bought on 4 days; category 7 on days 10 and 20 (twice on 20), category 3 on 30
    mix = mix_history(
        np.array([0, 0, 0, 0, 1, 0]),
        np.array([7, 7, 7, 3, 7, 3]),
        np.array([10, 20, 20, 30, 35, 99]),
        np.array([4, 1]),
        40,
    )
    rows = sorted(
        zip(
            mix.customer.tolist(),
            mix.category.tolist(),
            mix.share.tolist(),
            mix.days_since.tolist(),
            strict=True,
        )
    )
    assert rows == [(0, 3, 0.25, 10.0), (0, 7, 0.5, 20.0), (1, 7, 1.0, 5.0)]


def test_card_and_snapshot_columns() -> None:
    f = features(
        2,
        **{
            k: [v[0], np.nan if k != "purchase_days" else 0]
            for k, v in regular(6, 14.5, 14.0).items()
        },
        avg_ticket=[100.0, 0.0],
        overdue_amount=[0.0, 50.0],
        overdue_days=[0.0, 30.0],
    )
    res = score(f, population=population(cycle=14.5))
    card = json.loads(json.dumps(res.card(0)))
    assert card["customer_id"] == 1
    assert card["purpose"] == "sales"
    assert card["components"]["urgency"]["value"] == 0.5
    assert card["reasons"][0]["key"] == "days_without_purchase"
    assert card["reasons"][0]["values"] == {"days": 14, "cycle": 14}
    assert res.card(1)["purpose"] == "none"
    assert "collection" in res.card(1)["flags"]
    cols = res.columns()
    assert set(cols) >= {
        "customer_id",
        "score",
        "flags",
        "urgency_points",
        "mix_points",
    }
    assert all(len(v) == 2 for v in cols.values())


def test_population_round_trips_through_json() -> None:
    pop = population(cycle=12.0)
    again = CyclePopulation.from_dict(json.loads(json.dumps(pop.to_dict())))
    assert again.to_dict() == pop.to_dict()
    f = features(1, **regular(5, 12.0, since_last=20.0))
    assert score(f, population=again).lapse_risk[0] == score(f, population=pop).lapse_risk[0]
