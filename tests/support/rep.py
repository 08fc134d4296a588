"""Builders for the rep's day: a plan with ordered stops, scores and planning settings."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.extensions import db
from app.models import (
    CompanySettings,
    Customer,
    Plan,
    PlanStatus,
    PlanStop,
    ScoreSnapshot,
    User,
)

NO_SALE_REASONS = [
    {"key": "estoque_cheio", "label": "Estoque cheio", "label_en": "Fully stocked"},
    {"key": "preco", "label": "Preço", "label_en": "Price"},
]


def make_settings(company_id: int, *, radius_m: int = 300, version: int = 1) -> CompanySettings:
    """A settings version with the visit-flow keys."""
    row = CompanySettings(
        company_id=company_id,
        version=version,
        planning={"check_in_radius_m": radius_m, "no_sale_reasons": NO_SALE_REASONS},
    )
    db.session.add(row)
    db.session.flush()
    return row


def make_plan(
    rep: User,
    customers: list[Customer],
    day: date,
    *,
    start_s: int = 8 * 3600,
    status: PlanStatus = PlanStatus.PLANNED,
    **fields: Any,
) -> Plan:
    """A plan visiting the customers in order, 30 min apart, 20 min each."""
    plan = Plan(
        company_id=rep.company_id,
        user_id=rep.id,
        plan_date=day,
        status=status,
        start_s=start_s,
        end_s=start_s + 1800 * (len(customers) + 1),
        total_m=2500 * (len(customers) + 1),
        **fields,
    )
    for i, customer in enumerate(customers):
        arrival = start_s + 1800 * (i + 1)
        plan.stops.append(
            PlanStop(
                seq=i,
                kind="visit",
                customer_id=customer.id,
                arrival_s=arrival,
                start_s=arrival,
                departure_s=arrival + 1200,
                travel_s=600,
                travel_m=2500,
                score=50.0 - i,
            )
        )
    db.session.add(plan)
    db.session.flush()
    return plan


def make_score(
    customer: Customer, day: date, *, total: float = 60.0, flags: int = 8
) -> ScoreSnapshot:
    """A score snapshot with two reasons and an offer."""
    snap = ScoreSnapshot(
        company_id=customer.company_id,
        customer_id=customer.id,
        score_date=day,
        total=total,
        flags=flags,
        reasons=[
            {"key": "days_without_purchase", "values": {"days": 32, "cycle": 14}},
            {"key": "overdue_collect", "values": {"amount": 820.0, "days": 9}},
        ],
        offers=[{"category": "Bebidas"}],
    )
    db.session.add(snap)
    db.session.flush()
    return snap


ALL_DAY = {k: [["00:00", "23:59"]] for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
MON_SAT = 0b0111111


def make_field_rep(
    company_id: int,
    day: date,
    *,
    positions: list[tuple[float, float]],
    start_s: int = 8 * 3600,
    weekdays: int = MON_SAT,
    customer_fields: list[dict[str, Any]] | None = None,
) -> tuple[User, Plan]:
    """A new rep who may work any hour of any listed weekday, with a plan visiting new
    customers of his own portfolio at ``positions``, in that order (for browser tests that
    must not share a rep)."""
    from datetime import time

    from app.models import Company, Role, WorkProfile
    from tests.factories import make_customer, make_user

    company = db.session.get(Company, company_id)
    assert company is not None
    rep = make_user(company, Role.REP)
    db.session.add(
        WorkProfile(
            user_id=rep.id,
            start_lat=-23.55,
            start_lon=-46.63,
            end_lat=-23.55,
            end_lon=-46.63,
            day_start=time(0, 5),
            day_end=time(23, 55),
            lunch_earliest=None,
            lunch_latest=None,
            max_working_minutes=1430,
            working_weekdays=weekdays,
        )
    )
    extra = customer_fields or [{} for _ in positions]
    tag = uuid.uuid4().hex[:6].upper()  # never clashes with codes already in the company
    customers = [
        make_customer(
            company,
            rep,
            latitude=lat,
            longitude=lon,
            opening_hours=ALL_DAY,
            service_minutes=10,
            **{"erp_code": f"T{tag}-{i}", "trade_name": f"Loja {tag} {i + 1}", **fields},
        )
        for i, ((lat, lon), fields) in enumerate(zip(positions, extra, strict=True))
    ]
    plan = make_plan(rep, customers, day, start_s=start_s)
    return rep, plan
