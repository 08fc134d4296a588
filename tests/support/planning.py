"""Builders for planning tests: a small company whose reps have scored, routable customers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.extensions import db
from app.models import Company, CompanySettings, Customer, Role, ScoreSnapshot, User
from tests.factories import make_company, make_customer, make_team, make_user

BASE = (-23.55, -46.63)  # Praça da Sé
SPLIT_HOURS = {
    k: [["08:00", "12:00"], ["14:00", "18:00"]] for k in ("mon", "tue", "wed", "thu", "fri")
}


@dataclass
class PlanningWorld:
    """A company, its reps and each rep's customers."""

    company: Company
    reps: list[User]
    customers: dict[int, list[Customer]] = field(default_factory=dict)
    admin: User | None = None
    supervisor: User | None = None


def add_settings(
    company: Company,
    *,
    version: int = 1,
    planning: dict[str, Any] | None = None,
    policy: str = "skip",
) -> CompanySettings:
    """Add a settings version with fast solver budgets for tests."""
    values = {
        "day_seconds": 0.1,
        "agenda_seconds_per_day": 0.05,
        "plan_horizon_days": 3,
    }
    values.update(planning or {})
    row = CompanySettings(
        company_id=company.id,
        version=version,
        scoring={},
        planning=values,
        policies={"collection_policy": policy, "overdue_tolerance_days": 5},
    )
    db.session.add(row)
    db.session.flush()
    return row


def score(customer: Customer, day: date, total: float, flags: int = 0) -> ScoreSnapshot:
    """Add a score snapshot for a customer on a day."""
    snap = ScoreSnapshot(
        company_id=customer.company_id,
        customer_id=customer.id,
        score_date=day,
        total=total,
        flags=flags,
    )
    db.session.add(snap)
    return snap


def planning_world(
    *,
    reps: int = 2,
    customers: int = 8,
    day: date,
    seed: int = 1,
    settings: dict[str, Any] | None = None,
) -> PlanningWorld:
    """Build a company with ``reps`` reps, each with scored customers near the centre."""
    rng = random.Random(seed)
    company = make_company()
    add_settings(company, planning=settings)
    team = make_team(company)
    world = PlanningWorld(company=company, reps=[])
    world.admin = make_user(company, Role.ADMIN)
    world.supervisor = make_user(company, Role.SUPERVISOR, team)
    for _ in range(reps):
        rep = make_user(company, Role.REP, team, with_profile=True)
        world.reps.append(rep)
        world.customers[rep.id] = []
        for _ in range(customers):
            cust = make_customer(
                company,
                rep,
                latitude=BASE[0] + rng.uniform(-0.03, 0.03),
                longitude=BASE[1] + rng.uniform(-0.03, 0.03),
                service_minutes=20,
            )
            world.customers[rep.id].append(cust)
            score(cust, day, round(rng.uniform(10, 90), 2))
    db.session.flush()
    return world
