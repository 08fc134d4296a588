"""Backtest of the priority score's lapse risk and purchase propensity on real transactions.

At each cut-off the engine scores every customer from the history before it; we then compare
with what happened next: (a) lapse, a customer with >= 3 past purchase days who does not buy in
the next 90 days; (b) a purchase within the next 14 days. Baselines computed in the same run:
recency alone, a classic RFM quintile score and BG/NBD (``lifetimes``, bench-only).

What a sales manager asks is measured too, for the engine and every baseline:
- revenue-weighted lapse AUC: each (lapsed, kept) pair weighs the product of the two customers'
  monthly revenue before the cut-off, so ranking big accounts right counts more;
- lost revenue caught: of the revenue the lapsed customers would have brought in the next 90
  days (3 x their monthly revenue before the cut-off), the share held by the top 10 % by risk.

    .venv/bin/python bench/backtest_scoring.py [--data FILE ...] [--cutoffs D1,D2,...]
        [--set NAME=VALUE ...]

``--data`` takes CSV or CSV.gz files with the UCI columns, or the CDNOW master log (``*.txt``,
shipped with ``lifetimes``) as a second, unrelated real dataset.

The last printed line is one JSON object with the AUCs, the revenue-weighted AUCs
(``lapse_auc_revenue``), precisions and lost revenue caught at the top 10 %, and the paired
bootstrap intervals of the engine's lead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.scoring import (
    ScoringFeatures,
    ScoringSettings,
    horizon_history,
    mix_history,
    purchase_history,
    score,
)

DATA_DIR = Path(__file__).resolve().parent / "data" / "online_retail"
DEFAULT_DATA = sorted(str(p) for p in DATA_DIR.glob("*.csv.gz"))
DEFAULT_CUTOFFS = "2010-09-01,2011-03-01,2011-06-01,2011-09-01"
LAPSE_DAYS = 90
BUY_DAYS = 14
MIN_PAST_DAYS = 3
PRODUCT_CODE = re.compile(r"^\d{5}")
EPOCH = np.datetime64("1970-01-01", "D")
MONTH_DAYS = 365.25 / 12


def load_file(path: str) -> pd.DataFrame:
    """One transaction file: the UCI columns, or the CDNOW master layout (``*.txt``)."""
    if path.endswith(".txt"):
        raw = pd.read_csv(
            path,
            sep=r"\s+",
            header=0,
            names=["cid", "date", "qty", "value"],
            dtype={"cid": str, "date": str},
        )
        return pd.DataFrame(
            {
                "InvoiceNo": raw.index.astype(str),
                "StockCode": "00000",
                "Quantity": raw["qty"],
                "InvoiceDate": pd.to_datetime(raw["date"], format="%Y%m%d"),
                "UnitPrice": raw["value"] / raw["qty"].where(raw["qty"] > 0),
                "CustomerID": raw["cid"].astype(float),
            }
        )
    frame = pd.read_csv(
        path,
        usecols=[
            "InvoiceNo",
            "StockCode",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
        ],
        dtype={"InvoiceNo": str, "StockCode": str},
    )
    frame["InvoiceDate"] = pd.to_datetime(frame["InvoiceDate"])
    return frame


def load(paths: list[str]) -> pd.DataFrame:
    """Clean sale lines of all files; overlapping files keep the later file over the overlap."""
    frames = sorted((load_file(p) for p in paths), key=lambda f: f["InvoiceDate"].min())
    kept = []
    for k, frame in enumerate(frames):
        if k + 1 < len(frames):
            frame = frame[frame["InvoiceDate"] < frames[k + 1]["InvoiceDate"].min()]
        kept.append(frame)
    df = pd.concat(kept, ignore_index=True)
    df = df[df["CustomerID"].notna() & (df["Quantity"] > 0) & (df["UnitPrice"] > 0)]
    df = df[~df["InvoiceNo"].str.match(r"^[CcAa]")]
    products = df["StockCode"].str.match(PRODUCT_CODE)
    if products.mean() > 0.5:  # a different coding scheme: keep everything rather than nothing
        df = df[products]
    df = df.assign(
        customer=df["CustomerID"].astype(np.int64),
        day=(df["InvoiceDate"].values.astype("datetime64[D]") - EPOCH).astype(np.int64),
        value=df["Quantity"] * df["UnitPrice"],
        category=df["StockCode"].str[:2],
    )
    return df[["InvoiceNo", "customer", "day", "value", "category"]]


def build_features(
    history: pd.DataFrame, cut: int, horizon: int = LAPSE_DAYS
) -> tuple[ScoringFeatures, np.ndarray]:
    """ScoringFeatures from transactions before the cut-off day (planner fields left neutral)."""
    ids, cust_idx = np.unique(history["customer"].to_numpy(), return_inverse=True)
    n = len(ids)
    ref = cut - 1  # the plan date is the last day of history
    days = history["day"].to_numpy()
    hist = purchase_history(cust_idx, days, n, ref)
    recent_days, past = horizon_history(cust_idx, days, n, ref, horizon, current=hist)
    invoices = history.assign(c=cust_idx).groupby(["c", "InvoiceNo"])["value"].sum()
    inv_c = invoices.index.get_level_values(0).to_numpy()
    ticket = np.bincount(inv_c, weights=invoices.to_numpy(), minlength=n) / np.maximum(
        np.bincount(inv_c, minlength=n), 1
    )
    recent = history["day"].to_numpy() > ref - 365
    revenue = np.bincount(
        cust_idx[recent], weights=history["value"].to_numpy()[recent], minlength=n
    )
    cats, cat_idx = np.unique(history["category"].to_numpy(), return_inverse=True)
    mix = mix_history(cust_idx, cat_idx, history["day"].to_numpy(), hist.purchase_days, ref)
    features = ScoringFeatures(
        customer_id=ids,
        segment=np.full(n, -1, dtype=np.int64),
        purchase_days=hist.purchase_days,
        days_since_first=hist.days_since_first,
        days_since_last=hist.days_since_last,
        gap_log_center=hist.gap_log_center,
        gap_log_scale=hist.gap_log_scale,
        avg_ticket=ticket,
        revenue=revenue,
        mix_customer=mix.customer,
        mix_category=mix.category,
        mix_share=mix.share,
        mix_days_since=mix.days_since,
        category_names=tuple(str(c) for c in cats),
        recent_purchase_days=recent_days,
        past=past,
    )
    return features, ids


def monthly_revenue(feat: ScoringFeatures) -> np.ndarray:
    """Revenue of the 365 days before the cut-off per month of that window the
    customer was known."""
    known_days = np.minimum(np.nan_to_num(feat.days_since_first, nan=0.0) + 1.0, 365.0)
    return feat.revenue / (known_days / MONTH_DAYS)


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """ROC-AUC by the rank-sum statistic, ties counted half (NaN for a missing score)."""
    if np.isnan(score).any():
        return float("nan")
    ranks = pd.Series(score).rank(method="average").to_numpy()
    pos = label.astype(bool)
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def weighted_auc(score: np.ndarray, label: np.ndarray, weight: np.ndarray) -> float:
    """ROC-AUC where each (positive, negative) pair counts the product of their weights.

    Ties count half. Sorted once, so it is exact and O(n log n).
    """
    if np.isnan(score).any():
        return float("nan")
    order = np.argsort(score, kind="mergesort")
    s, pos, w = score[order], label[order].astype(bool), weight[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    pos_w = np.add.reduceat(np.where(pos, w, 0.0), starts)
    neg_w = np.add.reduceat(np.where(pos, 0.0, w), starts)
    below = np.cumsum(neg_w) - neg_w
    total = pos_w.sum() * neg_w.sum()
    return float(np.sum(pos_w * (below + 0.5 * neg_w)) / total) if total > 0 else float("nan")


def caught_top(score: np.ndarray, loss: np.ndarray, share: float = 0.10) -> float:
    """Share of the total ``loss`` held by the top ``share`` of customers by score."""
    if np.isnan(score).any() or loss.sum() <= 0:
        return float("nan")
    k = max(1, round(share * len(score)))
    top = np.argsort(-score, kind="stable")[:k]
    return float(loss[top].sum() / loss.sum())


def precision_top(score: np.ndarray, label: np.ndarray, share: float = 0.10) -> float:
    """Share of positives among the top ``share`` of customers by score (stable ordering)."""
    if np.isnan(score).any():
        return float("nan")
    k = max(1, round(share * len(score)))
    top = np.argsort(-score, kind="stable")[:k]
    return float(label[top].mean())


def auc_gap_interval(
    ours: np.ndarray,
    theirs: np.ndarray,
    label: np.ndarray,
    rounds: int = 200,
    weight: np.ndarray | None = None,
) -> tuple[float, float]:
    """95 % paired-bootstrap interval of AUC(ours) - AUC(theirs) over resampled customers.

    With ``weight``, the revenue-weighted AUC of both (the same resamples).
    """
    rng = np.random.default_rng(2024)
    gaps = []
    for _ in range(rounds):
        pick = rng.integers(0, len(label), len(label))
        if label[pick].all() or not label[pick].any():
            continue
        if weight is None:
            gaps.append(auc(ours[pick], label[pick]) - auc(theirs[pick], label[pick]))
        else:
            w = weight[pick]
            gaps.append(
                weighted_auc(ours[pick], label[pick], w)
                - weighted_auc(theirs[pick], label[pick], w)
            )
    low, high = np.percentile(gaps, [2.5, 97.5])
    return float(low), float(high)


def rfm_score(recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """Classic RFM: quintiles 1-5 of recency (recent = 5), frequency and monetary, summed."""

    def quintile(values: np.ndarray) -> np.ndarray:
        ranks = pd.Series(values).rank(method="first").to_numpy()
        return np.ceil(5 * ranks / len(values))

    return quintile(-recency) + quintile(frequency) + quintile(monetary)


def bgnbd_scores(feat: ScoringFeatures) -> tuple[np.ndarray, np.ndarray]:
    """lifetimes' BG/NBD: expected purchases in 90 and in 14 days (day units).

    Fitted without penalty; if lifetimes' optimiser does not converge, retried with its smallest
    usual penalizer (printed), so the baseline is never silently dropped.
    """
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import ConvergenceError

    freq = feat.purchase_days - 1.0
    age = feat.days_since_first + 1.0  # T: from the first purchase to the end of the cut-off day
    rec = feat.days_since_first - feat.days_since_last  # t_x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for penalizer in (0.0, 0.001, 0.01, 0.1):
            model = BetaGeoFitter(penalizer_coef=penalizer)
            try:
                model.fit(freq, rec, age)
                break
            except ConvergenceError:
                print(f"  BG/NBD did not converge with penalizer {penalizer}")
        else:
            nan = np.full(len(freq), np.nan)
            return nan, nan
        e90 = model.conditional_expected_number_of_purchases_up_to_time(LAPSE_DAYS, freq, rec, age)
        e14 = model.conditional_expected_number_of_purchases_up_to_time(BUY_DAYS, freq, rec, age)
    return np.asarray(e90, dtype=float), np.asarray(e14, dtype=float)


def evaluate(df: pd.DataFrame, cutoff: str, settings: ScoringSettings) -> dict[str, dict]:
    """All methods' AUC and precision@10% at one cut-off."""
    cut = int((np.datetime64(cutoff, "D") - EPOCH).astype(np.int64))
    history = df[df["day"] < cut]
    feat, ids = build_features(history, cut)
    result = score(feat, settings)
    future = df[(df["day"] >= cut) & (df["day"] < cut + LAPSE_DAYS)]
    soon = future[future["day"] < cut + BUY_DAYS]
    buys90 = np.isin(ids, future["customer"].unique())
    buys14 = np.isin(ids, soon["customer"].unique())
    recency = feat.days_since_last
    freq = feat.purchase_days.astype(float)
    rfm = rfm_score(recency, freq, feat.revenue)
    e90, e14 = bgnbd_scores(feat)
    lapse_pop = feat.purchase_days >= MIN_PAST_DAYS
    lapse_y = ~buys90[lapse_pop]
    methods_lapse = {
        "roteiro": result.lapse_risk,
        "recency": recency,
        "rfm": -rfm,
        "bgnbd": -e90,
    }
    methods_buy = {
        "roteiro": result.buy_propensity,
        "recency": -recency,
        "rfm": rfm,
        "bgnbd": e14,
    }
    out: dict[str, dict] = {
        "lapse_auc": {},
        "lapse_auc_revenue": {},
        "lapse_p10": {},
        "lost_revenue_top10": {},
        "buy14_auc": {},
        "buy14_p10": {},
    }
    weight = monthly_revenue(feat)[lapse_pop]
    lost = np.where(lapse_y, 3.0 * weight, 0.0)
    # what the product ranks money by: the monthly revenue at stake (value x lapse risk)
    at_stake = result.value_at_stake[lapse_pop]
    out["lost_revenue_top10"]["roteiro_value_at_stake"] = caught_top(at_stake, lost)
    for name, s in methods_lapse.items():
        out["lapse_auc"][name] = auc(s[lapse_pop], lapse_y)
        out["lapse_auc_revenue"][name] = weighted_auc(s[lapse_pop], lapse_y, weight)
        out["lapse_p10"][name] = precision_top(s[lapse_pop], lapse_y)
        out["lost_revenue_top10"][name] = caught_top(s[lapse_pop], lost)
    for name, s in methods_buy.items():
        out["buy14_auc"][name] = auc(s, buys14)
        out["buy14_p10"][name] = precision_top(s, buys14)
    out["lapse_gap_ci"] = {
        name: auc_gap_interval(
            result.lapse_risk[lapse_pop], methods_lapse[name][lapse_pop], lapse_y
        )
        for name in ("recency", "rfm", "bgnbd")
    }
    out["lapse_revenue_gap_ci"] = {
        name: auc_gap_interval(
            result.lapse_risk[lapse_pop],
            methods_lapse[name][lapse_pop],
            lapse_y,
            weight=weight,
        )
        for name in ("recency", "rfm", "bgnbd")
    }
    out["base"] = {
        "customers": len(ids),
        "lapse_population": int(lapse_pop.sum()),
        "lapse_rate": float(lapse_y.mean()),
        "buy14_rate": float(buys14.mean()),
    }
    return out


