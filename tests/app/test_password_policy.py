"""The password policy (NIST SP 800-63B): length, the shipped common-password list, patterns,
personal words, no composition rules; enforced on every path that sets a password."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Role, User
from app.services import passwords
from tests.factories import PASSWORD, make_company, make_user
from tests.support.web import login, post_form

REFUSED = {
    "password12": passwords.Problem.TOO_SHORT,
    "password1234": passwords.Problem.COMMON,
    "PASSWORD1234": passwords.Problem.COMMON,
    "senha1234567": passwords.Problem.COMMON,
    "dragon2024!!!": passwords.Problem.COMMON,  # a listed word with digits and symbols around
    "qwertyuiop123": passwords.Problem.COMMON,
    "aaaaaaaaaaaaaa": passwords.Problem.PATTERN,
    "abcabcabcabc": passwords.Problem.PATTERN,
    "123456789012": passwords.Problem.PATTERN,
    "987654321098": passwords.Problem.PATTERN,
    "x" * 129: passwords.Problem.TOO_LONG,
}
ACCEPTED = (
    "somente letras minusculas",  # no composition rule: letters and spaces only
    "caminhos-do-sertao-7",
    "ÁRVORE ÇÃO ÜBER 2026",
    "9" + "x" * 127,  # 128 characters: long passphrases are welcome
)


@pytest.mark.parametrize(("password", "problem"), REFUSED.items())
def test_policy_refuses(password, problem):
    """Tests each kind of refusal, including the issue's `password12`."""
    assert problem in passwords.problems(password)


@pytest.mark.parametrize("password", ACCEPTED)
def test_policy_accepts_without_composition_rules(password):
    """Tests that long passwords without digits, capitals or symbols pass."""
    assert passwords.problems(password) == []


def test_the_shipped_list_is_a_few_thousand_common_passwords():
    """Tests the list file: its size, a few famous entries, and a note of its source."""
    listed = passwords.common_passwords()
    assert 3000 <= len(listed) <= 10000
    assert {"password12", "password1234", "senha123", "iloveyou", "qwerty123"} <= listed
    assert "public domain" in passwords.LIST_FILE.read_text().split("\n# Brazilian")[0]


def test_personal_words_are_refused():
    """Tests the name, the e-mail's user part (accents folded) and the service's name."""
    who = {"email": "joao.figueiredo@distribuidora.com.br", "name": "João Figueiredo"}
    assert passwords.problems("figueiredo-2026-ok", **who) == [passwords.Problem.PERSONAL]
    assert passwords.problems("JOAO.FIGUEIREDO!!", **who) == [passwords.Problem.PERSONAL]
    assert passwords.problems("meu-roteiro-de-sempre", **who) == [passwords.Problem.PERSONAL]
    assert passwords.problems("caminhos-do-sertao-7", **who) == []


def test_own_change_refuses_common_and_personal(client, db_session):
    """Tests the account page: password12, a listed one and one with the name are refused."""
    rep = make_user(make_company(), Role.REP, name="Marina Tavares")
    login(client, rep.email)
    for weak in ("password12", "password1234", "marina-tavares-99"):
        post_form(client, "/auth/password", {"current": PASSWORD, "new": weak, "confirm": weak})
        db.session.refresh(rep)
        assert rep.check_password(PASSWORD), weak
    page = client.get("/auth/me").get_data(as_text=True)
    assert "não pode conter seu nome" in page


def test_first_password_refuses_a_common_one(client, db_session):
    """Tests the page that replaces a one-time password."""
    rep = make_user(make_company(), Role.REP, must_change_password=True)
    login(client, rep.email)
    answer = post_form(
        client,
        "/auth/nova-senha",
        {"new": "password1234", "confirm": "password1234"},
        page="/auth/nova-senha",
    )
    assert answer.status_code == 200
    assert "lista de senhas comuns ou vazadas" in answer.get_data(as_text=True)
    db.session.refresh(rep)
    assert rep.must_change_password


def test_admin_reset_and_new_user_refuse_common_passwords(client, db_session):
    """Tests the admin's reset and the new-user form with a typed password."""
    company = make_company()
    admin = make_user(company, Role.ADMIN)
    rep = make_user(company, Role.REP)
    login(client, admin.email)
    page = f"/admin/usuarios/{rep.id}"
    post_form(client, f"{page}/senha", {"password": "password1234"}, page=page)
    db.session.refresh(rep)
    assert rep.check_password(PASSWORD)
    new = post_form(
        client,
        "/admin/usuarios/novo",
        {
            "name": "Clara Nunes",
            "email": "clara@teste.roteiro.app",
            "role": "rep",
            "team_id": 0,
            "active": "y",
            "password_mode": "chosen",
            "password": "password1234",
        },
        page="/admin/usuarios/novo",
    )
    assert new.status_code == 200
    assert db.session.scalar(sa.select(User).where(User.email == "clara@teste.roteiro.app")) is None


def test_company_create_refuses_a_common_password(runner, db_session):
    """Tests `flask company create --admin-password-stdin` with password12 and a listed one."""
    for weak in ("password12", "password1234"):
        result = runner.invoke(
            args=[
                "company",
                "create",
                "Atacado Teste Senha",
                "--admin-email",
                "dona@senha.example",
                "--admin-password-stdin",
            ],
            input=f"{weak}\n",
        )
        assert result.exit_code != 0
        assert "password" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "dona@senha.example")) is None
