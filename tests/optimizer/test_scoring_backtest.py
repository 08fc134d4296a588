"""The backtest script runs end to end on a small transaction file and ends with its JSON line."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_backtest():  # type: ignore[no-untyped-def]
    """Import bench/backtest_scoring.py (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "backtest_scoring", ROOT / "bench" / "backtest_scoring.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _transactions(path: Path) -> None:
    """300 customers buying at their own rates over two years, some stopping for good."""
    rng = np.random.default_rng(11)
    rows = []
    start = np.datetime64("2010-01-01")
    for cid in range(10000, 10300):
        cycle = rng.uniform(7, 90)
        stop = rng.uniform(60, 900)
        day = rng.uniform(0, 200)
        while day < min(stop, 729):
            when = start + np.timedelta64(int(day), "D")
            code = f"{rng.integers(10000, 10040)}"
            rows.append((f"{len(rows)}", code, "item", 3, f"{when} 10:00:00", 2.5, cid, "UK"))
            day += rng.gamma(4.0, cycle / 4.0)
    rows.append(("C1", "10001", "item", -1, "2010-05-01 10:00:00", 2.5, 10000, "UK"))
    rows.append(("9", "POST", "postage", 1, "2010-05-01 10:00:00", 9.0, 10000, "UK"))
    columns = [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ]
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)


@pytest.mark.slow
def test_backtest_prints_the_summary_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("lifetimes")
    data = tmp_path / "tx.csv"
    _transactions(data)
    backtest = _load_backtest()
    backtest.main(["--data", str(data), "--cutoffs", "2011-01-01,2011-06-01,2012-06-01"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert any("skipping cut-off 2012-06-01" in line for line in lines)
    summary = json.loads(lines[-1])
    assert summary["cutoffs"] == ["2011-01-01", "2011-06-01"]
    for metric in ("lapse_auc", "buy14_auc", "lapse_p10", "buy14_p10"):
        assert set(summary[metric]) == {"roteiro", "recency", "rfm", "bgnbd"}
        assert all(v is None or 0 <= v <= 1 for vs in summary[metric].values() for v in vs)
    # the manager's measures: same methods, revenue-weighted, and lost revenue caught
    assert set(summary["lapse_auc_revenue"]) == set(summary["lapse_auc"])
    assert all(0 <= v <= 1 for vs in summary["lapse_auc_revenue"].values() for v in vs)
    assert set(summary["lost_revenue_top10"]) == {
        "roteiro",
        "recency",
        "rfm",
        "bgnbd",
        "roteiro_value_at_stake",
    }
    assert set(summary["lapse_auc_revenue_gap_ci95"]) == {"recency", "rfm", "bgnbd"}
    # people who stop are visible in the history: our lapse risk must do better than chance
    assert min(summary["lapse_auc"]["roteiro"]) > 0.6


def test_weighted_auc_and_lost_revenue_caught_by_hand() -> None:
    backtest = _load_backtest()
    score = np.array([0.9, 0.8, 0.3, 0.1])
    label = np.array([True, False, True, False])
    # equal weights: the plain AUC (3 of 4 pairs in order)
    assert backtest.weighted_auc(score, label, np.ones(4)) == pytest.approx(0.75)
    assert backtest.auc(score, label) == pytest.approx(0.75)
    # pairs (0,1) w 1*1 in order, (0,3) 1*1 in order, (2,1) 10*1 out of order, (2,3) 10*1 in order
    weight = np.array([1.0, 1.0, 10.0, 1.0])
    assert backtest.weighted_auc(score, label, weight) == pytest.approx(12 / 22)
    loss = np.array([30.0, 0.0, 10.0, 0.0])
    assert backtest.caught_top(score, loss, share=0.25) == pytest.approx(0.75)


def test_auc_and_precision_helpers() -> None:
    backtest = _load_backtest()
    label = np.array([0, 0, 1, 1, 0, 1], dtype=bool)
    perfect = np.array([0.1, 0.2, 0.8, 0.9, 0.3, 0.7])
    assert backtest.auc(perfect, label) == 1.0
    assert backtest.auc(-perfect, label) == 0.0
    assert backtest.auc(np.zeros(6), label) == 0.5
    assert backtest.precision_top(perfect, label, share=0.5) == 1.0
    rfm = backtest.rfm_score(
        np.array([1.0, 50, 9, 3, 70]),
        np.array([9.0, 1, 4, 6, 2]),
        np.array([5.0, 1, 2, 3, 4]),
    )
    # quintiles of 5 customers are their ranks: R [5,2,3,4,1] + F [5,1,3,4,2] + M [5,1,2,3,4]
    assert rfm.tolist() == [15.0, 4.0, 8.0, 11.0, 7.0]