def _json_number(value: float) -> float | None:
    """Rounded for the summary; NaN (a baseline that could not be fitted) becomes null."""
    return None if np.isnan(value) else round(value, 4)


def main(argv: list[str] | None = None) -> None:
    """Run every cut-off and print a table, then the JSON summary as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=DEFAULT_DATA)
    parser.add_argument("--cutoffs", default=DEFAULT_CUTOFFS)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a ScoringSettings field (JSON value), e.g. --set rescue_multiple=3",
    )
    args = parser.parse_args(argv)
    cutoffs = [c.strip() for c in args.cutoffs.split(",") if c.strip()]
    df = load(args.data)
    first, last = int(df["day"].min()), int(df["day"].max())
    usable = []
    for cutoff in cutoffs:
        cut = int((np.datetime64(cutoff, "D") - EPOCH).astype(np.int64))
        if cut <= first + 30 or cut + LAPSE_DAYS > last + 1:
            print(f"skipping cut-off {cutoff}: needs history before it and {LAPSE_DAYS} days after")
        else:
            usable.append(cutoff)
    if not usable:
        parser.error("no cut-off inside the data")
    cutoffs = usable
    print(f"cores={os.cpu_count()} lines={len(df)} customers={df['customer'].nunique()}")
    overrides = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
    settings = ScoringSettings.from_dict({**ScoringSettings().to_dict(), **overrides})
    if overrides:
        print(f"settings overridden: {overrides}")
    summary: dict[str, object] = {"cutoffs": cutoffs}
    for cutoff in cutoffs:
        res = evaluate(df, cutoff, settings)
        print(f"cut-off {cutoff}: {res['base']}")
        for metric in (
            "lapse_auc",
            "lapse_auc_revenue",
            "lapse_p10",
            "lost_revenue_top10",
            "buy14_auc",
            "buy14_p10",
        ):
            row = "  ".join(f"{k}={v:.4f}" for k, v in res[metric].items())
            print(f"  {metric:18s} {row}")
            for name, value in res[metric].items():
                summary.setdefault(metric, {}).setdefault(name, []).append(_json_number(value))
        for name, (low, high) in res["lapse_gap_ci"].items():
            print(f"  lapse AUC roteiro - {name}: 95% bootstrap [{low:+.3f}, {high:+.3f}]")
            interval = [_json_number(low), _json_number(high)]
            gaps = summary.setdefault("lapse_auc_gap_ci95", {})
            gaps.setdefault(name, []).append(interval)
        for name, (low, high) in res["lapse_revenue_gap_ci"].items():
            print(
                f"  revenue-weighted lapse AUC roteiro - {name}: "
                f"95% bootstrap [{low:+.3f}, {high:+.3f}]"
            )
            interval = [_json_number(low), _json_number(high)]
            gaps = summary.setdefault("lapse_auc_revenue_gap_ci95", {})
            gaps.setdefault(name, []).append(interval)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
