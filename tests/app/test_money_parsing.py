"""One reader of typed numbers (app/services/money.py) behind every money input: the rep's
visit, the telesales call and the import's cells, each keeping its own bounds and messages."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from app.rep.schemas import load_visit
from app.services import money, telesales
from app.services.imports import customers, receivables
from app.services.imports import values as v
from app.services.imports.orders import columns as order_columns
from app.services.visit_input import VisitError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("R$ 1.234", "1234"),
        ("R$\u00a01.234,50", "1234.50"),
        ("1,234.56", "1234.56"),
        ("1.234.567", "1234567"),
        ("-5", "-5"),
        ("- R$ 5,00", "-5.00"),
        ("-23.550520", "-23.550520"),  # a coordinate: six decimals cannot be a thousands group
        ("12.3456", "12.3456"),
        ("1234.567", "1234.567"),  # four digits before the mark: not a group either
        ("1.234,5678", "1234.5678"),
    ],
)
def test_read_number_in_pt_br(text: str, expected: str) -> None:
    """Tests the one reading of Brazilian numbers, signed, with any decimals."""
    assert money.read_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "   ", "-", "R$", "abc", "1e5", "1.23.4", "1,234,56", "5-"])
def test_read_number_refuses_what_is_not_a_number(text: str) -> None:
    """Tests that blanks, letters and separators that group nothing are refused."""
    with pytest.raises(money.MoneyError):
        money.read_number(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty amount"),
        ("-5", "an amount cannot be negative"),
        ("-1.234,56", "an amount cannot be negative"),
        ("1.000.000.000.000", "amount out of range"),
        ("9" * 40, "amount out of range"),
        ("12.3456", "at most two decimal places"),
        ("1.234,567", "at most two decimal places"),
    ],
)
def test_money_bounds_and_messages(text: str, message: str) -> None:
    """Tests parse_money's own bounds on top of the reader: never negative, below 10¹², cents."""
    with pytest.raises(money.MoneyError, match=message):
        money.parse_money(text)


def test_money_reads_the_cases_and_numbers() -> None:
    """Tests amounts given as text and as numbers come back in cents."""
    assert money.parse_money("R$ 1.234") == Decimal("1234.00")
    assert money.parse_money(99.9) == Decimal("99.90")
    with pytest.raises(money.MoneyError):
        money.parse_money(True)  # type: ignore[arg-type]


def _visit(order_value: object) -> dict[str, object]:
    return {
        "client_uuid": str(uuid.uuid4()),
        "customer_id": 1,
        "action": "check_out",
        "outcome": "order",
        "order_value": order_value,
    }


def _load(payload: dict[str, object]):  # type: ignore[no-untyped-def]
    """The phone's visit read at the API's boundary (app/rep/schemas.py), as the API reads it."""
    return load_visit(payload, locale="pt_BR")


def test_visit_order_value_uses_the_reader_with_its_own_message() -> None:
    """Tests the rep's order value: read like any amount, blank is no value, errors say which
    field (VisitError, answered 400)."""
    assert _load(_visit("1.234,56")).order_value == Decimal("1234.56")
    assert _load(_visit("1234.56")).order_value == Decimal("1234.56")
    assert _load(_visit("")).order_value is None
    with pytest.raises(VisitError, match="order_value: an amount cannot be negative"):
        _load(_visit("-10"))
    with pytest.raises(VisitError, match="order_value: amount out of range"):
        _load(_visit("1.000.000.000.000"))


def test_telesales_order_value_keeps_its_bounds() -> None:
    """Tests the call form's amount: positive or nothing (blank, zero, negative, junk)."""
    assert telesales.parse_money("R$ 1.234,56") == Decimal("1234.56")
    assert telesales.parse_money("1234.56") == Decimal("1234.56")
    for text in (None, "", "0", "-5", "abc", "1.000.000.000.000"):
        assert telesales.parse_money(text) is None


def test_import_cells_use_the_reader_and_keep_their_messages() -> None:
    """Tests the import's cells: Brazilian numbers read as on the phone (`R$ 1.234` is a
    thousand and more, `1,234.56` no longer loses its thousands), the import's own limits and
    messages, and each column's sign rule."""
    assert v.decimal("R$ 1.234") == Decimal("1234")
    assert v.decimal("1,234.56") == Decimal("1234.56")
    assert v.decimal("-23,5") == Decimal("-23.5")
    assert v.decimal(12.5) == Decimal("12.5")
    with pytest.raises(v.CellError, match="not a number"):
        v.decimal("doze")
    with pytest.raises(v.CellError, match="not a number"):
        v.decimal("")
    with pytest.raises(v.CellError, match="number too large"):
        v.decimal("99.999.999.999,00")
    with pytest.raises(v.CellError, match="must not be negative"):
        order_columns._total("-5,00")
    with pytest.raises(v.CellError, match="must not be negative"):
        customers._money("-1.234,56")
    with pytest.raises(v.CellError, match="must be greater than zero"):
        receivables._amount("0,00")
    assert order_columns._price("12,3456") == Decimal("12.3456")
    assert customers._money("R$ 1.234,567") == Decimal("1234.57")  # the column's cents
