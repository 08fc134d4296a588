"""Builders for the rep's day: a plan with ordered stops, scores and planning settings."""

from __future__ import annotations

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
        planning={"checkin_radius_m": radius_m, "no_sale_reasons": NO_SALE_REASONS},
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


def make_score(customer: Customer, day: date, *, total: float = 60.0, flags: int = 8) -> ScoreSnapshot:
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
