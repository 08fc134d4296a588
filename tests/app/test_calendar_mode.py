"""The nightly run in ``calendar`` mode: the calendar's customers first, urgent extras after.

Companies are built from plain rows (no demo): reps with scored customers near the centre,
settings with ``nightly_mode: calendar`` and tiny solver budgets.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.jobs import pipeline
from app.models import (
    CalendarTrigger,
    Contact,
    ContactKind,
    Plan,
    PlanStatus,
    RunStatus,
)
from app.services import routing
from app.services import visit_calendars as vc
from app.services.planning import calendar_candidates
from app.services.planning.calendar_candidates import DayCalendar
from app.services.routing import CustomerFacts, PlanningConfig, ScoreFacts
from optimizer.scoring.flags import COLLECTION, SERVICE_GAP
from tests.factories import make_customer
from tests.support.planning import BASE, planning_world, score

MONDAY = date(2026, 11, 23)
CALENDAR = {"nightly_mode": "calendar", "calendar_seconds": 2.0, "plan_horizon_days": 3}


def _facts(cid: int) -> CustomerFacts:
    return CustomerFacts(cid, BASE[0], BASE[1], {}, 20, 14, 0b11111)


def _ranked(calendar: DayCalendar, scores: dict[int, ScoreFacts], **config: object):  # type: ignore[no-untyped-def]
    customers = [_facts(cid) for cid in range(1, 9)]
    cfg = PlanningConfig(company_id=1, nightly_mode="calendar", **config)  # type: ignore[arg-type]
    return calendar_candidates.ranked(customers, scores, cfg, set(), set(), calendar)


def test_core_customers_outweigh_every_extra() -> None:
    """Tests that the day's calendar customers come first with a prize above all extras
    together, and that only urgent customers outside the calendar are extras."""
    scores = {
        1: ScoreFacts(5.0, 0),  # regular today, low score
        2: ScoreFacts(10.0, 0),  # missed on its regular day last week
        3: ScoreFacts(90.0, SERVICE_GAP),  # urgent, not today
        4: ScoreFacts(80.0, 0),  # high score but not urgent and not today: waits its day
        5: ScoreFacts(70.0, 0),  # not in the calendar at all (new): an extra
        6: ScoreFacts(60.0, COLLECTION),  # collection under "skip": out
    }
    calendar = DayCalendar(
        regular=frozenset({1}), missed=frozenset({2}), scheduled=frozenset({1, 2, 3, 4, 6})
    )
    chosen = _ranked(calendar, scores)
    ids = [c.id for c, _info in chosen]
    assert ids[:2] == [2, 1]  # the missed one carries its urgency (boosted score)
    assert set(ids[2:]) == {3, 5}
    info = {c.id: meta for c, meta in chosen}
    extras_total = info[3].routing_prize + info[5].routing_prize
    assert min(info[1].routing_prize, info[2].routing_prize) > extras_total
    assert info[1].regular
    assert not info[3].regular
    assert info[1].score == 5.0  # the plan shows the customer's own score
    assert info[2].carried_over


def test_extras_fill_only_the_budget_left() -> None:
    """Tests that extras stop at the day's candidate budget, core customers always kept."""
    scores = {cid: ScoreFacts(float(cid * 10), SERVICE_GAP) for cid in range(1, 9)}
    calendar = DayCalendar(regular=frozenset({1, 2}), scheduled=frozenset(range(1, 9)))
    chosen = _ranked(calendar, scores, candidates_per_day=4)
    ids = [c.id for c, _info in chosen]
    assert ids == [2, 1, 8, 7]


def _settings_world(customers: int = 10):  # type: ignore[no-untyped-def]
    return planning_world(reps=2, customers=customers, day=MONDAY, settings=CALENDAR)


def _run(company_id: int, day: date = MONDAY) -> pipeline.RunSummary:
    options = pipeline.RunOptions(company_id=company_id, plan_date=day, score=False)
    return pipeline.run_company(options)


def _visits(rep_id: int, day: date = MONDAY) -> set[int]:
    plan = db.session.scalar(sa.select(Plan).where(Plan.user_id == rep_id, Plan.plan_date == day))
    assert plan is not None
    return {s.customer_id for s in plan.stops if s.kind == "visit"}


