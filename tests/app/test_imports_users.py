"""Users import: work profiles of reps and telesales, and the rules of the user page."""

from __future__ import annotations

import re
from datetime import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User, WorkProfile
from app.services import accounts, routing, work_profiles
from app.services.imports import import_file, import_rows
from tests.factories import make_company, make_user
from tests.support.imports import quoted_csv

HEADER = [
    "E-mail",
    "Nome",
    "Perfil",
    "Código do representante",
    "Dias de trabalho",
    "Início do expediente",
    "Fim do expediente",
    "Almoço a partir de",
    "Almoço até",
    "Almoço (min)",
    "Jornada máxima (min)",
    "Latitude da base",
    "Longitude da base",
    "Endereço da base",
]


@pytest.fixture
def company(db_session):
    company = make_company()
    company.admin = make_user(company, Role.ADMIN, email="dona@exemplo.com.br")
    return company


def run(company, rows, header=HEADER, actor=None, dry_run=False):
    return import_file(
        kind="users",
        raw=quoted_csv(header, rows),
        filename="usuarios.csv",
        company_id=company.id,
        actor_id=actor.id if actor else None,
        dry_run=dry_run,
    )


def profile_of(email):
    user = db.session.scalar(sa.select(User).where(User.email == email))
    db.session.refresh(user)
    return user.work_profile


def test_reps_get_profiles_from_their_columns_with_defaults_for_the_rest(company):
    """Tests new reps: a Saturday worker with a full profile, one with an address-only base, one
    with nothing."""
    rows = [
        [
            "sabado@exemplo.com.br",
            "Sílvia Sábado",
            "representante",
            "R1",
            "seg-sáb",
            "07:00",
            "15:00",
            "11:00",
            "13:00",
            "30",
            "420",
            "-23,55",
            "-46,63",
            "Rua A, 1",
        ],
        [
            "endereco@exemplo.com.br",
            "Enzo",
            "rep",
            "R2",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "Rua B, 2 - Osasco",
        ],
        ["mesa@exemplo.com.br", "Tati", "televendas", "", "", "", "", "", "", "", "", "", "", ""],
        ["chefe@exemplo.com.br", "Chefe", "supervisor", "", "", "", "", "", "", "", "", "", "", ""],
    ]
    result = run(company, rows)
    assert (result.problems, result.created) == ([], 4)
    saturday = profile_of("sabado@exemplo.com.br")
    assert saturday.works_on(5)
    assert not saturday.works_on(6)
    assert (saturday.day_start, saturday.day_end, saturday.lunch_minutes) == (time(7), time(15), 30)
    assert (saturday.lunch_earliest, saturday.lunch_latest) == (
        time(11),
        time(12, 30),
    )  # ends by 13:00
    assert (saturday.start_lat, saturday.end_lon, saturday.end_address) == (
        -23.55,
        -46.63,
        "Rua A, 1",
    )
    assert routing.rep_day(saturday).lunch is not None
    address_only = profile_of("endereco@exemplo.com.br")
    assert (address_only.start_lat, address_only.start_address) == (None, "Rua B, 2 - Osasco")
    assert address_only.working_weekdays == work_profiles.defaults()["work_days"]
    with pytest.raises(routing.PlanningError, match="missing_base_position"):
        routing.rep_day(address_only)
    assert profile_of("mesa@exemplo.com.br") is not None
    assert profile_of("chefe@exemplo.com.br") is None
    assert run(company, rows).unchanged == 4


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({5: "18:00", 6: "08:00"}, "Fim do expediente"),
        ({7: "07:00", 8: "09:00"}, "Almoço até"),
        ({7: "12:00", 8: "12:30", 9: "60"}, "Almoço (min)"),
        ({7: "12:00", 8: "-"}, "Almoço até"),
        ({11: "-23,5"}, "Longitude da base"),
        ({4: "dom-sab", 10: "0"}, "Jornada máxima (min)"),
        ({5: "25:00"}, "Início do expediente"),
    ],
)
def test_profile_rules_are_row_problems(company, cells, column):
    """Tests that an unusable profile is refused with the row and column to fix."""
    row = ["nova@exemplo.com.br", "Nova", "rep", "", "", "", "", "", "", "", "", "", "", ""]
    for index, value in cells.items():
        row[index] = value
    result = run(company, [row])
    assert [(p.row, p.column) for p in result.problems] == [(2, column)]
    assert db.session.scalar(sa.select(User).where(User.email == "nova@exemplo.com.br")) is None


