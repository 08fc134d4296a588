"""A company created from scratch the way a new customer of Roteiro would: no demo data.

The company comes from `flask company create`'s service, its people from the people
service (the rules of the admin pages), its customers from plain rows near São Paulo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from app.extensions import db
from app.models import Company, Customer, Role, User
from app.services import companies, people
from tests.factories import make_customer

BASE = (-23.55, -46.63)
SATURDAY_HOURS = "seg-sex 08:00-18:00; sáb 08:00-13:00"
MON_FRI = 0b0011111
MON_SAT = 0b0111111


@dataclass
class ScratchCompany:
    """The company, its admin, its reps by name and their customers."""

    company: Company
    admin: User
    reps: dict[str, User] = field(default_factory=dict)
    customers: dict[int, list[Customer]] = field(default_factory=dict)


def rep_profile(work_days: int = MON_FRI, **overrides: Any) -> dict[str, Any]:
    """A work profile's field values (base in the centre, 08:00-18:00, lunch around noon)."""
    values = {
        "work_days": work_days,
        "day_start": time(8),
        "day_end": time(18),
        "lunch_start": time(11, 30),
        "lunch_end": time(13, 30),
        "lunch_minutes": 60,
        "max_work_minutes": 540,
        "base_latitude": BASE[0],
        "base_longitude": BASE[1],
        "base_address": "Praça da Sé, São Paulo",
    }
    values.update(overrides)
    return values


def scratch_company(
    *,
    state: str = "SP",
    reps: dict[str, int] | None = None,
    customers: int = 5,
    seed: int = 3,
    name: str | None = None,
) -> ScratchCompany:
    """Create a company (recommended settings), an admin and reps with profiles and customers.

    ``reps`` maps a short name to the rep's working weekdays (bit mask, Monday = bit 0).
    """
    rng = random.Random(seed)
    tag = rng.randrange(10**8)
    created = companies.create_company(
        name=name or f"Atacado Novo {tag}",
        admin_email=f"admin{tag}@novo.example",
        admin_name="Admin Novo",
        password="senha-teste-123",
        state=state,
    )
    world = ScratchCompany(created.company, created.admin)
    for short, work_days in (
        {"semana": MON_FRI, "sabado": MON_SAT} if reps is None else reps
    ).items():
        new = people.create_user(
            actor=created.admin,
            company_id=created.company.id,
            password="senha-teste-123",
            values={
                "email": f"{short}{tag}@novo.example",
                "name": f"Rep {short}",
                "role": Role.REP,
                "erp_code": f"R-{short}",
            },
        )
        people.update_work_profile(
            actor=created.admin, user=new.user, values=rep_profile(work_days)
        )
        world.reps[short] = new.user
        world.customers[new.user.id] = [
            make_customer(
                created.company,
                new.user,
                latitude=BASE[0] + rng.uniform(-0.02, 0.02),
                longitude=BASE[1] + rng.uniform(-0.02, 0.02),
                service_minutes=20,
                opening_hours={
                    "mon": [["08:00", "18:00"]],
                    "tue": [["08:00", "18:00"]],
                    "wed": [["08:00", "18:00"]],
                    "thu": [["08:00", "18:00"]],
                    "fri": [["08:00", "18:00"]],
                    "sat": [["08:00", "13:00"]],
                    "sun": [],
                },
            )
            for _ in range(customers)
        ]
    db.session.flush()
    return world
