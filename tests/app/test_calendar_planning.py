"""Planning follows the calendar: Saturday workers get Saturday routes, days off get none.

Every test starts from a company created from scratch (`flask company create`'s service,
people created under the admin pages' rules), never from the demo, and plans through
`flask plan`, the same path as the nightly run.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from app.extensions import db
from app.jobs import scheduler as jobs_scheduler
from app.models import Plan, PlanningRun, PlanningRunRep, PlanStatus, TimeOffKind
from app.services import companies, people
from app.services.work_calendar import DayOff, OffReason
from tests.support.scratch import MON_FRI, MON_SAT, scratch_company
from tests.support.web import login

SATURDAY = date(2026, 12, 5)
MONDAY = date(2026, 12, 7)
TUESDAY = date(2026, 12, 8)
WEDNESDAY = date(2026, 12, 9)
SP_REVOLUTION = date(2026, 7, 9)  # Thursday; a holiday in São Paulo state only


def _plan(runner, company_id: int, day: date) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=[
            "plan",
            "--date",
            day.isoformat(),
            "--company",
            str(company_id),
            "--executor",
            "inline",
        ]
    )
    assert result.exit_code == 0, result.output
    return result.output


def _route(user_id: int, day: date) -> Plan | None:
    return db.session.scalar(sa.select(Plan).where(Plan.user_id == user_id, Plan.plan_date == day))


def _line(company_id: int, user_id: int, day: date) -> PlanningRunRep:
    run = db.session.scalar(
        sa.select(PlanningRun)
        .where(PlanningRun.company_id == company_id, PlanningRun.plan_date == day)
        .order_by(PlanningRun.id.desc())
        .limit(1)
    )
    assert run is not None
    line = db.session.scalar(
        sa.select(PlanningRunRep).where(
            PlanningRunRep.run_id == run.id, PlanningRunRep.user_id == user_id
        )
    )
    assert line is not None
    return line


def _visits(plan: Plan) -> list[int]:
    return [s.customer_id for s in plan.stops if s.kind == "visit"]


def test_saturday_worker_gets_a_saturday_route(runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that `flask plan` on a Saturday routes the rep who works Saturdays and
    skips the other."""
    world = scratch_company(reps={"semana": MON_FRI, "sabado": MON_SAT})
    weekday, saturday = world.reps["semana"], world.reps["sabado"]
    output = _plan(runner, world.company.id, SATURDAY)
    assert "1 planejados" in output
    plan = _route(saturday.id, SATURDAY)
    assert plan is not None
    assert plan.status == PlanStatus.PLANNED
    visits = _visits(plan)
    assert visits, "a Saturday worker with open customers gets visits"
    assert set(visits) <= {c.id for c in world.customers[saturday.id]}
    assert all(s.departure_s <= 13 * 3600 for s in plan.stops if s.kind == "visit"), (
        "Saturday hours close at 13:00"
    )
    assert _route(weekday.id, SATURDAY) is None
    line = _line(world.company.id, weekday.id, SATURDAY)
    assert line.status == "skipped"
    assert DayOff.from_code(line.error).reason == OffReason.NOT_A_WORKING_WEEKDAY
    weekday_run = _plan(runner, world.company.id, MONDAY)
    assert "2 planejados" in weekday_run
    assert _visits(_route(weekday.id, MONDAY))


