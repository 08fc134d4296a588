"""Money and quantities beyond their columns: a row problem or a 400/422 on every path,
never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Contact, Customer, Order, Receivable
from app.services import api_tokens
from app.services.clock import local_today
from app.services.imports import import_file
from tests.factories import two_teams
from tests.support.rep import make_plan, make_settings
from tests.support.web import csrf_token, login

ORDER_HEADER = "Pedido;Cliente;Data;Produto;Quantidade;Preço unitário;Total\r\n"


@pytest.fixture
def world(db_session):
    return two_teams()


def bearer(user) -> dict[str, str]:
    _token, clear = api_tokens.create(user=user, name="bounds", actor=user)
    db.session.flush()
    return {"Authorization": f"Bearer {clear}"}


def _orders_file(world, lines: list[tuple[str, str, str]]) -> bytes:
    code = world["c_rep1"].erp_code
    body = "".join(
        f"P1;{code};20/11/2026;SKU{i};{qty};{price};{total}\r\n"
        for i, (qty, price, total) in enumerate(lines)
    )
    return (ORDER_HEADER + body).encode("utf-8")


def _import(world, kind: str, raw: bytes):
    result = import_file(
        kind=kind,
        raw=raw,
        filename=f"{kind}.csv",
        company_id=world["company"].id,
        actor_id=None,
        dry_run=False,
    )
    if not result.ok:
        db.session.rollback()
    return result


@pytest.mark.parametrize(
    ("lines", "column"),
    [
        # Each cell fits, the product does not fit NUMERIC(14, 2).
        ([("9999999999", "9999999999", "")], "Total do item"),
        # Each line total fits, the order total (their sum) does not.
        ([("1", "9000000000", "")] * 200, "Total do item"),
        # Rounding to the column's four decimals carries into an eleventh whole digit.
        ([("1", "9999999999,99999", "")], "Preço unitário"),
        ([("1", "10", "-5")], "Total do item"),
        ([("-1", "10", "")], "Quantidade"),
        ([("1", "-10", "")], "Preço unitário"),
    ],
)
def test_order_file_beyond_the_columns_is_a_row_problem(world, lines, column):
    """Tests orders whose quantities, prices or totals cannot be stored: problems,
    nothing written."""
    result = _import(world, "orders", _orders_file(world, lines))
    assert [(p.row, p.column) for p in result.problems][:1] == [(2, column)], result.problems
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_largest_storable_order_round_trips_exactly(world):
    """Tests the edge that fits: stored and read back to the cent on both databases."""
    lines = [("1", "9999999999", "")] * 99
    result = _import(world, "orders", _orders_file(world, lines))
    assert result.ok, result.problems
    db.session.flush()
    order = db.session.scalar(sa.select(Order))
    assert order.total == Decimal("989999999901.00")


@pytest.mark.parametrize(
    ("header", "row", "column"),
    [
        ("Código;Razão social;Limite de crédito", "B1;Loja;99999999999999", "Limite de crédito"),
        ("Código;Razão social;Limite de crédito", "B1;Loja;-1", "Limite de crédito"),
        (
            "Código;Razão social;Frequência de visita (dias)",
            "B1;Loja;9999999999",
            "Frequência de visita (dias)",
        ),
        (
            "Código;Razão social;Tempo de atendimento (min)",
            "B1;Loja;100000",
            "Tempo de atendimento (min)",
        ),
    ],
)
def test_customer_numbers_beyond_their_columns(world, header, row, column):
    """Tests credit limits and whole numbers that would overflow (or make no sense)."""
    result = _import(world, "customers", f"{header}\r\n{row}\r\n".encode())
    assert [(p.row, p.column) for p in result.problems] == [(2, column)]
    assert db.session.scalar(sa.select(Customer).where(Customer.erp_code == "B1")) is None


def test_receivable_amount_beyond_the_column(world):
    code = world["c_rep1"].erp_code
    raw = (
        "Título;Cliente;Emissão;Vencimento;Valor\r\n"
        f"T1;{code};01/11/2026;01/12/2026;1000000000000\r\n"
    ).encode()
    result = _import(world, "receivables", raw)
    assert {(p.row, p.column) for p in result.problems} == {(2, "Valor")}
    assert "grande demais" in result.problems[0].message  # pt-BR outside a request
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Receivable)) == 0


def test_api_orders_beyond_the_columns_are_422(client, world):
    """Tests the REST API: a 422 naming the item, for a product and for a sum too large."""
    headers = bearer(world["admin"])
    order = {
        "order_code": "PX",
        "customer_code": world["c_rep1"].erp_code,
        "order_date": "2026-11-20",
        "lines": [{"product_code": "A", "quantity": 9e9, "unit_price": 9e9}],
    }
    answer = client.post("/api/v1/orders", json={"items": [order]}, headers=headers)
    assert answer.status_code == 422
    assert [(d["item"], d["column"]) for d in answer.get_json()["error"]["details"]] == [
        (0, "total")
    ]
    order["lines"] = [{"product_code": "A", "quantity": 1e300, "unit_price": 1}]
    answer = client.post("/api/v1/orders", json={"items": [order]}, headers=headers)
    assert answer.status_code == 422
    customer = {"erp_code": "Z1", "legal_name": "Loja", "credit_limit": 1e13}
    answer = client.post("/api/v1/customers", json={"items": [customer]}, headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"][0]["column"] == "credit_limit"


def test_rep_order_value_beyond_the_column(client, world):
    """Tests the rep's visit: an amount too large is refused with a 400 (telesales:
    test_telesales)."""
    make_settings(world["company"].id)
    plan = make_plan(world["rep1"], [world["c_rep1"]], local_today())
    login(client, world["rep1"].email)
    token = csrf_token(client, "/auth/me")
    stop = plan.stops[0]
    answer = client.post(
        "/api/rep/contacts",
        json={
            "client_uuid": "7d3f0f55-0a31-4b3c-9a47-7f3c39b1e001",
            "customer_id": stop.customer_id,
            "stop_id": stop.id,
            "action": "check_out",
            "outcome": "order",
            "order_value": "9" * 30,
        },
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 400
    assert "order_value" in answer.get_json()["error"]["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0
