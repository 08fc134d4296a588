"""A company from scratch loads its own files (ERP headers, Windows-1252, `;`, 1.234,56, hours,
weekdays) through the CLI and the API, re-imports blanks without loss, round-trips, and gets routes
within hours."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Order, Plan, Receivable, Role, User
from app.services import api_tokens, routing
from app.services.imports import KINDS
from tests.factories import make_company, make_user
from tests.support.imports import quoted_csv, xlsx_bytes
from tests.support.planning import add_settings

TUESDAY = date(2026, 12, 1)
USERS = [
    "E-mail",
    "Nome",
    "Perfil",
    "Código do representante",
    "Equipe",
    "Dias de trabalho",
    "Início do expediente",
    "Fim do expediente",
    "Almoço a partir de",
    "Almoço até",
    "Almoço (min)",
    "Latitude da base",
    "Longitude da base",
    "Endereço da base",
]
USER_ROWS = [
    [
        "Joana.Campos@Atacado.com.br",
        "Joana Campos",
        "Vendedor",
        "V01",
        "Zona Leste",
        "seg-sex",
        "08:00",
        "17:00",
        "12:00",
        "13:30",
        "60",
        "-23,5400",
        "-46,5700",
        "Rua Tuiuti, 100 - Tatuapé",
    ],
    [
        "rui.sabado@atacado.com.br",
        "Rui Sábado",
        "RCA",
        "V02",
        "Zona Leste",
        "ter-sáb",
        "07:30",
        "16:30",
        "",
        "",
        "",
        "-23,5600",
        "-46,6000",
        "Av. Paulista, 900",
    ],
    [
        "lia@atacado.com.br",
        "Lia Fone",
        "televendas",
        "T01",
        "Zona Leste",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
]
ERP = [
    "COD_CLI",
    "RAZAO_SOCIAL",
    "NOME_FANTASIA",
    "ENDERECO",
    "BAIRRO",
    "MUNICIPIO",
    "UF",
    "LATITUDE",
    "LONGITUDE",
    "VENDEDOR",
    "LIMITE_CREDITO",
    "TEMPO_VISITA",
    "HORARIO_FUNC",
    "DIAS_ENTREGA",
    "COD_INTERNO",
]
MAPPING = {
    "COD_CLI": "erp_code",
    "RAZAO_SOCIAL": "legal_name",
    "NOME_FANTASIA": "trade_name",
    "ENDERECO": "street",
    "BAIRRO": "district",
    "MUNICIPIO": "city",
    "UF": "state",
    "LATITUDE": "latitude",
    "LONGITUDE": "longitude",
    "VENDEDOR": "owner",
    "LIMITE_CREDITO": "credit_limit",
    "TEMPO_VISITA": "service_minutes",
    "HORARIO_FUNC": "opening_hours",
    "DIAS_ENTREGA": "delivery_weekdays",
}
HOURS = [
    "seg-sex 08:00-12:00 14:00-18:00; sáb 08:00-12:00",
    "seg-sex 09:00-11:30",
    "seg-sex 13:00-17:00",
    "seg,qua,sex 08:00-18:00",
    "ter,qui 08:00-10:00 15:00-18:00",
]


def customer_rows() -> list[list[str]]:
    rows = []
    for i in range(12):
        rows.append(
            [
                f"{1000 + i}",
                f"Comércio Açaí {i} Ltda",
                f"Açaí {i}" if i % 3 else "",
                f"Rua Itapura, {10 + i}",
                "Tatuapé",
                "São Paulo",
                "SP",
                f"-23,{5380 + 7 * i:04d}",
                f"-46,{5650 + 9 * i:04d}",
                "V01" if i % 2 else "V02",
                f"{1 + i}.{i:03d},50",
                "20",
                HOURS[i % len(HOURS)],
                "seg,qua,sex" if i % 2 else "ter-sex",
                f"INT{i}",
            ]
        )
    return rows


@pytest.fixture
def scratch(db_session):
    """A company that is not the demo: its admin and fast planning budgets, nothing else."""
    company = make_company("Atacado Paulista")
    admin = make_user(company, Role.ADMIN, email="dono@atacado.com.br")
    add_settings(company)
    return company, admin


def invoke(runner, company, *args):
    out = runner.invoke(args=[*args, "--company", company.slug])
    assert out.exit_code == 0, out.output
    return out.output


def customers_of(company):
    return {
        c.erp_code: c
        for c in db.session.scalars(sa.select(Customer).where(Customer.company_id == company.id))
    }


def state(company):
    db.session.expire_all()
    return {
        code: {
            k: getattr(c, k)
            for k in (
                "legal_name",
                "trade_name",
                "street",
                "latitude",
                "owner_id",
                "credit_limit",
                "service_minutes",
                "opening_hours",
                "delivery_weekdays",
            )
        }
        for code, c in customers_of(company).items()
    }


def test_company_from_scratch_files_through_the_cli(scratch, runner, tmp_path):
    """Tests the issue's path on the CLI: users with profiles, ERP customers by mapping, orders,
    receivables, blanks re-imported without loss, an explicit clear, export -> import no-op, and
    routes within hours."""
    company, _admin = scratch
    users = tmp_path / "usuarios.csv"
    users.write_bytes(quoted_csv(USERS, USER_ROWS, delimiter=",", encoding="utf-8-sig"))
    assert "3 novos" in invoke(runner, company, "import", "users", str(users))
    rui = db.session.scalar(sa.select(User).where(User.email == "rui.sabado@atacado.com.br"))
    assert rui.work_profile.works_on(5)
    assert not rui.work_profile.works_on(0)

    mapping = tmp_path / "mapa-clientes.json"
    mapping.write_text(json.dumps({"columns": {**MAPPING, "COD_INTERNO": None}}), encoding="utf-8")
    erp = tmp_path / "CLIENTES.CSV"
    erp.write_bytes(quoted_csv(ERP, customer_rows(), encoding="cp1252"))
    out = invoke(
        runner,
        company,
        "import",
        "customers",
        str(erp),
        "--mapping",
        str(mapping),
        "--save-mapping",
    )
    assert "12 novos" in out
    assert "COD_INTERNO" in out
    first = customers_of(company)["1001"]
    assert (first.legal_name, str(first.credit_limit), first.delivery_weekdays) == (
        "Comércio Açaí 1 Ltda",
        "2001.50",
        0b0010101,
    )
    assert first.owner.email == "joana.campos@atacado.com.br"

    orders = tmp_path / "pedidos.csv"
    orders.write_bytes(
        quoted_csv(
            ["Pedido", "Cliente", "Data", "Vendedor", "SKU", "Descrição", "Qtde", "Preço"],
            [
                [
                    f"P{i}",
                    f"{1000 + i % 12}",
                    f"{1 + i % 27:02d}/10/2026",
                    "V01",
                    f"SKU{i % 4}",
                    "Água 500 ml",
                    "12",
                    "1,25",
                ]
                for i in range(30)
            ],
            encoding="cp1252",
        )
    )
    assert "30 novos" in invoke(runner, company, "import", "orders", str(orders))
    titles = tmp_path / "titulos.xlsx"
    titles.write_bytes(
        xlsx_bytes(
            ["Título", "Código do cliente", "Emissão", "Vencimento", "Valor"],
            [["T1", "1000", date(2026, 10, 1), date(2026, 10, 31), 1234.56]],
        )
    )
    assert "1 novos" in invoke(runner, company, "import", "receivables", str(titles))

    before = state(company)
    blanks = [[r[0], *[""] * (len(r) - 1)] for r in customer_rows()]
    erp.write_bytes(quoted_csv(ERP, blanks, encoding="cp1252"))
    assert "0 novos, 0 alterados, 12 sem alteração" in invoke(
        runner, company, "import", "customers", str(erp)
    )
    assert state(company) == before
    cleared = [[r[0], *[""] * 11, "-", *[""] * 2] for r in customer_rows()[:1]]
    erp.write_bytes(quoted_csv(ERP, cleared, encoding="cp1252"))
    assert "1 alterados" in invoke(runner, company, "import", "customers", str(erp))
    after = state(company)
    assert after["1000"]["opening_hours"] == {}
    assert {k: v for k, v in after.items() if k != "1000"} == {
        k: v for k, v in before.items() if k != "1000"
    }

    for kind in KINDS:
        path = tmp_path / f"{kind}-export.csv"
        invoke(runner, company, "export", kind, "--output", str(path))
        assert " 0 novos, 0 alterados" in invoke(runner, company, "import", kind, str(path)), kind

    planned = runner.invoke(
        args=[
            "plan",
            "--date",
            TUESDAY.isoformat(),
            "--executor",
            "inline",
            "--company",
            str(company.id),
        ]
    )
    assert planned.exit_code == 0, planned.output
    out = planned.output
    plans = db.session.scalars(
        sa.select(Plan).where(Plan.company_id == company.id, Plan.plan_date == TUESDAY)
    ).all()
    assert {p.user_id for p in plans} == {rui.id, first.owner_id}, out
    customers = {c.id: c for c in customers_of(company).values()}
    visits = [s for p in plans for s in p.stops if s.kind == "visit"]
    assert len(visits) >= 6, out
    for stop in visits:
        customer = customers[stop.customer_id]
        windows = routing.opening_intervals(customer.opening_hours, TUESDAY.weekday())
        if customer.opening_hours:
            assert any(
                a <= stop.start_s and stop.start_s + 60 * customer.service_minutes <= b
                for a, b in windows
            )
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Order).where(Order.company_id == company.id)
        )
        == 30
    )
    assert db.session.scalar(
        sa.select(Receivable.amount).where(Receivable.company_id == company.id)
    ) == Decimal("1234.56")


def test_company_from_scratch_through_the_api(scratch, client):
    """Tests the same rules on the REST API: users with profiles, customers, absent keys keep,
    null clears."""
    company, admin = scratch
    _token, clear = api_tokens.create(user=admin, name="ERP", actor=admin)
    db.session.flush()
    headers = {"Authorization": f"Bearer {clear}"}
    users = [
        {
            "email": "ana@atacado.com.br",
            "name": "Ana",
            "role": "rep",
            "erp_code": "V10",
            "work_days": "seg-sáb",
            "day_start": "08:00",
            "day_end": "17:00",
            "base_latitude": -23.54,
            "base_longitude": -46.57,
        }
    ]
    assert (
        client.post("/api/v1/users", json={"items": users}, headers=headers).get_json()["created"]
        == 1
    )
    items = [
        {
            "erp_code": f"A{i}",
            "legal_name": f"Loja {i}",
            "owner": "V10",
            "credit_limit": 1234.56,
            "latitude": -23.5 - i / 100,
            "longitude": -46.6,
            "opening_hours": HOURS[i % 5],
            "delivery_weekdays": "seg-sex",
        }
        for i in range(5)
    ]
    assert (
        client.post("/api/v1/customers", json={"items": items}, headers=headers).get_json()[
            "created"
        ]
        == 5
    )
    before = state(company)
    same = client.post(
        "/api/v1/customers",
        json={"items": [{"erp_code": f"A{i}"} for i in range(5)]},
        headers=headers,
    ).get_json()
    assert (same["updated"], same["unchanged"]) == (0, 5)
    assert state(company) == before
    cleared = client.post(
        "/api/v1/customers",
        json={"items": [{"erp_code": "A0", "owner": None, "opening_hours": None}]},
        headers=headers,
    ).get_json()
    assert cleared["fields"] == {"opening_hours": 1, "owner": 1}
    after = state(company)
    assert (after["A0"]["owner_id"], after["A0"]["opening_hours"]) == (None, {})
    assert {k: v for k, v in after.items() if k != "A0"} == {
        k: v for k, v in before.items() if k != "A0"
    }