def test_state_holiday_and_company_day_off_get_no_route(runner, client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a holiday of the company's state and a company day off plan nobody,
    with the reason."""
    sao_paulo = scratch_company(state="SP", reps={"a": MON_FRI}, seed=5)
    rio = scratch_company(state="RJ", reps={"b": MON_FRI}, seed=6)
    _plan(runner, sao_paulo.company.id, SP_REVOLUTION)
    _plan(runner, rio.company.id, SP_REVOLUTION)
    assert _route(sao_paulo.reps["a"].id, SP_REVOLUTION) is None
    line = _line(sao_paulo.company.id, sao_paulo.reps["a"].id, SP_REVOLUTION)
    assert DayOff.from_code(line.error).reason == OffReason.STATE_HOLIDAY
    assert _route(rio.reps["b"].id, SP_REVOLUTION) is not None, "9 July is a working day in Rio"

    _plan(runner, sao_paulo.company.id, TUESDAY)
    assert _route(sao_paulo.reps["a"].id, TUESDAY) is not None
    companies.add_day_off(
        actor=sao_paulo.admin,
        company_id=sao_paulo.company.id,
        first_day=TUESDAY,
        last_day=None,
        name="Aniversário da cidade",
    )
    assert _route(sao_paulo.reps["a"].id, TUESDAY) is None, (
        "adding the day off removes the route not started"
    )
    _plan(runner, sao_paulo.company.id, TUESDAY)
    assert _route(sao_paulo.reps["a"].id, TUESDAY) is None
    line = _line(sao_paulo.company.id, sao_paulo.reps["a"].id, TUESDAY)
    assert line.error == f"company_day_off:{TUESDAY.isoformat()}:Aniversário da cidade"
    login(client, sao_paulo.admin.email)
    runs_page = client.get("/planejamentos/").get_data(as_text=True)
    assert "Folga da empresa: Aniversário da cidade" in runs_page
    assert "Feriado: Revolução Constitucionalista" in runs_page


def test_time_off_gets_no_route_and_the_agenda_skips_it(runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a rep on vacation gets no route that day and no draft in the week agenda."""
    world = scratch_company(reps={"ferias": MON_FRI, "outro": MON_FRI}, seed=8)
    away, other = world.reps["ferias"], world.reps["outro"]
    people.add_time_off(
        actor=world.admin,
        user=away,
        first_day=WEDNESDAY,
        last_day=WEDNESDAY,
        kind=TimeOffKind.VACATION,
    )
    _plan(runner, world.company.id, MONDAY)
    drafts = {
        p.plan_date for p in db.session.scalars(sa.select(Plan).where(Plan.user_id == away.id))
    }
    assert MONDAY in drafts
    assert WEDNESDAY not in drafts, "the week agenda skips the day of vacation"
    assert TUESDAY in drafts
    other_days = {
        p.plan_date for p in db.session.scalars(sa.select(Plan).where(Plan.user_id == other.id))
    }
    assert WEDNESDAY in other_days
    _plan(runner, world.company.id, WEDNESDAY)
    assert _route(away.id, WEDNESDAY) is None
    assert (
        _line(world.company.id, away.id, WEDNESDAY).error
        == f"time_off:{WEDNESDAY.isoformat()}:vacation"
    )
    assert _route(other.id, WEDNESDAY) is not None


def test_time_off_added_later_removes_the_planned_route(runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that sick leave recorded after planning removes the route nobody started."""
    world = scratch_company(reps={"doente": MON_FRI}, seed=9)
    rep = world.reps["doente"]
    _plan(runner, world.company.id, MONDAY)
    assert _route(rep.id, MONDAY) is not None
    people.add_time_off(
        actor=world.admin, user=rep, first_day=MONDAY, last_day=TUESDAY, kind="sick_leave"
    )
    assert _route(rep.id, MONDAY) is None
    assert _route(rep.id, TUESDAY) is None


def test_nightly_cron_fires_every_day_and_plans_only_working_days(app, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that the cron has no weekday filter and its body skips a day nobody works."""
    world = scratch_company(reps={"semana": MON_FRI}, seed=11)
    scheduler = BackgroundScheduler(timezone=ZoneInfo("America/Sao_Paulo"))
    jobs_scheduler.register_jobs(scheduler, app)
    job = scheduler.get_job(f"nightly:{world.company.id}")
    assert job is not None
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert fields["day_of_week"] == "*"
    saturday_2am = datetime(2026, 12, 5, 2, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert job.trigger.get_next_fire_time(None, saturday_2am) == saturday_2am
