"""Changing and removing time off from the absences page (issue 17, item 2).

The world of ``tests/app/test_absence_cover.py`` (rep 0 away on Wednesday DAY, the clock on the
Tuesday afternoon), on SQLite and PostgreSQL: days newly off lose their routes not started,
days no longer off lose their cover proposal (which can no longer be applied), an applied
cover refuses the removal, every change is audited, and only the team's supervisor or the
company's admin reaches the pages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import AbsenceCover, AuditLog, CoverStatus, Plan, Role, TimeOff
from app.security.scope import Scope
from app.services import absence_cover, planning
from tests.app.test_absence_cover import DAY, NOW, world  # noqa: F401  (fixture)
from tests.factories import make_team, make_user
from tests.support.planning import PlanningWorld
from tests.support.web import csrf_from, login

pytestmark = pytest.mark.usefixtures("frozen")
THURSDAY = DAY + timedelta(days=1)


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=True):
        yield


def _time_off(w: PlanningWorld) -> TimeOff:
    entry = db.session.scalar(sa.select(TimeOff).where(TimeOff.user_id == w.reps[0].id))
    assert entry is not None
    return entry


def _propose(w: PlanningWorld) -> AbsenceCover:
    assert w.supervisor is not None
    return absence_cover.propose(
        actor=w.supervisor,
        scope=Scope.of(w.supervisor),
        absent=w.reps[0],
        day=DAY,
        urgent_count=1,
        phone_capacity=0,
        now=NOW,
        seconds=0.2,
    )


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


def test_change_then_remove_time_off_from_the_page(client, world: PlanningWorld) -> None:  # noqa: F811
    w, absent = world, world.reps[0]
    assert w.supervisor is not None
    cover = _propose(w)
    planning.plan_rep(rep=absent, day=THURSDAY, week=False)  # Thursday still a working day
    entry = _time_off(w)
    login(client, w.supervisor.email)
    index = client.get("/supervisor/ausencias/").get_data(as_text=True)
    assert f'data-time-off="{entry.id}"' in index
    edit_url = f"/supervisor/ausencias/folgas/{entry.id}/editar"
    assert edit_url in index

    # Longer: Thursday is off too (its route goes); Wednesday keeps its proposal.
    page = client.get(edit_url)
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    form = {"csrf_token": token, "kind": "sick_leave", "note": "atestado"}
    bad = client.post(edit_url, data={**form, "first_day": "2026-12-03", "last_day": "2026-12-02"})
    assert bad.status_code == 422
    assert "field-error" in bad.get_data(as_text=True)
    res = client.post(edit_url, data={**form, "first_day": "2026-12-02", "last_day": "2026-12-03"})
    assert res.status_code == 302
    assert (
        db.session.scalar(
            sa.select(Plan).where(Plan.user_id == absent.id, Plan.plan_date == THURSDAY)
        )
        is None
    )
    db.session.refresh(cover)
    assert cover.status == CoverStatus.PROPOSED

    # Shorter: Wednesday is a working day again; its proposal is set aside and cannot be applied.
    res = client.post(edit_url, data={**form, "first_day": "2026-12-03", "last_day": "2026-12-03"})
    assert res.status_code == 302
    db.session.refresh(cover)
    db.session.refresh(entry)
    assert (entry.first_day, entry.last_day, entry.note) == (THURSDAY, THURSDAY, "atestado")
    assert cover.status == CoverStatus.DISCARDED
    with pytest.raises(absence_cover.CoverError):
        absence_cover.apply(actor=w.supervisor, cover=cover, now=NOW)
    edits = db.session.scalars(
        sa.select(AuditLog.details).where(AuditLog.action == "user.time_off.edit")
    ).all()
    assert [e["covers_set_aside"] for e in edits] == [0, 1]
    assert edits[0]["plans_removed"] == 1
    assert edits[1]["before"]["first_day"] == DAY.isoformat()

    # Removal: a confirmation first, then the CSRF-checked post.
    remove_url = f"/supervisor/ausencias/folgas/{entry.id}/remover"
    confirm = client.get(remove_url)
    assert confirm.status_code == 200
    assert "data-confirm-remove" in confirm.get_data(as_text=True)
    assert client.post(remove_url, data={}).status_code == 400  # no CSRF token: nothing removed
    assert db.session.get(TimeOff, entry.id) is not None
    token = csrf_from(confirm.get_data(as_text=True))
    assert client.post(remove_url, data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(TimeOff).where(TimeOff.user_id == absent.id)) is None
    assert "user.time_off.remove" in _actions()


def test_an_applied_cover_keeps_its_day_off(client, world: PlanningWorld) -> None:  # noqa: F811
    w = world
    assert w.supervisor is not None
    cover = _propose(w)
    absence_cover.apply(actor=w.supervisor, cover=cover, now=NOW)
    entry = _time_off(w)
    login(client, w.supervisor.email)
    remove_url = f"/supervisor/ausencias/folgas/{entry.id}/remover"
    page = client.get(remove_url).get_data(as_text=True)
    token = csrf_from(page)
    refused = client.post(remove_url, data={"csrf_token": token})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.get_data(as_text=True)
    assert db.session.get(TimeOff, entry.id) is not None
    assert db.session.get(AbsenceCover, cover.id).status == CoverStatus.APPLIED


def test_only_the_team_reaches_its_time_off(client, world: PlanningWorld) -> None:  # noqa: F811
    entry = _time_off(world)
    urls = [f"/supervisor/ausencias/folgas/{entry.id}/{a}" for a in ("editar", "remover")]
    stranger = make_user(world.company, Role.SUPERVISOR, make_team(world.company))
    db.session.flush()
    login(client, stranger.email)
    for url in urls:
        assert client.get(url).status_code == 404
    assert f'data-time-off="{entry.id}"' not in client.get("/supervisor/ausencias/").get_data(
        as_text=True
    )
    rep = client.application.test_client()
    login(rep, world.reps[1].email)
    for url in urls:
        assert rep.get(url).status_code == 403
    assert world.admin is not None
    admin = client.application.test_client()
    login(admin, world.admin.email)
    assert admin.get(urls[0]).status_code == 200
