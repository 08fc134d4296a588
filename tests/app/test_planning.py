"""The routing adapter and the planning service: rows to dataclasses and back."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Appointment, Plan, PlanStatus, PlanStop, StopStatus
from app.services import planning, routing
from optimizer.checker import check_day
from optimizer.model import TimeWindow
from tests.factories import make_contact, make_customer
from tests.support.planning import SPLIT_HOURS, planning_world, score

MONDAY = date(2026, 11, 23)


def test_opening_hours_map_to_service_start_windows() -> None:
    """Tests that two opening intervals become two start windows ending a service early."""
    windows = routing.service_windows(SPLIT_HOURS, 0, 20 * 60)
    assert windows == (
        TimeWindow(8 * 3600, 11 * 3600 + 40 * 60),
        TimeWindow(14 * 3600, 17 * 3600 + 40 * 60),
    )
    assert routing.service_windows(SPLIT_HOURS, 6, 600) == ()
    assert routing.service_windows({"mon": [["08:00", "08:10"]]}, 0, 20 * 60) == ()
    merged = routing.opening_intervals({"tue": [["09:00", "12:00"], ["11:00", "13:00"]]}, 1)
    assert merged == [(9 * 3600, 13 * 3600)]


def test_work_profile_maps_to_rep_day(db_session: object) -> None:
    """Tests that the profile's hours, lunch and places become the solver's day."""
    world = planning_world(reps=1, customers=1, day=MONDAY)
    profile = world.reps[0].work_profile
    profile.lunch_earliest, profile.lunch_latest, profile.lunch_minutes = time(12), time(13), 45
    day = routing.rep_day(profile)
    assert (day.start_s, day.end_s) == (8 * 3600, 18 * 3600)
    assert day.lunch is not None
    assert day.lunch.duration_s == 45 * 60
    assert day.start.lat == profile.start_lat
    with pytest.raises(routing.PlanningError, match="missing_work_profile"):
        routing.rep_day(None)


def test_closed_customer_is_dropped_as_closed_that_day(db_session: object) -> None:
    """Tests that a customer closed on the plan's weekday is dropped with its reason."""
    world = planning_world(reps=1, customers=4, day=MONDAY)
    rep = world.reps[0]
    closed = make_customer(world.company, rep, opening_hours={"sat": [["08:00", "12:00"]]})
    score(closed, MONDAY, 99.0)
    db.session.flush()
    outcome = planning.plan_rep(rep=rep, day=MONDAY, week=False)
    dropped = {d["customer_id"]: d for d in outcome.plan.dropped}
    assert dropped[closed.id]["reason"] == "closed_that_day"
    assert dropped[closed.id]["score"] == 99.0
    assert outcome.plan.status == PlanStatus.PLANNED


def test_plan_is_feasible_and_keeps_appointments(db_session: object) -> None:
    """Tests that the written plan passes the independent checker and keeps the appointment."""
    world = planning_world(reps=1, customers=10, day=MONDAY)
    rep = world.reps[0]
    target = world.customers[rep.id][0]
    db.session.add(
        Appointment(
            company_id=world.company.id,
            user_id=rep.id,
            customer_id=target.id,
            day=MONDAY,
            window_start_s=15 * 3600,
            window_end_s=15 * 3600 + 1800,
        )
    )
    db.session.flush()
    config = routing.load_config(company_id=world.company.id)
    prepared = planning.prepare_rep(rep=rep, day=MONDAY, config=config, week=False)
    outcome = planning.plan_rep(rep=rep, day=MONDAY, week=False)
    plan = outcome.plan
    route = routing.route_from_plan(plan)
    assert check_day(prepared.work.problem, route) == []
    stop = next(s for s in plan.stops if s.customer_id == target.id)
    assert stop.appointment
    assert 15 * 3600 <= stop.start_s <= 15 * 3600 + 1800
    assert [s.seq for s in plan.stops] == list(range(len(plan.stops)))
    assert plan.settings_version == 1
    assert plan.revision == 1


