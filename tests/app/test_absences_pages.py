"""Absences pages: mark a rep away, propose, edit, apply; authorisation by role and team.

Runs on SQLite and PostgreSQL with the wall clock at 15h São Paulo the day before.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import AbsenceCover, AuditLog, CoverStatus, Plan, Role, TimeOff
from tests.app.test_absence_cover import DAY, NOW, world  # noqa: F401  (fixture)
from tests.factories import make_team, make_user
from tests.support.planning import PlanningWorld
from tests.support.web import csrf_from, login

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=True):
        yield


def _post(client, page: str, url: str, data: dict) -> object:  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_supervisor_marks_away_proposes_edits_and_applies(client, world: PlanningWorld) -> None:  # noqa: F811
    assert world.supervisor is not None
    login(client, world.supervisor.email)
    page = client.get("/supervisor/ausencias/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-absent-day="{DAY.isoformat()}"' in html
    # mark another rep away for the same day, through the form
    other = world.reps[1]
    res = _post(
        client,
        "/supervisor/ausencias/",
        "/supervisor/ausencias/marcar",
        {
            "rep_id": other.id,
            "first_day": "2026-12-03",
            "last_day": "2026-12-03",
            "kind": "vacation",
        },
    )
    assert res.status_code == 302
    assert db.session.scalar(sa.select(TimeOff).where(TimeOff.user_id == other.id)) is not None
    bad = _post(
        client,
        "/supervisor/ausencias/",
        "/supervisor/ausencias/marcar",
        {
            "rep_id": other.id,
            "first_day": "2026-12-05",
            "last_day": "2026-12-04",
            "kind": "vacation",
        },
    )
    assert bad.status_code == 200
    assert "field-error" in bad.get_data(as_text=True)

    res = _post(
        client,
        "/supervisor/ausencias/",
        "/supervisor/ausencias/propor",
        {
            "rep_id": world.reps[0].id,
            "day": DAY.isoformat(),
            "urgent_count": 3,
            "phone_capacity": 4,
            "max_added": 4,
        },
    )
    assert res.status_code == 302
    cover = db.session.scalar(sa.select(AbsenceCover).order_by(AbsenceCover.id.desc()))
    assert cover is not None
    show = client.get(res.headers["Location"])
    html = show.get_data(as_text=True)
    assert 'data-cover-status="proposed"' in html
    assert "data-receiver=" in html
    line = cover.lines[0]
    res = _post(
        client,
        f"/supervisor/ausencias/{cover.id}",
        f"/supervisor/ausencias/{cover.id}/linhas/{line.id}",
        {f"l{line.id}-target": "removed"},
    )
    assert res.status_code == 302
    html = client.get(f"/supervisor/ausencias/{cover.id}").get_data(as_text=True)
    assert re.search(rf'data-line="{line.customer_id}" data-action="removed"', html)

    res = _post(
        client, f"/supervisor/ausencias/{cover.id}", f"/supervisor/ausencias/{cover.id}/aplicar", {}
    )
    assert res.status_code == 302
    db.session.expire_all()
    cover = db.session.get(AbsenceCover, cover.id)
    assert cover.status == CoverStatus.APPLIED
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(Plan).where(Plan.source == "cover")
    )
    html = client.get(f"/supervisor/ausencias/{cover.id}").get_data(as_text=True)
    assert 'data-cover-status="applied"' in html
    assert "data-apply" not in html
    assert db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditLog)
        .where(AuditLog.action == "absence_cover.apply")
    )


@pytest.mark.parametrize("role", [Role.REP, Role.TELESALES])
def test_reps_and_seats_are_kept_out(client, world: PlanningWorld, role: Role) -> None:  # noqa: F811
    user = world.reps[1] if role == Role.REP else make_user(world.company, Role.TELESALES)
    login(client, user.email)
    assert client.get("/supervisor/ausencias/").status_code == 403
    cover_page = client.post("/supervisor/ausencias/propor", data={})
    assert cover_page.status_code in (400, 403)


def test_another_team_sees_nothing_of_it(client, world: PlanningWorld) -> None:  # noqa: F811
    assert world.supervisor is not None
    login(client, world.supervisor.email)
    res = _post(
        client,
        "/supervisor/ausencias/",
        "/supervisor/ausencias/propor",
        {
            "rep_id": world.reps[0].id,
            "day": DAY.isoformat(),
            "urgent_count": 2,
            "phone_capacity": 0,
            "max_added": 4,
        },
    )
    cover_url = res.headers["Location"]
    stranger = make_user(world.company, Role.SUPERVISOR, make_team(world.company))
    db.session.flush()
    other = client.application.test_client()
    login(other, stranger.email)
    assert other.get(cover_url).status_code == 404
    html = other.get("/supervisor/ausencias/").get_data(as_text=True)
    assert "data-absent-day" not in html
    res = _post(
        other,
        "/supervisor/ausencias/",
        "/supervisor/ausencias/propor",
        {
            "rep_id": world.reps[0].id,
            "day": DAY.isoformat(),
            "urgent_count": 2,
            "phone_capacity": 0,
            "max_added": 4,
        },
    )
    assert res.status_code == 404


def test_admin_covers_any_team(client, world: PlanningWorld) -> None:  # noqa: F811
    assert world.admin is not None
    login(client, world.admin.email)
    res = _post(
        client,
        "/supervisor/ausencias/",
        "/supervisor/ausencias/propor",
        {
            "rep_id": world.reps[0].id,
            "day": DAY.isoformat(),
            "urgent_count": 2,
            "phone_capacity": 0,
            "max_added": 4,
        },
    )
    assert res.status_code == 302
    assert client.get(res.headers["Location"]).status_code == 200
