"""The demo tells the truth: on its next working day, field slots go to customers who need a
sales visit, rescue cases go to the telesales lists, and money moves the score.

Run on the demo data set itself (a smaller load, same generator), scored and planned by the
nightly pipeline, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from app.demo import loader
from app.extensions import db
from app.jobs import pipeline
from app.models import (
    Contact,
    ContactKind,
    Customer,
    Outcome,
    Plan,
    PlanStop,
    Role,
    ScoreSnapshot,
    User,
)
from app.services import routing, telesales
from app.services.clock import DEFAULT_TZ
from optimizer.scoring import FIELD_REACTIVATION
from tests.conftest import savepoint_session, shared_data

CUSTOMERS = 400
TODAY = date(2026, 11, 27)  # a Friday
# The next day every demo rep works (three of them also work Saturday the 28th).
NEXT_WEEKDAY = date(2026, 11, 30)
RESCUE_CYCLES = 3.0


@pytest.fixture(scope="module")
def loaded(app):
    """The demo, loaded once per backend for the module (its visit calendars are the costly
    part: CP-SAT on every rep's portfolio); each test starts from it in its own SAVEPOINT."""
    with shared_data(
        app, lambda: loader.load(seed=42, customer_count=CUSTOMERS, today=TODAY)
    ) as shared:
        yield shared


@pytest.fixture
def db_session(app, loaded):
    """This module's tests run on the shared demo; their changes are rolled back."""
    with savepoint_session(app, loaded) as session:
        yield session


@pytest.fixture
def demo(db_session, loaded):
    return loaded.built


def _plan(company_id: int, day: date) -> None:
    summary = pipeline.run_company(pipeline.RunOptions(company_id=company_id, plan_date=day))
    assert summary.status.value == "succeeded", summary.reps


def _stops(company_id: int, day: date) -> list[tuple[int, int, str]]:
    """(customer, rep, plan status) of every routed visit of the day."""
    rows = db.session.execute(
        sa.select(PlanStop.customer_id, Plan.user_id, Plan.status)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(Plan.company_id == company_id, Plan.plan_date == day, PlanStop.kind == "visit")
    )
    return [(c, u, str(s)) for c, u, s in rows if c is not None]


def _snapshots(company_id: int, day: date) -> dict[int, ScoreSnapshot]:
    score_day = routing.scores_for(company_id=company_id, day=day)
    assert score_day, "the run scored the company"
    latest = db.session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == company_id
        )
    )
    rows = db.session.scalars(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == latest
        )
    )
    return {s.customer_id: s for s in rows}


def _days_since_last_order(company_id: int, day: date) -> dict[int, int]:
    from app.models import Order

    rows = db.session.execute(
        sa.select(Order.customer_id, sa.func.max(Order.order_date))
        .where(Order.company_id == company_id, Order.order_date <= day)
        .group_by(Order.customer_id)
    )
    return {cid: (day - last).days for cid, last in rows}


def test_next_working_day_routes_no_lost_customer_and_calls_the_rescue_cases(demo):
    """Tests item 5 of issue 15 on the demo's next working day, with the default policy."""
    day = NEXT_WEEKDAY
    _plan(demo.company_id, day)
    snaps = _snapshots(demo.company_id, day)
    silence = _days_since_last_order(demo.company_id, day)
    stops = _stops(demo.company_id, day)
    assert stops, "the demo's reps have a route"

    # 1. no routed customer gone for more than 3 of its own cycles (policy "telesales first")
    for customer_id, _rep, _status in stops:
        snap = snaps[customer_id]
        days = silence.get(customer_id)
        if days is None or snap.cycle_days is None:
            continue
        if snap.purpose == "collect_only":
            # the collection policy sends it, to collect, and its card says so first
            assert snap.reasons[0]["key"] == "overdue_collect"
            continue
        assert days <= RESCUE_CYCLES * snap.cycle_days + 1, (
            customer_id,
            days,
            snap.cycle_days,
            snap.reasons,
        )
        assert snap.purpose != "reactivation"

    # 2. the rescue cases of the field portfolios are on the telesales lists of their teams:
    # each seat gets its team's most valuable ones not contacted in the retry window
    rescues = {cid for cid, s in snaps.items() if s.purpose == "reactivation"}
    assert len(rescues) >= 5, "the demo has lost customers to rescue"
    owners = dict(
        db.session.execute(
            sa.select(Customer.id, Customer.owner_id).where(Customer.id.in_(rescues))
        ).all()
    )
    people = {
        u.id: u
        for u in db.session.scalars(sa.select(User).where(User.company_id == demo.company_id))
    }
    retry = telesales.reactivation_retry_days(demo.company_id)
    contacted = set(
        db.session.scalars(
            sa.select(Contact.customer_id).where(
                Contact.company_id == demo.company_id,
                Contact.contact_date >= day - timedelta(days=retry),
                Contact.contact_date < day,
                Contact.outcome.in_(telesales.EFFECTIVE),
            )
        )
    )
    per_seat = telesales.reactivation_calls(demo.company_id)
    now = datetime.combine(day, time(9, 0), tzinfo=DEFAULT_TZ)
    seats = [u for u in people.values() if u.role == Role.TELESALES]
    listed_total = 0
    for seat in seats:
        rows = telesales.get_call_list(seat=seat, day=day, now=now).rows
        listed = {r.customer.id: r for r in rows if r.rescue_of}
        team = [
            cid
            for cid in rescues
            if people[owners[cid]].role == Role.REP
            and people[owners[cid]].team_id == seat.team_id
            and cid not in contacted
        ]
        team.sort(key=lambda cid: (-(snaps[cid].monthly_value or 0.0), cid))
        assert set(listed) == set(team[:per_seat])
        for row in listed.values():
            assert row.reasons[0]["key"] == "rescue"
            assert row.reasons[0]["values"]["channel"] == "telesales"
        listed_total += len(listed)
    assert listed_total >= 5, "rescue cases appear on the telesales lists"

    # 3. the value component spans a visible range (points out of the default 15)
    sales = [s for s in snaps.values() if s.purpose == "sales" and s.monthly_value]
    value = np.array([s.components["value"] for s in sales])
    low, high = np.percentile(value, [10, 90])
    assert high - low >= 4.0, (low, high)
    assert value.max() >= 14.9


