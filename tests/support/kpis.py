"""A small hand-computed world for the KPI tests (figures worked out in tests/app/test_kpis.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.extensions import db
from app.models import (
    ContactKind,
    Outcome,
    Plan,
    PlanStop,
    Role,
    ScoreSnapshot,
    StopStatus,
)
from tests.factories import (
    make_company,
    make_contact,
    make_customer,
    make_order,
    make_receivable,
    make_team,
    make_user,
)

TODAY = date(2026, 11, 23)


def _orders(customer: Any, *orders: tuple[date, str]) -> None:
    for day, value in orders:
        make_order(customer, day, [("Bebidas", Decimal(value))])


def _snapshot(customer: Any, flags: int, cycle: float) -> None:
    db.session.add(
        ScoreSnapshot(
            company_id=customer.company_id,
            customer_id=customer.id,
            score_date=TODAY,
            total=50.0,
            flags=flags,
            cycle_days=cycle,
            reasons=[],
            offers=[],
        )
    )


def kpi_world() -> dict[str, Any]:
    """One team (reps A and B, a supervisor), five customers, one outsider team and an
    inactive one."""
    company = make_company()
    team, other_team = make_team(company), make_team(company)
    w: dict[str, Any] = {"company": company}
    w["sup"] = make_user(company, Role.SUPERVISOR, team)
    w["admin"] = make_user(company, Role.ADMIN)
    w["rep_a"] = make_user(company, Role.REP, team, with_profile=True, name="Ana Rep")
    w["rep_b"] = make_user(company, Role.REP, team, with_profile=True, name="Bruno Rep")
    w["rep_x"] = make_user(company, Role.REP, other_team, with_profile=True, name="Xavier Rep")
    a, b = w["rep_a"], w["rep_b"]
    ok = w["ok"] = make_customer(company, a, trade_name="Cliente Em Dia", visit_frequency_days=7)
    gap = w["gap"] = make_customer(
        company, a, trade_name="Cliente Em Ruptura", visit_frequency_days=7
    )
    never = w["never"] = make_customer(
        company, a, trade_name="Cliente Nunca", visit_frequency_days=14
    )
    lapse = w["lapse"] = make_customer(
        company,
        b,
        trade_name="Bar Positivação",
        segment="bar",
        visit_frequency_days=7,
        zone="Norte",
    )
    rescue = w["rescue"] = make_customer(
        company, b, trade_name="Cliente Resgate", visit_frequency_days=30
    )
    make_customer(company, a, trade_name="Cliente Inativo", active=False)
    w["outsider"] = make_customer(company, w["rep_x"], trade_name="Cliente Outra Equipe")

    _orders(
        ok,
        (date(2026, 11, 10), "100"),
        (date(2026, 8, 30), "200"),
        (date(2026, 11, 20), "100"),
    )
    _orders(gap, (date(2026, 10, 5), "500"))
    _orders(never, (date(2026, 8, 20), "50"))
    _orders(lapse, (date(2026, 11, 1), "300"), (date(2026, 10, 10), "300"))
    _orders(rescue, (date(2026, 5, 1), "100"))
    make_receivable(gap, date(2026, 11, 1), Decimal("200"))
    make_receivable(rescue, date(2026, 10, 1), Decimal("80"), paid=date(2026, 11, 30))

    make_contact(ok, a, date(2026, 11, 20), outcome=Outcome.NO_SALE, no_sale_reason="preco")
    make_contact(
        ok,
        a,
        date(2026, 11, 23),
        outcome=Outcome.ORDER,
        order_value=Decimal("250"),
        planned=True,
        check_in_flagged=True,
    )
    make_contact(gap, a, date(2026, 11, 11), kind=ContactKind.CALL, outcome=Outcome.ORDER)
    make_contact(gap, a, date(2026, 11, 22), kind=ContactKind.CALL, outcome=Outcome.NOT_REACHED)
    make_contact(lapse, b, date(2026, 11, 21), outcome=Outcome.NO_SALE, no_sale_reason="preco")
    make_contact(
        rescue,
        b,
        date(2026, 11, 1),
        outcome=Outcome.NO_SALE,
        no_sale_reason="estoque_cheio",
    )

    _snapshot(ok, 0, 20.0)
    _snapshot(lapse, 2, 15.0)
    _snapshot(rescue, 6, 30.0)

    plan = Plan(company_id=company.id, user_id=a.id, plan_date=TODAY, total_m=12500)
    for seq, (customer, status) in enumerate(
        [(ok, StopStatus.DONE), (gap, StopStatus.SKIPPED), (never, StopStatus.PENDING)]
    ):
        plan.stops.append(
            PlanStop(
                seq=seq,
                customer_id=customer.id,
                arrival_s=0,
                start_s=0,
                departure_s=0,
                status=status,
            )
        )
    plan.stops.append(PlanStop(seq=9, kind="lunch", arrival_s=0, start_s=0, departure_s=0))
    db.session.add(plan)
    db.session.flush()
    return w


def ensure_scores(today: date) -> int:
    """Score the demo company for `today` unless it already is (for the live browser server)."""
    import sqlalchemy as sa

    from app.demo.loader import demo_company_id
    from app.services import scoring

    company_id = demo_company_id()
    done = db.session.scalar(
        sa.select(sa.func.count()).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == today
        )
    )
    if not done:
        scoring.score_company(session=db.session, company_id=company_id, day=today)
    return int(company_id or 0)