def test_nightly_computes_missing_calendars_and_routes_the_days_customers(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that the first calendar-mode run computes each rep's calendar, routes the
    customers whose regular day it is, and writes no score-driven drafts for later days."""
    world = _settings_world()
    summary = _run(world.company.id)
    assert summary.status == RunStatus.SUCCEEDED
    assert summary.counts["calendars_computed"] == 2
    for rep in world.reps:
        calendar = vc.calendar_for(rep_id=rep.id)
        assert calendar is not None
        assert not calendar.stale
        assert len(calendar.slots) == 10
        regular = set(vc.customers_on(rep_id=rep.id, day=MONDAY))
        assert regular <= _visits(rep.id)
        drafts = db.session.scalars(
            sa.select(Plan).where(Plan.user_id == rep.id, Plan.status == PlanStatus.DRAFT)
        ).all()
        assert drafts == []


def test_nightly_recomputes_only_stale_calendars(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that the next night reads stored calendars, and that a cadence change on one
    rep's customer makes that rep's calendar (only) recomputed, with the portfolio reason."""
    world = _settings_world(customers=6)
    _run(world.company.id)
    tuesday = MONDAY + timedelta(days=1)
    for rep in world.reps:
        for cust in world.customers[rep.id]:
            score(cust, tuesday, 30.0)
    db.session.flush()
    assert _run(world.company.id, tuesday).counts["calendars_computed"] == 0
    first, _second = world.reps
    world.customers[first.id][0].visit_frequency_days = 30
    db.session.flush()
    wednesday = tuesday + timedelta(days=1)
    summary = _run(world.company.id, wednesday)
    assert summary.counts["calendars_computed"] == 1
    calendar = vc.calendar_for(rep_id=first.id)
    assert calendar is not None
    assert calendar.trigger == CalendarTrigger.PORTFOLIO
    slot = vc.slot_for_customer(customer_id=world.customers[first.id][0].id)
    assert slot is not None
    assert len(slot.week_list) == 1  # monthly now


def test_a_skipped_calendar_customer_comes_back_the_next_day(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a calendar customer not visited on its regular day is a core candidate
    the following day, and not once it was visited."""
    world = _settings_world(customers=6)
    rep = world.reps[0]
    vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=2.0)
    calendar = vc.calendar_for(rep_id=rep.id)
    assert calendar is not None
    calendar.computed_at = datetime(2026, 11, 1, 12, tzinfo=calendar.created_at.tzinfo)
    slot = calendar.slots[0]
    regular_day = calendar.cycle_start + timedelta(days=7 * slot.week_list[0] + slot.weekday)
    while regular_day < MONDAY:
        regular_day += timedelta(days=28)
    next_day = regular_day + timedelta(days=1)
    days = calendar_candidates.day_calendars(
        company_id=world.company.id, day=next_day, last_visits={}
    )
    assert slot.customer_id in days[rep.id].missed
    db.session.add(
        Contact(
            company_id=world.company.id,
            customer_id=slot.customer_id,
            user_id=rep.id,
            kind=ContactKind.VISIT,
            contact_date=regular_day,
        )
    )
    db.session.flush()
    days = calendar_candidates.day_calendars(
        company_id=world.company.id, day=next_day, last_visits={slot.customer_id: regular_day}
    )
    assert slot.customer_id not in days[rep.id].missed


def test_score_mode_ignores_stored_calendars(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that in score mode (the default) the run computes no calendar and plans the
    best scores, as before."""
    world = planning_world(reps=1, customers=6, day=MONDAY)
    rep = world.reps[0]
    summary = _run(world.company.id)
    assert summary.counts["calendars_computed"] == 0
    assert vc.calendar_for(rep_id=rep.id) is None
    config = routing.load_config(company_id=world.company.id)
    assert config.nightly_mode == "score"


def test_a_new_customer_is_an_extra_until_the_calendar_is_recomputed(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a customer added after the calendar was computed can still be planned by
    score (it is not in any slot yet) and marks the calendar stale."""
    world = _settings_world(customers=4)
    rep = world.reps[0]
    vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=2.0)
    newcomer = make_customer(
        world.company, rep, latitude=BASE[0] + 0.001, longitude=BASE[1], service_minutes=20
    )
    score(newcomer, MONDAY, 95.0)
    db.session.flush()
    calendar = vc.calendar_for(rep_id=rep.id)
    assert calendar is not None
    db.session.refresh(calendar)
    assert calendar.stale
    days = calendar_candidates.day_calendars(
        company_id=world.company.id, day=MONDAY, last_visits={}
    )
    assert newcomer.id not in days[rep.id].scheduled


def test_a_replan_keeps_the_calendar_customers_first() -> None:
    """Tests that re-planning in calendar mode gives the day's regular customers a prize
    above all the others together, appointments untouched."""
    from optimizer.model import Candidate, Location, TimeWindow

    window = (TimeWindow(8 * 3600, 17 * 3600),)
    here = Location(*BASE)
    cands = {
        "1": Candidate("1", here, 5.0, 1200, window),
        "2": Candidate("2", here, 50.0, 1200, window),
        "3": Candidate("3", here, 40.0, 1200, window),
        "4": Candidate("4", here, 0.0, 1200, window, appointment=True),
    }
    info = {
        "1": routing.CandidateInfo(1, 5.0),
        "2": routing.CandidateInfo(2, 50.0),
        "3": routing.CandidateInfo(3, 40.0),
        "4": routing.CandidateInfo(4, 0.0, "appointment"),
    }
    out, meta = calendar_candidates.calendar_first(cands, info, {1, 4})
    assert out["1"].prize > out["2"].prize + out["3"].prize
    assert meta["1"].regular
    assert meta["1"].score == 5.0
    assert out["4"] == cands["4"]
    assert out["2"] == cands["2"]
