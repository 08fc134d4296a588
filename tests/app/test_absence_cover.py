"""Absence cover service: must-do visits of an absent rep proposed to the others, edited, applied.

Runs on SQLite and PostgreSQL. A small team: three reps with planned days, one of them away on a
Wednesday with an appointment, a collection case, a rescue case and ordinary customers; a
telesales seat.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AbsenceCover,
    Appointment,
    AuditLog,
    CompanySettings,
    CoverAction,
    CoverKind,
    CoverStatus,
    Plan,
    Role,
    ScoreSnapshot,
    User,
)
from app.security.scope import Scope
from app.services import absence_cover, people, planning, routing, telesales, visits
from app.services.clock import DEFAULT_TZ
from app.services.visit_input import VisitInput
from optimizer.scoring.flags import COLLECTION, FIELD_REACTIVATION
from tests.factories import make_customer, make_team, make_user
from tests.support.planning import PlanningWorld, planning_world

DAY = date(2026, 12, 2)  # a Wednesday
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=DEFAULT_TZ)


def _set_score(customer, total: float, flags: int = 0, purpose: str | None = None) -> None:  # type: ignore[no-untyped-def]
    snap = db.session.scalar(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.customer_id == customer.id, ScoreSnapshot.score_date == DAY
        )
    )
    assert snap is not None
    snap.total, snap.flags, snap.purpose = total, flags, purpose


@pytest.fixture
def world(db_session) -> PlanningWorld:  # type: ignore[no-untyped-def]
    """Three reps; the first is away on DAY. His customers: 0 collection, 1 rescue case for the
    field (no phone), 2 an appointment, the others ordinary."""
    w = planning_world(reps=3, customers=6, day=DAY, seed=7)
    row = db.session.scalar(
        sa.select(CompanySettings).where(CompanySettings.company_id == w.company.id)
    )
    row.policies = {**row.policies, "collection_policy": "collect_only"}
    absent = w.reps[0]
    mine = w.customers[absent.id]
    for cust in mine:
        cust.phone = "11 99999-0000"
    mine[1].phone = None
    _set_score(mine[0], 30.0, COLLECTION)
    _set_score(mine[1], 40.0, FIELD_REACTIVATION, "reactivation")
    db.session.add(
        Appointment(
            company_id=w.company.id,
            user_id=absent.id,
            customer_id=mine[2].id,
            day=DAY,
            window_start_s=14 * 3600,
            window_end_s=15 * 3600,
        )
    )
    seat = make_user(w.company, Role.TELESALES)
    seat.team_id = absent.team_id
    db.session.flush()
    for rep in w.reps[1:]:
        planning.plan_rep(rep=rep, day=DAY, week=False)
    people.add_time_off(
        actor=w.supervisor, user=absent, first_day=DAY, last_day=DAY, kind="sick_leave"
    )
    db.session.flush()
    return w


def _propose(w: PlanningWorld, **kw) -> AbsenceCover:  # type: ignore[no-untyped-def]
    assert w.supervisor is not None
    return absence_cover.propose(
        actor=w.supervisor,
        scope=Scope.of(w.supervisor),
        absent=w.reps[0],
        day=DAY,
        now=NOW,
        seconds=0.3,
        **kw,
    )


def test_the_must_do_visits_are_proposed_to_the_other_reps(world: PlanningWorld) -> None:
    cover = _propose(world, urgent_count=2, phone_capacity=5)
    kinds = {line.customer_id: line.kind for line in cover.lines}
    mine = world.customers[world.reps[0].id]
    assert kinds[mine[0].id] == CoverKind.COLLECTION
    assert kinds[mine[1].id] == CoverKind.RESCUE
    assert kinds[mine[2].id] == CoverKind.APPOINTMENT
    assert sum(1 for k in kinds.values() if k == CoverKind.URGENT) == 2
    others = {r.id for r in world.reps[1:]}
    for line in cover.lines:
        assert line.action in (CoverAction.VISIT, CoverAction.CALL, CoverAction.UNPLACED)
        if line.action == CoverAction.VISIT:
            assert line.receiver_id in others
            assert str(line.receiver_id) in cover.receivers
        if line.kind == CoverKind.APPOINTMENT and line.action == CoverAction.VISIT:
            assert 14 * 3600 <= (line.start_s or 0) <= 15 * 3600
    assert any(line.action == CoverAction.VISIT for line in cover.lines)
    for data in cover.receivers.values():
        assert data["added_m"] >= 0
        assert data["added_s"] > 0


def test_edits_are_followed_and_apply_writes_plans_appointment_and_call_list(
    world: PlanningWorld,
) -> None:
    target = world.reps[2]
    before = db.session.scalar(
        sa.select(Plan).where(Plan.user_id == target.id, Plan.plan_date == DAY)
    )
    assert before is not None
    pinned = next(s for s in before.stops if s.customer_id is not None)
    pinned.pinned = True
    pinned_customer = pinned.customer_id
    db.session.flush()
    cover = _propose(world, urgent_count=3, phone_capacity=5)
    sup = world.supervisor
    assert sup is not None
    scope = Scope.of(sup)
    mine = world.customers[world.reps[0].id]
    by_customer = {line.customer_id: line for line in cover.lines}
    appt_line = by_customer[mine[2].id]
    absence_cover.edit_line(
        actor=sup,
        scope=scope,
        cover=cover,
        line_id=appt_line.id,
        target=f"user:{target.id}",
        now=NOW,
        seconds=0.3,
    )
    urgent = next(line for line in cover.lines if line.kind == CoverKind.URGENT)
    absence_cover.edit_line(
        actor=sup,
        scope=scope,
        cover=cover,
        line_id=urgent.id,
        target="phone",
        now=NOW,
        seconds=0.3,
    )
    collection = by_customer[mine[0].id]
    absence_cover.edit_line(
        actor=sup,
        scope=scope,
        cover=cover,
        line_id=collection.id,
        target="removed",
        now=NOW,
        seconds=0.3,
    )
    assert appt_line.action == CoverAction.VISIT
    assert appt_line.receiver_id == target.id
    assert urgent.action == CoverAction.CALL
    assert collection.action == CoverAction.REMOVED
    with pytest.raises(absence_cover.CoverError, match="not_by_phone"):
        absence_cover.edit_line(
            actor=sup, scope=scope, cover=cover, line_id=appt_line.id, target="phone", now=NOW
        )

    absence_cover.apply(actor=sup, cover=cover, now=NOW)
    assert cover.status == CoverStatus.APPLIED
    plan = db.session.scalar(
        sa.select(Plan).where(Plan.user_id == target.id, Plan.plan_date == DAY)
    )
    assert plan is not None
    assert plan.source == "cover"
    stops = {s.customer_id: s for s in plan.stops}
    assert stops[pinned_customer].pinned is True  # the rep's pin survives the cover
    assert stops[mine[2].id].appointment is True
    assert 14 * 3600 <= stops[mine[2].id].start_s <= 15 * 3600
    appt = db.session.scalar(sa.select(Appointment).where(Appointment.customer_id == mine[2].id))
    assert appt is not None
    assert appt.user_id == target.id  # the appointment changed hands
    assert mine[0].id not in {s.customer_id for p in _plans() for s in p.stops}

    seat = db.session.scalar(sa.select(User).where(User.role == Role.TELESALES))
    assert seat is not None
    calls = telesales.get_call_list(seat=seat, day=DAY, now=NOW.replace(day=2, hour=9))
    row = next(r for r in calls.rows if r.customer.id == urgent.customer_id)
    assert row.cover_for == world.reps[0].name
    # the night's plan of that day keeps the covered visits
    covered = {line.customer_id for line in cover.lines if line.action == CoverAction.VISIT}
    for rep in world.reps[1:]:
        cands = routing.build_candidates(
            rep=rep, day=DAY, config=routing.load_config(company_id=rep.company_id)
        )
        mine_now = {c.customer_id for c in cands.info.values()}
        assert covered & set(routing.covered_customers(rep=rep, day=DAY)) <= mine_now
    actions = set(
        db.session.scalars(
            sa.select(AuditLog.action).where(AuditLog.target == f"absence_cover:{cover.id}")
        )
    )
    assert actions == {"absence_cover.propose", "absence_cover.edit", "absence_cover.apply"}
    with pytest.raises(absence_cover.CoverError, match="not_proposed"):
        absence_cover.apply(actor=sup, cover=cover, now=NOW)


def _plans() -> list[Plan]:
    return list(db.session.scalars(sa.select(Plan).where(Plan.plan_date == DAY)))


def test_apply_is_refused_when_a_receiving_plan_changed(world: PlanningWorld) -> None:
    cover = _propose(world, urgent_count=3, phone_capacity=0)
    receiver = int(next(k for k in cover.receivers if k != "rigid"))
    plan = db.session.scalar(sa.select(Plan).where(Plan.user_id == receiver, Plan.plan_date == DAY))
    assert plan is not None
    plan.revision += 1
    assert world.supervisor is not None
    with pytest.raises(absence_cover.CoverError, match="plan_changed"):
        absence_cover.apply(actor=world.supervisor, cover=cover, now=NOW)


def test_only_an_absent_rep_in_scope_and_a_coming_day(world: PlanningWorld) -> None:
    assert world.supervisor is not None
    with pytest.raises(absence_cover.CoverError, match="not_absent"):
        absence_cover.propose(
            actor=world.supervisor,
            scope=Scope.of(world.supervisor),
            absent=world.reps[1],
            day=DAY,
            now=NOW,
        )
    with pytest.raises(absence_cover.CoverError, match="past_day"):
        absence_cover.propose(
            actor=world.supervisor,
            scope=Scope.of(world.supervisor),
            absent=world.reps[0],
            day=DAY,
            now=NOW.replace(day=3),
        )
    other = make_user(world.company, Role.SUPERVISOR, make_team(world.company))
    with pytest.raises(absence_cover.CoverError, match="not_in_scope"):
        absence_cover.propose(
            actor=other, scope=Scope.of(other), absent=world.reps[0], day=DAY, now=NOW
        )
    days = absence_cover.absent_days(scope=Scope.of(world.supervisor), today=NOW.date())
    assert [(d.rep.id, d.day) for d in days] == [(world.reps[0].id, DAY)]
    assert absence_cover.absent_days(scope=Scope.of(other), today=NOW.date()) == []


def test_a_new_proposal_sets_the_previous_one_aside(world: PlanningWorld) -> None:
    first = _propose(world, urgent_count=1, phone_capacity=0)
    second = _propose(world, urgent_count=2, phone_capacity=0)
    assert first.status == CoverStatus.DISCARDED
    assert second.status == CoverStatus.PROPOSED
    days = absence_cover.absent_days(scope=Scope.of(world.supervisor), today=NOW.date())  # type: ignore[arg-type]
    assert days[0].cover is second


def test_the_covering_rep_checks_in_at_his_covered_customers_only(world: PlanningWorld) -> None:
    cover = _propose(world, urgent_count=4, phone_capacity=0)
    assert world.supervisor is not None
    absence_cover.apply(actor=world.supervisor, cover=cover, now=NOW)
    line = next(ln for ln in cover.lines if ln.action == CoverAction.VISIT)
    rep = db.session.get(User, line.receiver_id)
    assert rep is not None
    plan = db.session.scalar(sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == DAY))
    stop = next(s for s in plan.stops if s.customer_id == line.customer_id)  # type: ignore[union-attr]
    at = datetime.combine(DAY, time(10), tzinfo=DEFAULT_TZ)
    contact, created = visits.record_visit(
        scope=Scope.of(rep),
        visit=VisitInput(uuid.uuid4(), "check_in", line.customer_id, stop_id=stop.id, at=at),
        now=at,
    )
    assert created
    assert contact.plan_stop_id == stop.id
    stranger = make_customer(world.company, world.reps[0])  # the absent rep's, not covered
    with pytest.raises(visits.NotInScope):
        visits.record_visit(
            scope=Scope.of(rep),
            visit=VisitInput(uuid.uuid4(), "check_in", stranger.id, at=at),
            now=at,
        )