def test_existing_profile_changes_field_by_field_and_blank_keeps(company):
    """Tests an update of one profile field (listed in the preview), blanks keeping the rest."""
    rep = make_user(company, Role.REP, email="rep@exemplo.com.br", erp_code="R1", with_profile=True)
    before = work_profiles.values_of(rep.work_profile)
    row = ["rep@exemplo.com.br", "", "", "", "seg-sáb", "", "", "", "", "", "", "", "", ""]
    preview = run(company, [row], dry_run=True)
    assert [(f.key, f.old, f.new) for f in preview.changes.rows[0].fields] == [
        ("work_days", "seg-sex", "seg-sáb")
    ]
    assert run(company, [row]).updated == 1
    after = work_profiles.values_of(profile_of("rep@exemplo.com.br"))
    assert after == {**before, "work_days": 0b0111111}
    clear = run(
        company, [["rep@exemplo.com.br", "", "", "", "", "", "", "-", "-", "", "", "", "", ""]]
    )
    assert clear.problems == []
    assert profile_of("rep@exemplo.com.br").lunch_earliest is None
    refused = run(
        company, [["rep@exemplo.com.br", "", "", "", "-", "", "", "", "", "", "", "", "", ""]]
    )
    assert [(p.row, p.column) for p in refused.problems] == [(2, "Dias de trabalho")]


def test_existing_seat_without_profile_gets_one_only_when_the_row_gives_it(company):
    """Tests that re-importing a user list does not invent profiles, and profile
    cells create one."""
    make_user(company, Role.TELESALES, email="mesa@exemplo.com.br")
    none = run(
        company, [["mesa@exemplo.com.br", "", "", "", "", "", "", "", "", "", "", "", "", ""]]
    )
    assert (none.unchanged, profile_of("mesa@exemplo.com.br")) == (1, None)
    given = run(
        company,
        [
            [
                "mesa@exemplo.com.br",
                "",
                "",
                "",
                "seg-sex",
                "09:00",
                "17:00",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        ],
    )
    assert given.updated == 1
    assert profile_of("mesa@exemplo.com.br").day_start == time(9)


def test_supervisor_row_with_profile_values_is_refused(company):
    """Tests that only reps and telesales take profile values."""
    result = run(
        company,
        [
            [
                "chefe@exemplo.com.br",
                "Chefe",
                "supervisor",
                "",
                "seg-sex",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        ],
    )
    assert [(p.row, p.column) for p in result.problems] == [(2, "Dias de trabalho")]


def test_rep_code_of_another_user_is_a_row_problem_and_codes_can_swap(company):
    """Tests the 500 of the audit: a rep code held by someone else is named; a swap in
    one file works."""
    make_user(company, Role.REP, email="a@exemplo.com.br", erp_code="R1")
    make_user(company, Role.REP, email="b@exemplo.com.br", erp_code="R2")
    header = ["E-mail", "Código do representante"]
    taken = run(company, [["b@exemplo.com.br", "R1"]], header=header)
    assert [(p.row, p.column) for p in taken.problems] == [(2, "Código do representante")]
    assert taken.problems[0].message == accounts.rule_message(accounts.AccountRule.REP_CODE_TAKEN)
    new = run(
        company,
        [["c@exemplo.com.br", "Cid", "rep", "R2"]],
        header=[*header[:1], "Nome", "Perfil", header[1]],
    )
    assert [p.column for p in new.problems] == ["Código do representante"]
    swap = run(company, [["a@exemplo.com.br", "R2"], ["b@exemplo.com.br", "R1"]], header=header)
    assert (swap.problems, swap.updated) == ([], 2)
    codes = dict(
        db.session.execute(
            sa.select(User.email, User.erp_code).where(User.company_id == company.id)
        ).all()
    )
    assert (codes["a@exemplo.com.br"], codes["b@exemplo.com.br"]) == ("R2", "R1")


def test_admin_cannot_demote_or_deactivate_themselves_nor_leave_no_admin(company):
    """Tests the user-page rules on the import, for the acting admin and for the CLI (no actor)."""
    me = company.admin
    header = ["E-mail", "Perfil", "Ativo"]
    demote = run(company, [[me.email, "representante", ""]], header=header, actor=me)
    assert [(p.row, p.column) for p in demote.problems] == [(2, "Perfil")]
    off = run(company, [[me.email, "", "não"]], header=header, actor=me)
    assert [(p.row, p.column) for p in off.problems] == [(2, "Ativo")]
    last = run(company, [[me.email, "supervisor", ""]], header=header)
    assert [(p.row, p.column) for p in last.problems] == [(None, "Perfil")]
    handover = run(
        company,
        [["nova.admin@exemplo.com.br", "administrador", "sim"], [me.email, "supervisor", ""]],
        header=header,
    )
    assert [p.column for p in handover.problems] == [
        "Nome"
    ]  # a new user needs a name; no admin rule broken
    same = run(company, [[me.email, "administrador", "sim"]], header=header, actor=me)
    assert (same.problems, same.unchanged) == ([], 1)
    named = run(
        company,
        [
            ["nova.admin@exemplo.com.br", "Nova", "administrador", "sim"],
            [me.email, "", "supervisor", ""],
        ],
        header=["E-mail", "Nome", "Perfil", "Ativo"],
    )
    assert (named.problems, named.created, named.updated) == ([], 1, 1)


def test_users_api_upsert_with_profile_null_clears(company):
    """Tests the JSON entry point: profile keys, a key left out keeps, null clears what
    may be empty."""
    item = {
        "email": "api@exemplo.com.br",
        "name": "Api",
        "role": "rep",
        "work_days": "seg-sáb",
        "day_start": "07:30",
        "lunch_start": "11:30",
        "lunch_end": "13:30",
        "base_latitude": -23.5,
        "base_longitude": -46.6,
    }
    assert import_rows(kind="users", rows=[item], company_id=company.id, actor_id=None).created == 1
    profile = profile_of("api@exemplo.com.br")
    assert (profile.day_start, profile.start_lat, profile.lunch_latest) == (
        time(7, 30),
        -23.5,
        time(12, 30),
    )
    cleared = import_rows(
        kind="users",
        rows=[{"email": "api@exemplo.com.br", "base_latitude": None, "base_longitude": None}],
        company_id=company.id,
        actor_id=None,
    )
    assert cleared.problems == []
    assert profile_of("api@exemplo.com.br").start_lat is None
    dash = import_rows(
        kind="users",
        rows=[{"email": "api@exemplo.com.br", "base_address": "-", "phone": " "}],
        company_id=company.id,
        actor_id=None,
    )
    assert (dash.problems, dash.unchanged) == (
        [],
        1,
    )  # "-" clears (nothing to clear), a blank string keeps
    refused = import_rows(
        kind="users",
        rows=[{"email": "api@exemplo.com.br", "day_start": None}],
        company_id=company.id,
        actor_id=None,
    )
    assert [(p.row, p.column) for p in refused.problems] == [(0, "day_start")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkProfile)) == 1


def test_preview_of_a_move_to_a_new_team_names_it_and_creates_nothing(company):
    """Tests that the dry run shows the new team's name and creates no team."""
    from app.models import Team

    make_user(company, Role.REP, email="rep@exemplo.com.br")
    preview = run(
        company, [["rep@exemplo.com.br", "Equipe Nova"]], header=["E-mail", "Equipe"], dry_run=True
    )
    assert [(f.key, f.old, f.new) for f in preview.changes.rows[0].fields] == [
        ("team", "", "Equipe Nova")
    ]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Team).where(Team.company_id == company.id)
        )
        == 0
    )


