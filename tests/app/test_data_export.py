"""Export in the templates' columns, then import: nothing changes (CSV, XLSX, keys);
plans as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, Plan, PlanStop, Role, User, WorkProfile
from app.services import data_export
from app.services.imports import KINDS, import_file
from tests.factories import (
    make_company,
    make_customer,
    make_order,
    make_receivable,
    make_team,
    make_user,
)

FORMATS = [("csv", False), ("csv", True), ("xlsx", False), ("xlsx", True)]


@pytest.fixture
def company(db_session):
    """A company with odd data: a Saturday rep, a seat without profile, precise numbers, hours,
    restrictions."""
    company = make_company()
    team = make_team(company, "Equipe Centro")
    make_user(company, Role.ADMIN, email="admin@centro.com.br")
    rep = make_user(
        company,
        Role.REP,
        team,
        email="sabado@centro.com.br",
        erp_code="R7",
        phone="(11) 90000-0001",
    )
    db.session.add(
        WorkProfile(
            user_id=rep.id,
            start_lat=-23.5612345,
            start_lon=-46.6554321,
            end_lat=-23.5612345,
            end_lon=-46.6554321,
            start_address="Rua Augusta, 10",
            end_address="Rua Augusta, 10",
            day_start=time(7, 30),
            day_end=time(16, 0),
            lunch_earliest=time(11),
            lunch_latest=time(12, 15),
            lunch_minutes=45,
            max_working_minutes=480,
            working_weekdays=0b0111111,
        )
    )
    make_user(company, Role.TELESALES, team, email="mesa@centro.com.br", erp_code="T1")
    make_user(company, Role.SUPERVISOR, team, email="chefe@centro.com.br", active=False)
    a = make_customer(
        company,
        rep,
        erp_code="0042",
        latitude=-23.123456789,
        longitude=-46.987654321,
        opening_hours={
            "mon": [["08:00", "12:00"], ["13:00", "18:00"]],
            "sat": [["08:00", "12:00"]],
        },
        delivery_weekdays=0b0010101,
        credit_limit=Decimal("12345.67"),
        notes="Portão azul",
    )
    b = make_customer(
        company,
        None,
        erp_code="C-2",
        opening_hours={},
        delivery_weekdays=0,
        channel=Channel.TELESALES,
        street=None,
        city=None,
        latitude=None,
        longitude=None,
        active=False,
    )
    order = make_order(
        a, date(2026, 10, 5), [("Bebidas", Decimal("10.50")), ("Limpeza", Decimal("3.25"))]
    )
    order.rep_id = rep.id
    order.lines[0].quantity, order.lines[0].unit_price = Decimal("2.500"), Decimal("4.2000")
    make_order(b, date(2026, 10, 6))
    make_receivable(a, date(2026, 11, 30), Decimal("1500.00"), issued=date(2026, 11, 1))
    make_receivable(b, date(2026, 11, 30), Decimal("99.90"), paid=date(2026, 12, 2))
    db.session.flush()
    return company


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("fmt", "keys"), FORMATS)
def test_export_then_import_changes_nothing(company, kind, fmt, keys):
    """Tests the round trip of every kind, in CSV and XLSX, with pt-BR headers and
    with field keys."""
    raw = data_export.export_kind(kind=kind, company_id=company.id, fmt=fmt, keys=keys)
    result = import_file(
        kind=kind,
        raw=raw,
        filename=f"export.{fmt}",
        company_id=company.id,
        actor_id=None,
        dry_run=True,
    )
    assert result.problems == []
    assert result.notes == []
    assert result.rows > 0
    assert (result.created, result.updated) == (0, 0), result.changes.rows
    assert result.changes.counts == {}


def test_export_headers_keys_and_cells(company):
    """Tests the header forms and the cell formats an admin edits (pt-BR numbers,
    hours, weekdays)."""
    text = data_export.export_kind(kind="customers", company_id=company.id).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Código", "Razão social", "Nome fantasia"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Latitude"] == "-23,123456789"
    assert first["Limite de crédito"] == "12345,67"
    assert first["Horário de funcionamento"] == "seg 08:00-12:00 13:00-18:00; sáb 08:00-12:00"
    assert first["Dias de entrega"] == "seg,qua,sex"
    assert first["Ativo"] == "sim"
    keyed = data_export.export_kind(kind="users", company_id=company.id, keys=True).decode(
        "utf-8-sig"
    )
    header, *users = list(csv.reader(io.StringIO(keyed), delimiter=";"))
    assert header[:3] == ["email", "name", "role"]
    rep = dict(zip(header, next(u for u in users if u[0] == "sabado@centro.com.br"), strict=True))
    assert (rep["work_days"], rep["day_start"], rep["lunch_start"], rep["lunch_end"]) == (
        "seg-sáb",
        "07:30",
        "11:00",
        "13:00",
    )
    assert rep["base_latitude"] == "-23,5612345"


def test_cli_export_every_kind_and_reimport(company, runner, tmp_path):
    """Tests `flask export KIND --output`, then `flask import KIND` of the file: no change."""
    for kind in KINDS:
        path = tmp_path / f"{kind}.xlsx"
        out = runner.invoke(
            args=[
                "export",
                kind,
                "--format",
                "xlsx",
                "--output",
                str(path),
                "--company",
                company.slug,
            ]
        )
        assert out.exit_code == 0, out.output
        back = runner.invoke(args=["import", kind, str(path), "--company", company.slug])
        assert back.exit_code == 0, back.output
        assert " 0 novos, 0 alterados" in back.output
    stdout = runner.invoke(args=["export", "receivables", "--keys", "--company", company.slug])
    assert stdout.output.lstrip("\ufeff").startswith("erp_code;customer_code;issue_date")


def test_plans_export(company, runner):
    """Tests the plans CSV: a row per visit in order (local HH:MM), a row per dropped candidate."""
    rep = db.session.scalar(sa.select(User).where(User.email == "sabado@centro.com.br"))
    customers = {c.erp_code: c for c in company_customers(company)}
    day = date(2026, 11, 28)
    plan = Plan(
        company_id=company.id,
        user_id=rep.id,
        plan_date=day,
        start_s=7 * 3600,
        end_s=16 * 3600,
        dropped=[{"customer_id": customers["C-2"].id, "reason": "no_time_left", "score": 3.5}],
    )
    plan.stops.append(
        PlanStop(
            seq=1,
            customer_id=customers["0042"].id,
            arrival_s=8 * 3600 + 5 * 60,
            start_s=8 * 3600 + 5 * 60,
            departure_s=8 * 3600 + 25 * 60,
        )
    )
    plan.stops.append(
        PlanStop(seq=2, kind="lunch", arrival_s=11 * 3600, start_s=11 * 3600, departure_s=12 * 3600)
    )
    db.session.add(plan)
    db.session.flush()
    out = runner.invoke(args=["export", "plans", "--date", "2026-11-28", "--company", company.slug])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [
        "rep_email,rep_code,position,customer_code,arrival,departure,dropped_reason",
        "sabado@centro.com.br,R7,1,0042,08:05,08:25,",
        "sabado@centro.com.br,R7,,C-2,,,no_time_left",
    ]
    empty = runner.invoke(
        args=["export", "plans", "--date", "2026-11-29", "--company", company.slug]
    )
    assert empty.output.splitlines() == [
        "rep_email,rep_code,position,customer_code,arrival,departure,dropped_reason"
    ]
    assert runner.invoke(args=["export", "plans", "--company", company.slug]).exit_code == 2


def company_customers(company):
    from app.models import Customer

    return db.session.scalars(sa.select(Customer).where(Customer.company_id == company.id)).all()