def test_policy_and_calls_put_rescue_cases_in_the_field_and_the_card_says_so(demo):
    """Tests that only the policy's threshold or a call's request routes a rescue case."""
    from app.models import CompanySettings
    from optimizer.scoring import ScoringSettings

    day = NEXT_WEEKDAY
    current = db.session.scalar(
        sa.select(CompanySettings)
        .where(CompanySettings.company_id == demo.company_id)
        .order_by(CompanySettings.version.desc())
        .limit(1)
    )
    scoring = ScoringSettings.from_dict(dict(current.scoring))
    monthly = sorted(
        s.monthly_value
        for s in _first_pass(demo.company_id, day).values()
        if s.purpose == "reactivation" and s.monthly_value
    )
    threshold = monthly[len(monthly) // 2]  # the better half goes to the field
    db.session.add(
        CompanySettings(
            company_id=demo.company_id,
            version=current.version + 1,
            scoring={
                **scoring.to_dict(),
                "reactivation_policy": "field_above_value",
                "reactivation_field_min_value": threshold,
            },
            planning=dict(current.planning or {}),
            policies={**dict(current.policies or {}), "reactivation_policy": "field_above_value"},
        )
    )
    db.session.flush()
    # a call asked for a visit of a rescue case below the threshold
    snaps = _first_pass(demo.company_id, day)
    small = next(
        cid
        for cid, s in snaps.items()
        if s.purpose == "reactivation" and not s.flags & FIELD_REACTIVATION
    )
    seat = db.session.scalar(
        sa.select(User).where(User.company_id == demo.company_id, User.role == Role.TELESALES)
    )
    customer = db.session.get(Customer, small)
    db.session.add(
        Contact(
            company_id=demo.company_id,
            customer_id=small,
            user_id=seat.id,
            kind=ContactKind.CALL,
            planned=False,
            contact_date=TODAY,
            outcome=Outcome.VISIT_REQUESTED,
        )
    )
    db.session.flush()
    _plan(demo.company_id, day)
    snaps = _snapshots(demo.company_id, day)
    routed = {c for c, _rep, _s in _stops(demo.company_id, day)}
    requested = routing.visit_requests(company_id=demo.company_id, day=day, since_days=30)
    assert small in requested
    for cid in routed:
        snap = snaps[cid]
        if snap.purpose != "reactivation":
            continue
        # in the field only by the policy (and its card says so) or because a call asked
        if snap.flags & FIELD_REACTIVATION:
            rescue = next(r for r in snap.reasons if r["key"] == "rescue")
            assert rescue["values"]["channel"] == "field"
            assert rescue["values"]["min_value"] == pytest.approx(threshold, abs=0.01)
            assert snap.monthly_value >= threshold - 0.01
        else:
            assert cid in requested
    # the call's request reached the planner: the customer is a candidate of its rep
    rep = db.session.get(User, customer.owner_id)
    config = routing.load_config(company_id=demo.company_id)
    candidates = routing.build_candidates(rep=rep, day=day, config=config)
    assert small in {info.customer_id for info in candidates.info.values()}


def _first_pass(company_id: int, day: date) -> dict[int, ScoreSnapshot]:
    """Score the company for the day (no planning) and return its snapshots."""
    from app.services import scoring

    scoring.score_company(session=db.session, company_id=company_id, day=day)
    db.session.flush()
    return _snapshots(company_id, day)
