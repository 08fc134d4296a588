"""The "Planejamentos" page: who sees which runs and rep lines, and who may re-run."""

from __future__ import annotations

from datetime import date, timedelta

from flask.testing import FlaskClient

from app.extensions import db
from app.models import PlanningRun, PlanningRunRep, Role, RunStatus, utcnow
from tests.factories import make_user, two_teams
from tests.support.web import login, post_form

MONDAY = date(2026, 11, 23)


def _runs(world: dict) -> PlanningRun:
    started = utcnow() - timedelta(minutes=5)
    run = PlanningRun(
        company_id=world["company"].id,
        plan_date=MONDAY,
        status=RunStatus.PARTIAL,
        started_at=started,
        finished_at=started + timedelta(seconds=95),
        counts={"reps_planned": 1, "reps_failed": 1, "stops": 23},
    )
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        [
            PlanningRunRep(
                run_id=run.id, user_id=world["rep1"].id, status="planned", stops=23, duration_ms=900
            ),
            PlanningRunRep(
                run_id=run.id,
                user_id=world["rep2"].id,
                status="failed",
                error="missing_work_profile",
            ),
        ]
    )
    other = PlanningRun(
        company_id=world["other_company"].id,
        plan_date=MONDAY,
        status=RunStatus.FAILED,
        error="other company's secret",
    )
    db.session.add(other)
    db.session.flush()
    return run


def test_admin_sees_every_rep_line_and_the_rerun_form(
    client: FlaskClient, db_session: object
) -> None:
    """Tests that an admin sees the run, both reps' lines (failure in words) and the re-run form."""
    world = two_teams()
    _runs(world)
    login(client, world["admin"].email)
    page = client.get("/planejamentos/").get_data(as_text=True)
    assert world["rep1"].name in page
    assert world["rep2"].name in page
    assert "replanejar" in page
    assert "other company" not in page
    assert "23/11/2026" in page
    assert "Planejamentos" in page
    assert "Sem perfil de trabalho" in page


def test_supervisor_sees_only_the_team_lines_and_no_rerun(
    client: FlaskClient, db_session: object
) -> None:
    """Tests that a supervisor sees the run but only the rep lines of the own team."""
    world = two_teams()
    _runs(world)
    login(client, world["sup1"].email)
    page = client.get("/planejamentos/").get_data(as_text=True)
    assert world["rep1"].name in page
    assert world["rep2"].name not in page
    assert "replanejar" not in page
    assert post_form(client, "/planejamentos/replanejar", {"day": "2026-11-24"}).status_code == 403


def test_reps_and_telesales_cannot_see_runs(client: FlaskClient, db_session: object) -> None:
    """Tests that field reps and telesales get 403 on the runs page."""
    world = two_teams()
    for user in (world["rep1"], world["tel1"]):
        client.delete_cookie("session")
        login(client, user.email)
        assert client.get("/planejamentos/").status_code == 403


def test_admin_of_another_company_does_not_see_runs(
    client: FlaskClient, db_session: object
) -> None:
    """Tests that runs are scoped to the viewer's company."""
    world = two_teams()
    _runs(world)
    admin = make_user(world["other_company"], Role.ADMIN)
    login(client, admin.email)
    page = client.get("/planejamentos/").get_data(as_text=True)
    assert world["rep1"].name not in page
    assert "other company&#39;s secret" in page or "other company's secret" in page
