"""The demo's past plans tell the truth: every planned visit sits on its rep's plan of that
day, skipped and unreached stops are what the phone would have left, the routes' times and
kilometres add up, and plan versus done reads figures that match the database.

Run on the demo data set itself (a small load, same generator), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.demo import loader
from app.extensions import db
from app.models import (
    Contact,
    ContactKind,
    Outcome,
    Plan,
    PlanStatus,
    PlanStop,
    Role,
    StopStatus,
    User,
)
from app.security.scope import Scope
from app.services import kpis
from app.services.clock import DEFAULT_TZ, seconds_of_day
from tests.conftest import savepoint_session, shared_data

CUSTOMERS = 400
TODAY = date(2026, 11, 27)  # a Friday


@pytest.fixture(scope="module")
def loaded(app):
    """The demo, loaded once per backend for the module; each test reads it in its own
    SAVEPOINT. Past plans do not read the visit calendars: skip their CP-SAT solves."""
    with shared_data(
        app,
        lambda: loader.load(seed=42, customer_count=CUSTOMERS, today=TODAY, calendars=False),
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


def _visits(company_id: int) -> list[Contact]:
    return list(
        db.session.scalars(
            sa.select(Contact).where(
                Contact.company_id == company_id, Contact.kind == ContactKind.VISIT
            )
        )
    )


def test_every_planned_visit_sits_on_its_reps_plan(demo):
    """Tests the links: a planned visit points at a done stop of its rep's plan of its day, an
    unplanned one at none; a skipped stop has its skip contact; an unreached one none."""
    plans = {
        p.id: p
        for p in db.session.scalars(sa.select(Plan).where(Plan.company_id == demo.company_id))
    }
    assert plans, "the demo has past plans"
    assert all(p.plan_date < TODAY and p.status == PlanStatus.DONE for p in plans.values())
    stops = {
        s.id: s
        for s in db.session.scalars(sa.select(PlanStop).where(PlanStop.plan_id.in_(list(plans))))
    }
    by_stop: Counter[int] = Counter()
    for visit in _visits(demo.company_id):
        if visit.plan_stop_id is None:
            assert not visit.planned or visit.contact_date >= TODAY
            continue
        by_stop[visit.plan_stop_id] += 1
        stop = stops[visit.plan_stop_id]
        plan = plans[stop.plan_id]
        assert visit.planned
        assert (plan.user_id, plan.plan_date, stop.customer_id) == (
            visit.user_id,
            visit.contact_date,
            visit.customer_id,
        )
        wanted = StopStatus.SKIPPED if visit.outcome == Outcome.SKIPPED else StopStatus.DONE
        assert stop.status == wanted
    assert max(by_stop.values()) == 1, "one contact per stop"
    statuses = Counter(s.status for s in stops.values())
    assert statuses[StopStatus.DONE] == sum(
        1 for sid in by_stop if stops[sid].status == StopStatus.DONE
    )
    assert statuses[StopStatus.SKIPPED] > 0
    assert statuses[StopStatus.PENDING] > 0
    assert all(by_stop[sid] == 0 for sid, s in stops.items() if s.status == StopStatus.PENDING)
    reps = set(
        db.session.scalars(
            sa.select(User.id).where(User.company_id == demo.company_id, User.role == Role.REP)
        )
    )
    assert {p.user_id for p in plans.values()} == reps


def test_routes_add_up_and_check_ins_land_near_the_plan(demo):
    """Tests each route's clock (arrive, start, leave, drive on) and kilometres, and that real
    check-ins come a few minutes off the plan, not hours."""
    plans = db.session.scalars(sa.select(Plan).where(Plan.company_id == demo.company_id)).all()
    for plan in plans:
        stops = plan.stops
        assert stops
        assert plan.start_s < stops[0].arrival_s
        assert plan.end_s > stops[-1].departure_s
        for before, after in itertools.pairwise(stops):
            assert before.departure_s + after.travel_s == after.arrival_s
        for stop in stops:
            assert stop.arrival_s + stop.wait_s == stop.start_s < stop.departure_s
        legs = sum(s.travel_m for s in stops)
        assert legs < plan.total_m < legs + 100_000  # plus the drive back to the base
    offsets = []
    rows = db.session.execute(
        sa.select(Contact.check_in_at, Contact.check_out_at, Contact.contact_date, PlanStop.start_s)
        .join(PlanStop, PlanStop.id == Contact.plan_stop_id)
        .where(Contact.company_id == demo.company_id, Contact.check_in_at.is_not(None))
    )
    for check_in, check_out, day, start_s in rows:
        assert check_in.astimezone(DEFAULT_TZ).date() == day  # the visit stays on its day
        assert check_in < check_out
        offsets.append(abs(seconds_of_day(check_in, DEFAULT_TZ) - start_s) / 60)
    assert offsets
    assert statistics.median(offsets) < 20
    assert 0 < sum(1 for o in offsets if o > 15) < len(offsets)  # some late or early, not all


def test_plan_versus_done_matches_the_database(demo):
    """Tests every row of the dashboard's plan-versus-done table of the last two weeks against
    direct counts, and that no row reads 'Planned 0, Km 0.0' while it reports visits."""
    admin = db.session.scalar(
        sa.select(User).where(User.company_id == demo.company_id, User.role == Role.ADMIN)
    )
    flt = kpis.KpiFilter(scope=Scope.of(admin), start=TODAY - timedelta(days=13), end=TODAY)
    rows = kpis.plan_vs_done(flt)
    assert rows
    reps = set(
        db.session.scalars(
            sa.select(User.id).where(User.company_id == demo.company_id, User.role == Role.REP)
        )
    )
    by_day: dict[tuple[int, date], list[Contact]] = {}
    for v in _visits(demo.company_id):
        by_day.setdefault((v.user_id, v.contact_date), []).append(v)
    plans = {
        (p.user_id, p.plan_date): p
        for p in db.session.scalars(sa.select(Plan).where(Plan.company_id == demo.company_id))
    }
    for r in rows:
        plan = plans.get((r.user_id, r.day))
        visits = by_day.get((r.user_id, r.day), [])
        made = [v for v in visits if v.outcome not in (None, Outcome.SKIPPED)]
        assert r.visited == len(made)
        assert r.unplanned == sum(1 for v in made if not v.planned)
        if r.user_id in reps and r.visited > r.unplanned:
            assert plan is not None, "a rep's day with planned visits has its plan"
            assert r.planned == len(plan.stops) > 0
            assert r.km == pytest.approx(plan.total_m / 1000)
            assert r.km > 0
            assert r.skipped == sum(1 for s in plan.stops if s.status == StopStatus.SKIPPED)
            done = sum(1 for s in plan.stops if s.status == StopStatus.DONE)
            assert done == r.visited - r.unplanned
