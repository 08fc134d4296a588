"""`flask company create`: a company from scratch with its settings and first admin, both
password paths."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Company, CompanySettings, Role, User
from app.services import companies, company_settings, routing
from tests.support.web import csrf_token, login


def _admin(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return user


def test_create_with_password_from_stdin(runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests the stdin path: the company gets the recommended settings, the admin
    logs in at once."""
    result = runner.invoke(
        args=[
            "company",
            "create",
            "Atacado Bom Preço",
            "--admin-email",
            "Dono@BomPreco.example",
            "--admin-name",
            "Dona Maria",
            "--state",
            "mg",
            "--admin-password-stdin",
        ],
        input="cafe-com-leite-2026\n",
    )
    assert result.exit_code == 0, result.output
    assert "senha provisória" not in result.output
    company = db.session.scalar(sa.select(Company).where(Company.slug == "atacado-bom-preco"))
    assert company is not None
    assert company.state == "MG"
    admin = _admin("dono@bompreco.example")
    assert (admin.role, admin.name, admin.company_id, admin.must_change_password) == (
        Role.ADMIN,
        "Dona Maria",
        company.id,
        False,
    )
    assert admin.check_password("cafe-com-leite-2026")
    settings = db.session.scalar(
        sa.select(CompanySettings).where(CompanySettings.company_id == company.id)
    )
    assert settings is not None
    assert settings.version == 1
    assert {r["key"] for r in settings.planning["no_sale_reasons"]} >= {"estoque_cheio", "preco"}
    config = routing.load_config(company_id=company.id)
    assert config.nightly_time == "02:00"
    view = company_settings.get(company_id=company.id)
    assert view.version == 1
    assert view.scoring.collection_policy == "collect_only"
    assert view.policies.collection_policy == "collect_only"
    assert view.planning.check_in_radius_m == 300


def test_create_refuses_weak_password_and_taken_email(runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a weak password, an unknown state or a used e-mail write nothing and say why."""
    weak = runner.invoke(
        args=[
            "company",
            "create",
            "Fraca",
            "--admin-email",
            "a@fraca.example",
            "--admin-password-stdin",
        ],
        input="curta\n",
    )
    assert weak.exit_code != 0
    assert "password" in weak.output
    state = runner.invoke(
        args=["company", "create", "Longe", "--admin-email", "a@longe.example", "--state", "XX"]
    )
    assert state.exit_code != 0
    assert "state" in state.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Company.id)).where(Company.name.in_(["Fraca", "Longe"]))
        )
        == 0
    )
    runner.invoke(args=["company", "create", "Primeira", "--admin-email", "mesmo@x.example"])
    again = runner.invoke(args=["company", "create", "Segunda", "--admin-email", "mesmo@x.example"])
    assert again.exit_code != 0
    assert "email" in again.output
    assert (
        db.session.scalar(sa.select(sa.func.count(Company.id)).where(Company.name == "Segunda"))
        == 0
    )
    empty = runner.invoke(
        args=[
            "company",
            "create",
            "Vazia",
            "--admin-email",
            "v@x.example",
            "--admin-password-stdin",
        ],
        input="",
    )
    assert empty.exit_code != 0


def test_one_time_password_must_be_changed_before_anything_else(runner, client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests the printed one-time password: login leads to the new-password page and
    nowhere else."""
    result = runner.invoke(
        args=["company", "create", "Distribuidora Nova", "--admin-email", "chefe@nova.example"]
    )
    assert result.exit_code == 0, result.output
    clear = re.search(r"troca obrigatória no primeiro acesso\): (\S+)", result.output).group(1)
    admin = _admin("chefe@nova.example")
    assert admin.must_change_password
    answer = login(client, admin.email, clear)
    assert answer.headers["Location"].endswith("/auth/nova-senha")
    for page in ("/", "/admin/usuarios/", "/carteira/", "/auth/me"):
        blocked = client.get(page)
        assert blocked.status_code == 302, page
        assert blocked.headers["Location"].endswith("/auth/nova-senha"), page
    assert client.get("/api/rep/today").status_code == 403
    page = client.get("/auth/nova-senha")
    assert "Escolha sua senha" in page.get_data(as_text=True)
    token = csrf_token(client, "/auth/nova-senha")
    same = client.post(
        "/auth/nova-senha", data={"new": clear, "confirm": clear, "csrf_token": token}
    )
    assert "diferente da senha provisória" in same.get_data(as_text=True)
    weak = client.post(
        "/auth/nova-senha", data={"new": "abc", "confirm": "abc", "csrf_token": token}
    )
    assert "pelo menos 12 caracteres" in weak.get_data(as_text=True)
    differ = client.post(
        "/auth/nova-senha",
        data={"new": "minha-senha-99", "confirm": "outra-senha-99", "csrf_token": token},
    )
    assert "não conferem" in differ.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.must_change_password
    done = client.post(
        "/auth/nova-senha",
        data={"new": "minha-senha-99", "confirm": "minha-senha-99", "csrf_token": token},
    )
    assert done.status_code == 302
    db.session.refresh(admin)
    assert not admin.must_change_password
    assert admin.check_password("minha-senha-99")
    assert client.get("/admin/usuarios/").status_code == 200
    assert client.get("/auth/nova-senha").status_code == 302


def test_slug_is_made_unique_and_company_list_shows_it(runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that two companies with the same name get distinct identifiers, listed by
    `company list`."""
    first = companies.create_company(
        name="Comercial Três Irmãos", admin_email="a@tres.example", password="senha-teste-123"
    )
    second = companies.create_company(
        name="Comercial Três Irmãos", admin_email="b@tres.example", password="senha-teste-123"
    )
    assert (first.company.slug, second.company.slug) == (
        "comercial-tres-irmaos",
        "comercial-tres-irmaos-2",
    )
    listing = runner.invoke(args=["company", "list"])
    assert "comercial-tres-irmaos-2" in listing.output


def test_users_create_applies_the_same_rules(runner, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that `flask users create` adds a user to a new company and refuses a taken e-mail or
    weak password."""
    created = companies.create_company(
        name="Atacado CLI", admin_email="adm@cli.example", password="senha-teste-123"
    )
    slug = created.company.slug
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "--company",
            slug,
            "--email",
            "Rep@Cli.example",
            "--name",
            "Rep",
            "--role",
            "rep",
            "--password",
            "senha-do-rep-1",
        ]
    )
    assert ok.exit_code == 0, ok.output
    assert _admin("rep@cli.example").company_id == created.company.id
    taken = runner.invoke(
        args=[
            "users",
            "create",
            "--company",
            slug,
            "--email",
            "rep@cli.example",
            "--name",
            "X",
            "--role",
            "rep",
            "--password",
            "senha-do-rep-1",
        ]
    )
    assert taken.exit_code != 0
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "--company",
            slug,
            "--email",
            "b@cli.example",
            "--name",
            "B",
            "--role",
            "telesales",
            "--password",
            "fraca",
        ]
    )
    assert weak.exit_code != 0
    assert _admin_or_none("b@cli.example") is None


def _admin_or_none(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))
