"""The columns of the orders file: one row per order line, the order's code first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.services.imports import values as v
from app.services.imports.base import Column


def _quantity(value: Any) -> Decimal:
    return v.amount(value, 3, positive=True)


def _price(value: Any) -> Decimal:
    return v.amount(value, 4)


def _total(value: Any) -> Decimal:
    return v.amount(value, 2)


COLUMNS: tuple[Column, ...] = (
    Column(
        "order_code",
        "Pedido",
        aliases=("número do pedido", "numero pedido", "código do pedido", "order code"),
        identity=True,
        required=True,
        max_length=60,
        example="P000981",
    ),
    Column(
        "customer_code",
        "Código do cliente",
        aliases=("cliente", "cod cliente", "customer code"),
        required=True,
        max_length=60,
        example="C00123",
    ),
    Column(
        "order_date",
        "Data",
        parse=v.day,
        aliases=("data do pedido", "emissão", "emissao", "order date"),
        required=True,
        example="23/11/2026",
        api="date",
    ),
    Column(
        "rep_code",
        "Representante",
        aliases=("código do representante", "vendedor", "cod vendedor", "rep code"),
        max_length=60,
        clearable=True,
        example="R010",
    ),
    Column(
        "product_code",
        "Código do produto",
        aliases=("produto", "sku", "cod produto", "product code"),
        required=True,
        max_length=60,
        example="7891000100103",
    ),
    Column(
        "product_name",
        "Descrição",
        aliases=("descrição do produto", "descricao", "nome do produto", "product name"),
        max_length=200,
        example="Refrigerante 2 L",
    ),
    Column(
        "category",
        "Categoria",
        aliases=("grupo", "família", "familia", "category"),
        max_length=80,
        example="Bebidas",
    ),
    Column(
        "quantity",
        "Quantidade",
        parse=_quantity,
        aliases=("qtd", "qtde", "quantity"),
        required=True,
        example="12",
        api="number",
    ),
    Column(
        "unit_price",
        "Preço unitário",
        parse=_price,
        aliases=("preço", "preco", "valor unitário", "valor unitario", "unit price"),
        required=True,
        example="7,49",
        api="number",
    ),
    Column(
        "total",
        "Total do item",
        parse=_total,
        aliases=("valor total", "total", "line total"),
        example="89,88",
        api="number",
    ),
)

LINE_FIELDS = ("product_code", "product_name", "category", "quantity", "unit_price", "total")
# Every line needs these (a line is replaced whole); customer and date only a new order.
LINE_REQUIRED = ("product_code", "quantity", "unit_price")
HEAD_REQUIRED = ("customer_code", "order_date")
BY_KEY = {c.key: c for c in COLUMNS}