def test_collection_policy_skip_leaves_customer_out(db_session: object) -> None:
    """Tests that 'skip' leaves a collection-flagged customer out and 'allow' keeps it."""
    world = planning_world(reps=1, customers=3, day=MONDAY)
    rep = world.reps[0]
    debtor = make_customer(world.company, rep)
    score(debtor, MONDAY, 95.0, flags=8)
    db.session.flush()
    config = routing.load_config(company_id=world.company.id)
    ids = {c.id for c in routing.build_candidates(rep=rep, day=MONDAY, config=config).candidates}
    assert str(debtor.id) not in ids
    allow = routing.PlanningConfig(company_id=world.company.id, collection_policy="collect_only")
    info = routing.build_candidates(rep=rep, day=MONDAY, config=allow).info
    assert info[str(debtor.id)].purpose == "collect"


def test_customer_not_visited_yesterday_carries_over(db_session: object) -> None:
    """Tests that a customer planned yesterday and not visited is a candidate today."""
    world = planning_world(reps=1, customers=3, day=MONDAY, settings={"candidates_per_day": 2})
    rep = world.reps[0]
    friday = date(2026, 11, 20)
    low = make_customer(world.company, rep)
    visited = make_customer(world.company, rep)
    score(low, MONDAY, 1.0)
    score(visited, MONDAY, 1.0)
    plan = Plan(company_id=world.company.id, user_id=rep.id, plan_date=friday)
    db.session.add(plan)
    db.session.flush()
    for seq, cust in enumerate((low, visited)):
        plan.stops.append(
            PlanStop(seq=seq, customer_id=cust.id, arrival_s=0, start_s=0, departure_s=0)
        )
    make_contact(visited, rep, friday)
    db.session.flush()
    config = routing.load_config(company_id=world.company.id)
    info = routing.build_candidates(rep=rep, day=MONDAY, config=config).info
    assert info[str(low.id)].carried_over
    assert str(visited.id) not in info


def test_week_agenda_saves_draft_days_and_replan_bumps_revision(db_session: object) -> None:
    """Tests that the week's later days are DRAFT plans and a re-plan keeps done stops."""
    world = planning_world(reps=1, customers=12, day=MONDAY)
    rep = world.reps[0]
    outcome = planning.plan_rep(rep=rep, day=MONDAY)
    drafts = db.session.scalars(
        sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date > MONDAY)
    ).all()
    assert outcome.drafts == len(drafts) == 2
    assert all(p.status == PlanStatus.DRAFT for p in drafts)
    plan = outcome.plan
    first = next(s for s in plan.stops if s.kind == "visit")
    first.status = StopStatus.DONE
    db.session.flush()
    result = planning.replan_rest_of_day(plan=plan, now_s=first.departure_s, seconds=0.1)
    assert result.plan.revision == 2
    assert result.plan.status == PlanStatus.STARTED
    assert result.plan.stops[0].customer_id == first.customer_id
    assert str(first.customer_id) in result.diff.visited
    assert str(first.customer_id) not in [str(s.customer_id) for s in result.plan.stops[1:]]


def test_company_osrm_setting_routes_with_osrm(db_session: object) -> None:
    """Tests that a company's OSRM URL makes plans use OSRM's road times (fake server)."""
    from tests.support.osrm_server import running_osrm_server

    with running_osrm_server(speed_mps=5.0) as osrm:
        world = planning_world(
            reps=1, customers=5, day=MONDAY, settings={"osrm_url": osrm.base_url}
        )
        config = routing.load_config(company_id=world.company.id)
        assert config.osrm_url == osrm.base_url
        prepared = planning.prepare_rep(rep=world.reps[0], day=MONDAY, config=config, week=False)
        assert osrm.table_calls >= 1
        outcome = planning.plan_rep(rep=world.reps[0], day=MONDAY, config=config, week=False)
    assert check_day(prepared.work.problem, routing.route_from_plan(outcome.plan)) == []
    legs = [s for s in outcome.plan.stops if s.travel_m > 0]
    assert legs
    assert all(abs(s.travel_s - s.travel_m / 5.0) <= 2 for s in legs)