def _upload_users(client, rows, header):  # type: ignore[no-untyped-def]
    import io

    from tests.support.web import csrf_token

    token = csrf_token(client, "/admin/importacao/")
    return client.post(
        "/admin/importacao/",
        data={
            "csrf_token": token,
            "kind": "users",
            "file": (io.BytesIO(quoted_csv(header, rows)), "equipe.csv"),
        },
        content_type="multipart/form-data",
    )


def test_import_page_names_self_demotion_and_taken_code_and_commits_nothing(client, company):
    """Tests the admin's upload through the real page: demoting oneself and a rep code of
    another user are row problems naming the file, row and column (no 500), nothing is
    written and no confirm is offered."""
    from tests.support.web import login

    make_user(company, Role.REP, email="dono.do.codigo@exemplo.com.br", erp_code="R77")
    me = company.admin
    login(client, me.email)
    header = ["E-mail", "Nome", "Perfil", "Código do representante", "Ativo"]
    page = _upload_users(
        client,
        [
            [me.email, "Dona", "representante", "", ""],
            ["novo.rep@exemplo.com.br", "Novo", "representante", "R77", "sim"],
            [me.email.upper(), "", "", "", "não"],
        ],
        header,
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "/admin/importacao/confirmar" not in html
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html
    )
    assert (
        "equipe.csv",
        "2",
        "Perfil",
        str(accounts.rule_message(accounts.AccountRule.OWN_ROLE)),
    ) in rows
    assert (
        "equipe.csv",
        "3",
        "Código do representante",
        str(accounts.rule_message(accounts.AccountRule.REP_CODE_TAKEN)),
    ) in rows
    assert (
        "equipe.csv",
        "4",
        "Ativo",
        str(accounts.rule_message(accounts.AccountRule.OWN_ACCESS)),
    ) in rows
    db.session.refresh(me)
    assert (me.role, me.active) == (Role.ADMIN, True)
    assert db.session.scalar(sa.select(User).where(User.email == "novo.rep@exemplo.com.br")) is None


def test_import_that_changes_a_role_or_blocks_ends_the_logins(company):
    """Tests that the import, like the user page, ends the open logins of a user whose
    role changes or who is blocked, and keeps the others'."""
    from datetime import timedelta

    from app.services import logins

    moved = make_user(company, Role.REP, email="muda@exemplo.com.br")
    blocked = make_user(company, Role.REP, email="sai@exemplo.com.br")
    kept = make_user(company, Role.REP, email="fica@exemplo.com.br")
    for user in (moved, blocked, kept):
        logins.start(
            user=user, remember=True, lifetime=timedelta(days=1), user_agent="x", address=None
        )
    result = run(
        company,
        [
            ["muda@exemplo.com.br", "televendas", ""],
            ["sai@exemplo.com.br", "", "não"],
            ["fica@exemplo.com.br", "representante", "sim"],
        ],
        header=["E-mail", "Perfil", "Ativo"],
        actor=company.admin,
    )
    assert result.problems == []
    assert [len(logins.of_user(u.id)) for u in (moved, blocked, kept)] == [0, 0, 1]
