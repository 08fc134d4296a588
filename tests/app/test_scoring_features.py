"""The set-based feature SQL equals a plain Python computation over the same rows, on
both databases."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from app.extensions import db
from app.models import Company
from app.services.scoring_features import extract
from optimizer.scoring import ScoringSettings
from tests.support.scoring import DAY, python_features, small_portfolio

SCALARS = (
    "purchase_days",
    "days_since_first",
    "days_since_last",
    "gap_log_center",
    "gap_log_scale",
    "avg_ticket",
    "revenue",
    "days_since_contact",
    "visit_frequency_days",
    "overdue_amount",
    "overdue_days",
    "open_receivables",
    "credit_limit",
    "delivery_weekdays",
)


def assert_features_match(company: Company, day: date) -> int:
    """Compare every feature of every customer; return how many customers were compared."""
    got = extract(
        session=db.session, company_id=company.id, day=day, settings=ScoringSettings()
    ).features
    want = python_features(company, day)
    assert list(got.customer_id) == list(want)
    for name in SCALARS:
        expected = np.array([want[c][name] for c in want], dtype=np.float64)
        actual = np.asarray(getattr(got, name), dtype=np.float64)
        np.testing.assert_allclose(
            actual, expected, rtol=1e-9, atol=1e-6, equal_nan=True, err_msg=name
        )
    mix = {
        (int(got.customer_id[i]), got.category_names[k]): (share, since)
        for i, k, share, since in zip(
            got.mix_customer, got.mix_category, got.mix_share, got.mix_days_since, strict=True
        )
    }
    expected_mix = {(c, cat): v for c, row in want.items() for cat, v in row["mix"].items()}
    assert mix.keys() == expected_mix.keys()
    for key, (share, since) in expected_mix.items():
        assert mix[key][0] == pytest.approx(share)
        assert mix[key][1] == since
    assert got.reference_weekday == day.weekday()
    return len(want)


def test_hand_made_portfolio_features(db_session):
    """Tests SQL features against Python on a portfolio built to hit every edge case."""
    w = small_portfolio()
    assert assert_features_match(w["company"], DAY) == 5


def test_hand_made_values_by_hand(db_session):
    """Tests a few features against numbers worked out by hand."""
    w = small_portfolio()
    f = extract(
        session=db.session, company_id=w["company"].id, day=DAY, settings=ScoringSettings()
    ).features
    ids = list(f.customer_id)
    lapsed, debtor, never = (ids.index(w[k].id) for k in ("lapsed", "debtor", "never"))
    assert f.purchase_days[lapsed] == 9  # two orders on one day count once
    assert f.days_since_last[lapsed] == 32
    assert math.exp(f.gap_log_center[lapsed]) == pytest.approx(14)
    assert f.avg_ticket[lapsed] == pytest.approx((7 * 420 + 2 * 250 + 80) / 10)
    assert f.days_since_contact[lapsed] == 40  # the skipped visit does not count
    assert f.overdue_amount[debtor] == pytest.approx(820 + 111)  # paid after DAY: still open on DAY
    assert f.overdue_days[debtor] == 20
    assert f.open_receivables[debtor] == pytest.approx(820 + 111 + 400)  # + not yet due
    assert math.isnan(f.credit_limit[never])
    assert math.isnan(f.days_since_last[never])
    assert math.isnan(f.days_since_contact[never])


def test_past_day_sees_only_its_past(db_session):
    """Tests that scoring an earlier day ignores later orders, contacts and payments."""
    w = small_portfolio()
    assert assert_features_match(w["company"], date(2026, 9, 1)) == 5


def test_demo_portfolio_features(db_session):
    """Tests SQL features against Python on a small demo load (150 customers)."""
    loader = pytest.importorskip("app.demo.loader")
    result = loader.load(seed=7, today=DAY, customer_count=150, calendars=False)
    company = db.session.get(Company, result.company_id)
    assert assert_features_match(company, DAY) == 150


def test_bulk_fetch_matches_plain_rows(db_session):
    """Tests the binary COPY reader (PostgreSQL) against the driver's plain rows, NULLs included."""
    import sqlalchemy as sa

    from app.models import Receivable
    from app.services import scoring_copy

    w = small_portfolio()
    stmt = (
        sa.select(
            Receivable.customer_id,
            sa.func.count(),
            sa.func.sum(Receivable.amount),
            sa.func.min(sa.case((Receivable.paid_date.is_(None), Receivable.amount))),
        )
        .where(Receivable.company_id == w["company"].id)
        .group_by(Receivable.customer_id)
    )
    got = scoring_copy.fetch_columns(db.session, stmt, "iiff")
    rows = scoring_copy.fetch_rows(db.session, stmt)
    want = np.array(rows, dtype=np.float64)
    for k in range(4):
        np.testing.assert_allclose(got[k], want[:, k], equal_nan=True)
    if db.session.connection().dialect.name == "postgresql":
        cursor = db.session.connection().connection.cursor()
        sql = scoring_copy._sql(db.session, scoring_copy._binary_select(stmt, "iiff"))
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
            data = b"".join(bytes(b) for b in copy)
        assert scoring_copy._parse_binary(data, "iiff") is not None
