"""Admin people pages on a company created from scratch: create, edit, deactivate,
profile, time off."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, Role, TimeOff, TimeOffKind, User
from app.services import people
from tests.support.scratch import MON_SAT, scratch_company
from tests.support.web import login, post_form

PROFILE = {
    "base_address": "Rua Augusta, 100 - Consolação, São Paulo - SP",
    "base_latitude": "-23,5535",
    "base_longitude": "-46,6520",
    "day_start": "07:30",
    "day_end": "16:30",
    "lunch_start": "11:00",
    "lunch_end": "13:00",
    "lunch_minutes": "45",
    "max_work_minutes": "480",
    "work_days": ["0", "1", "2", "3", "4", "5"],
}


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _new_user(client, values: dict[str, object]):  # type: ignore[no-untyped-def]
    form = {
        "name": "Pessoa",
        "role": "rep",
        "team_id": "0",
        "active": "y",
        "password_mode": "one_time",
        **values,
    }
    return post_form(client, "/admin/usuarios/novo", form, page="/admin/usuarios/novo")


def test_admin_creates_users_of_every_role(client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests creating a rep (one-time password shown once), a supervisor with a typed password,
    and refusals."""
    world = scratch_company(reps={})
    login(client, world.admin.email)
    answer = _new_user(
        client,
        {
            "name": "Carla Nunes",
            "email": "Carla@Novo.example",
            "erp_code": "R-77",
            "phone": "(11) 98888-1111",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    clear = re.search(r'id="one-time-password">([^<]+)<', html).group(1)
    carla = _user("carla@novo.example")
    assert carla is not None
    assert (carla.role, carla.erp_code, carla.company_id, carla.must_change_password) == (
        Role.REP,
        "R-77",
        world.company.id,
        True,
    )
    assert carla.check_password(clear)
    typed = _new_user(
        client,
        {
            "name": "Sueli",
            "email": "sueli@novo.example",
            "role": "supervisor",
            "password_mode": "chosen",
            "password": "supervisora-2026",
        },
    )
    assert typed.status_code == 302
    sueli = _user("sueli@novo.example")
    assert (sueli.role, sueli.must_change_password) == (Role.SUPERVISOR, False)
    for role in ("telesales", "admin"):
        assert (
            _new_user(
                client, {"name": role, "email": f"{role}@novo.example", "role": role}
            ).status_code
            == 200
        )
        assert _user(f"{role}@novo.example").role == Role(role)
    taken = _new_user(
        client, {"name": "Outra Carla", "email": "outra@novo.example", "erp_code": "R-77"}
    )
    assert "Este código de representante pertence a outro usuário." in taken.get_data(as_text=True)
    assert _user("outra@novo.example") is None
    weak = _new_user(
        client,
        {
            "name": "Fraco",
            "email": "fraco@novo.example",
            "password_mode": "chosen",
            "password": "123",
        },
    )
    assert "pelo menos 12 caracteres" in weak.get_data(as_text=True)
    assert _user("fraco@novo.example") is None
    duplicate = _new_user(client, {"name": "Dup", "email": "CARLA@novo.example"})
    assert "já é usado por outra conta" in duplicate.get_data(as_text=True)
    actions = list(
        db.session.scalars(
            sa.select(AuditLog.action).where(AuditLog.company_id == world.company.id)
        )
    )
    assert actions.count("user.create") == 5  # the admin and the four made here


def test_admin_edits_and_deactivates_but_never_demotes_self(client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests editing a rep (e-mail, code, deactivation) and that an admin cannot demote or
    block themself."""
    world = scratch_company(reps={"ana": MON_SAT})
    rep = world.reps["ana"]
    login(client, world.admin.email)
    page = f"/admin/usuarios/{rep.id}"
    answer = post_form(
        client,
        page,
        {
            "name": "Ana Lima",
            "email": "ana.lima@novo.example",
            "erp_code": "R-10",
            "role": "rep",
            "team_id": "0",
        },
        page=page,
    )
    assert answer.status_code == 302
    db.session.refresh(rep)
    assert (rep.name, rep.email, rep.erp_code, rep.active) == (
        "Ana Lima",
        "ana.lima@novo.example",
        "R-10",
        False,
    )
    assert rep.work_profile is not None, "deactivating keeps the profile"
    blocked = login(client.application.test_client(), "ana.lima@novo.example")
    assert blocked.status_code == 200
    assert "E-mail ou senha incorretos." in blocked.get_data(as_text=True)
    me = f"/admin/usuarios/{world.admin.id}"
    for values in ({"role": "supervisor", "active": "y"}, {"role": "admin"}):
        refused = post_form(
            client,
            me,
            {"name": "Admin", "email": world.admin.email, "team_id": "0", **values},
            page=me,
        )
        assert refused.status_code == 200
        assert "field-error" in refused.get_data(as_text=True)
    db.session.refresh(world.admin)
    assert (world.admin.role, world.admin.active) == (Role.ADMIN, True)


def test_work_profile_on_the_user_page(client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests saving a profile with Saturday, a decimal-comma base and lunch; bad hours are
    field errors."""
    world = scratch_company(reps={})
    login(client, world.admin.email)
    _new_user(client, {"name": "Beto", "email": "beto@novo.example", "role": "telesales"})
    beto = _user("beto@novo.example")
    page = f"/admin/usuarios/{beto.id}"
    html = client.get(page).get_data(as_text=True)
    assert "Ainda sem perfil de trabalho" in html
    answer = post_form(client, f"{page}/perfil", PROFILE, page=page)
    assert answer.status_code == 302
    db.session.refresh(beto)
    profile = beto.work_profile
    assert (profile.start_lat, profile.start_lon, profile.end_lat) == (-23.5535, -46.652, -23.5535)
    assert (profile.day_start, profile.day_end, profile.lunch_minutes) == (
        time(7, 30),
        time(16, 30),
        45,
    )
    # The window 11:00-13:00 holds the whole 45-minute break: it starts by 12:15 at the latest.
    assert (profile.lunch_earliest, profile.lunch_latest) == (time(11), time(12, 15))
    assert profile.max_working_minutes == 480
    assert profile.working_weekdays == MON_SAT
    assert profile.works_on(5)
    assert not profile.works_on(6)
    bad = post_form(
        client,
        f"{page}/perfil",
        {**PROFILE, "day_end": "07:00", "work_days": [], "base_longitude": ""},
        page=page,
    )
    text = bad.get_data(as_text=True)
    assert "o expediente deve terminar depois de começar" in text
    assert "informe pelo menos um dia de trabalho" in text
    db.session.refresh(profile)
    assert profile.day_end == time(16, 30)
    sup = people.create_user(
        actor=world.admin,
        company_id=world.company.id,
        password="senha-teste-123",
        values={"email": "sup@novo.example", "name": "Sup", "role": Role.SUPERVISOR},
    ).user
    refused = post_form(client, f"/admin/usuarios/{sup.id}/perfil", PROFILE, page=page)
    assert "Só representantes e televendas" in refused.get_data(as_text=True)


def test_time_off_on_the_user_page(client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests adding vacation and sick leave, refusing a reversed range, and removing an entry."""
    world = scratch_company(reps={"caio": MON_SAT})
    rep = world.reps["caio"]
    login(client, world.admin.email)
    page = f"/admin/usuarios/{rep.id}"
    answer = post_form(
        client,
        f"{page}/ausencias",
        {
            "first_day": "2099-01-10",
            "last_day": "2099-01-20",
            "kind": "vacation",
            "note": "Férias de janeiro",
        },
        page=page,
    )
    assert answer.status_code == 302
    post_form(
        client,
        f"{page}/ausencias",
        {"first_day": "2099-02-03", "last_day": "2099-02-03", "kind": "sick_leave"},
        page=page,
    )
    reversed_range = post_form(
        client,
        f"{page}/ausencias",
        {"first_day": "2099-03-10", "last_day": "2099-03-01", "kind": "other"},
        page=page,
    )
    assert "O último dia é anterior ao primeiro." in reversed_range.get_data(as_text=True)
    entries = list(
        db.session.scalars(
            sa.select(TimeOff).where(TimeOff.user_id == rep.id).order_by(TimeOff.first_day)
        )
    )
    assert [(e.first_day, e.last_day, e.kind) for e in entries] == [
        (date(2099, 1, 10), date(2099, 1, 20), TimeOffKind.VACATION),
        (date(2099, 2, 3), date(2099, 2, 3), TimeOffKind.SICK_LEAVE),
    ]
    html = client.get(page).get_data(as_text=True)
    assert "Férias de janeiro" in html
    assert "Licença médica" in html
    post_form(client, f"{page}/ausencias/{entries[0].id}/remover", {}, page=page)
    assert [
        e.kind for e in db.session.scalars(sa.select(TimeOff).where(TimeOff.user_id == rep.id))
    ] == [TimeOffKind.SICK_LEAVE]
    other = scratch_company(reps={"x": MON_SAT}, seed=99)
    assert (
        post_form(
            client,
            f"/admin/usuarios/{other.reps['x'].id}/ausencias",
            {"first_day": "2099-01-01", "last_day": "2099-01-01", "kind": "other"},
            page=page,
        ).status_code
        == 404
    )


def test_partial_updates_keep_what_is_not_given(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests the service the users import shares: absent keys keep their value, rules
    still apply."""
    world = scratch_company(reps={"dani": MON_SAT})
    rep = world.reps["dani"]
    people.update_user(actor=world.admin, user=rep, values={"phone": "(11) 97777-0000"})
    assert (rep.name, rep.erp_code, rep.phone) == ("Rep dani", "R-dani", "(11) 97777-0000")
    people.update_work_profile(actor=world.admin, user=rep, values={"day_end": time(17)})
    assert (
        rep.work_profile.day_end,
        rep.work_profile.working_weekdays,
        rep.work_profile.start_lat,
    ) == (time(17), MON_SAT, -23.55)
    other = people.create_user(
        actor=world.admin,
        company_id=world.company.id,
        password="senha-teste-123",
        values={"email": "z@novo.example", "name": "Z", "role": Role.REP},
    ).user
    with pytest.raises(people.Invalid) as taken:
        people.update_user(actor=world.admin, user=other, values={"erp_code": "R-dani"})
    assert set(taken.value.errors) == {"erp_code"}
    with pytest.raises(people.Invalid) as half:
        people.update_work_profile(actor=world.admin, user=rep, values={"base_latitude": -23.5})
    assert "base_longitude" in half.value.errors
