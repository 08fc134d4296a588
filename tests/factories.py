"""Builders for test data: small, explicit, flushed (never committed)."""

from __future__ import annotations

import itertools
from datetime import date, time
from decimal import Decimal
from typing import Any

from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    Channel,
    Company,
    Contact,
    ContactKind,
    Customer,
    Order,
    OrderLine,
    Outcome,
    Receivable,
    Role,
    Team,
    User,
    WorkProfile,
)

PASSWORD = "senha-teste-123"
# Hashing is slow on purpose (scrypt, ~0.1 s to hash and again to check). The common test
# password is hashed once, with a one-round PBKDF2: every test login checks it, about a
# thousand times a run; the check is the same code (werkzeug reads the method from the hash).
# Passwords set through the app (`User.set_password`, any other password here) keep the
# production method.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
_seq = itertools.count(1)

WEEKDAY_HOURS = {k: [["08:00", "18:00"]] for k in ("mon", "tue", "wed", "thu", "fri")}


def make_company(name: str = "Distribuidora Teste") -> Company:
    n = next(_seq)
    company = Company(name=f"{name} {n}", slug=f"empresa-{n}")
    db.session.add(company)
    db.session.flush()
    return company


def make_team(company: Company, name: str | None = None) -> Team:
    team = Team(company_id=company.id, name=name or f"Equipe {next(_seq)}")
    db.session.add(team)
    db.session.flush()
    return team


def make_user(
    company: Company,
    role: Role = Role.REP,
    team: Team | None = None,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    with_profile: bool = False,
    **fields: Any,
) -> User:
    n = next(_seq)
    user = User(
        company_id=company.id,
        team_id=team.id if team else None,
        email=email or f"{role.value}{n}@teste.roteiro.app",
        name=fields.pop("name", f"Usuário {n}"),
        role=role,
        **fields,
    )
    if password == PASSWORD:
        user.password_hash = PASSWORD_HASH
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    if with_profile:
        db.session.add(
            WorkProfile(
                user_id=user.id,
                start_lat=-23.55,
                start_lon=-46.63,
                end_lat=-23.55,
                end_lon=-46.63,
                day_start=time(8),
                day_end=time(18),
            )
        )
        db.session.flush()
    return user


def make_customer(company: Company, owner: User | None, **fields: Any) -> Customer:
    n = next(_seq)
    values: dict[str, Any] = {
        "company_id": company.id,
        "owner_id": owner.id if owner else None,
        "erp_code": f"C{n:05d}",
        "legal_name": f"Comércio Teste {n} Ltda",
        "trade_name": f"Mercearia Teste {n}",
        "segment": "mercearia",
        "district": "Tatuapé",
        "city": "São Paulo",
        "state": "SP",
        "latitude": -23.54,
        "longitude": -46.576,
        "opening_hours": WEEKDAY_HOURS,
        "channel": Channel.FIELD,
        "credit_limit": Decimal("5000.00"),
    }
    values.update(fields)
    customer = Customer(**values)
    db.session.add(customer)
    db.session.flush()
    return customer


def make_order(
    customer: Customer, day: date, lines: list[tuple[str, Decimal]] | None = None
) -> Order:
    lines = lines or [("Bebidas", Decimal("100.00"))]
    n = next(_seq)
    order = Order(
        company_id=customer.company_id,
        customer_id=customer.id,
        erp_code=f"P{n:06d}",
        order_date=day,
        total=sum((v for _, v in lines), Decimal("0")),
    )
    for i, (category, value) in enumerate(lines):
        order.lines.append(
            OrderLine(
                product_code=f"SKU{i}",
                product_name=f"Produto {category} {i}",
                category=category,
                quantity=Decimal("1"),
                unit_price=value,
                total=value,
            )
        )
    db.session.add(order)
    db.session.flush()
    return order


def make_receivable(
    customer: Customer,
    due: date,
    amount: Decimal,
    paid: date | None = None,
    issued: date | None = None,
) -> Receivable:
    n = next(_seq)
    rec = Receivable(
        company_id=customer.company_id,
        customer_id=customer.id,
        erp_code=f"T{n:06d}",
        issue_date=issued or due,
        due_date=due,
        amount=amount,
        paid_date=paid,
    )
    db.session.add(rec)
    db.session.flush()
    return rec


def make_contact(
    customer: Customer,
    user: User,
    day: date,
    kind: ContactKind = ContactKind.VISIT,
    outcome: Outcome | None = Outcome.NO_SALE,
    **fields: Any,
) -> Contact:
    contact = Contact(
        company_id=customer.company_id,
        customer_id=customer.id,
        user_id=user.id,
        kind=kind,
        contact_date=day,
        outcome=outcome,
        **fields,
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def two_teams() -> dict[str, Any]:
    """A company with two teams (rep + telesales + supervisor each), an admin, and a
    second company; one customer per portfolio. The usual authorisation world."""
    company = make_company()
    other_company = make_company("Outra Distribuidora")
    t1, t2 = make_team(company, "Equipe Norte"), make_team(company, "Equipe Sul")
    world: dict[str, Any] = {
        "company": company,
        "other_company": other_company,
        "admin": make_user(company, Role.ADMIN),
        "sup1": make_user(company, Role.SUPERVISOR, t1),
        "sup2": make_user(company, Role.SUPERVISOR, t2),
        "rep1": make_user(company, Role.REP, t1, with_profile=True),
        "rep2": make_user(company, Role.REP, t2, with_profile=True),
        "tel1": make_user(company, Role.TELESALES, t1),
        "other_admin": make_user(other_company, Role.ADMIN),
    }
    world["other_rep"] = make_user(other_company, Role.REP, with_profile=True)
    world["c_rep1"] = make_customer(company, world["rep1"], trade_name="Padaria do Rep Um")
    world["c_rep2"] = make_customer(company, world["rep2"], trade_name="Bar do Rep Dois")
    world["c_tel1"] = make_customer(
        company, world["tel1"], trade_name="Farmácia do Televendas", channel=Channel.TELESALES
    )
    world["c_other"] = make_customer(
        other_company, world["other_rep"], trade_name="Cliente de Outra Empresa"
    )
    return world
