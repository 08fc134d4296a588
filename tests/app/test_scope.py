"""Ownership scoping: each role sees exactly its portfolios; others answer 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.security.scope import Scope
from tests.factories import two_teams
from tests.support.web import login


@pytest.fixture
def world(db_session):
    return two_teams()


def names(scope: Scope) -> set[str]:
    return {c.trade_name for c in db.session.scalars(scope.customers())}


def test_rep_sees_only_own_portfolio(world):
    """Tests that a rep's scope holds only their own customers."""
    assert names(Scope.of(world["rep1"])) == {"Padaria do Rep Um"}


def test_telesales_sees_only_own_portfolio(world):
    """Tests that a telesales seat's scope holds only its own list."""
    assert names(Scope.of(world["tel1"])) == {"Farmácia do Televendas"}


def test_supervisor_sees_team_portfolios(world):
    """Tests that a supervisor sees their team's rep and telesales customers only."""
    assert names(Scope.of(world["sup1"])) == {"Padaria do Rep Um", "Farmácia do Televendas"}
    assert names(Scope.of(world["sup2"])) == {"Bar do Rep Dois"}


def test_admin_sees_company_not_other_company(world):
    """Tests that an admin sees the whole company and nothing of another company."""
    assert names(Scope.of(world["admin"])) == {
        "Padaria do Rep Um",
        "Bar do Rep Dois",
        "Farmácia do Televendas",
    }
    assert names(Scope.of(world["other_admin"])) == {"Cliente de Outra Empresa"}


def test_supervisor_user_scope(world):
    """Tests that a supervisor can see the people of their team only."""
    scope = Scope.of(world["sup1"])
    assert scope.can_see_user(world["rep1"].id)
    assert not scope.can_see_user(world["rep2"].id)
    visible = set(db.session.scalars(sa.select(sa.literal_column("1")).where(scope.user_filter())))
    assert visible


@pytest.mark.parametrize(
    ("who", "customer", "status"),
    [
        ("rep1", "c_rep1", 200),
        ("rep1", "c_rep2", 404),
        ("rep1", "c_other", 404),
        ("rep2", "c_rep1", 404),
        ("tel1", "c_rep1", 404),
        ("sup1", "c_rep1", 200),
        ("sup1", "c_rep2", 404),
        ("admin", "c_rep2", 200),
        ("admin", "c_other", 404),
        ("other_admin", "c_rep1", 404),
    ],
)
def test_customer_page_by_id_respects_scope(client, world, who, customer, status):
    """Tests that reading another portfolio's customer by id answers 404."""
    login(client, world[who].email)
    response = client.get(f"/carteira/clientes/{world[customer].id}")
    assert response.status_code == status


def test_portfolio_list_shows_only_own_customers(client, world):
    """Tests that the rep's list does not leak other portfolios."""
    login(client, world["rep1"].email)
    text = client.get("/carteira/").get_data(as_text=True)
    assert "Padaria do Rep Um" in text
    assert "Bar do Rep Dois" not in text
    assert "Cliente de Outra Empresa" not in text
