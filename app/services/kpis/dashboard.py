"""The supervisor's dashboard: every figure for one filter, and the latest planning runs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import PlanningRun, PlanningRunRep, RepRunStatus
from app.security.scope import Scope
from app.services.kpis.activity import DayRow, no_sale_reasons, plan_vs_done
from app.services.kpis.facts import CustomerFacts, KpiFilter, gap_order, load_facts
from app.services.kpis.lost import LostCustomers, lost_customers
from app.services.kpis.metrics import (
    Activation,
    Coverage,
    Retention,
    Risk,
    TrendPoint,
    activation,
    coverage_by_owner,
    coverage_total,
    owner_names,
    retention,
    risk,
    status_counts,
    trends,
)

# Per-rep outcomes of a planning run that left the rep with a plan.
REP_PLANNED = (RepRunStatus.PLANNED, RepRunStatus.KEPT)


@dataclass(frozen=True)
class RunRow:
    """A planning run, as the dashboard lists it."""

    id: int
    plan_date: date
    status: str
    started_at: Any
    finished_at: Any
    reps_ok: int
    reps_failed: int
    stops: int
    error: str | None


def latest_runs(scope: Scope, limit: int = 5) -> list[RunRow]:
    """The company's latest planning runs, counted over the reps in scope."""
    runs = list(
        db.session.scalars(
            sa.select(PlanningRun)
            .where(PlanningRun.company_id == scope.company_id)
            .order_by(PlanningRun.started_at.desc(), PlanningRun.id.desc())
            .limit(limit)
        )
    )
    if not runs:
        return []
    per_run: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    stmt = sa.select(PlanningRunRep.run_id, PlanningRunRep.status, PlanningRunRep.stops).where(
        PlanningRunRep.run_id.in_([r.id for r in runs]),
        scope.owner_filter(PlanningRunRep.user_id),
    )
    for run_id, status, stops in db.session.execute(stmt):
        counts = per_run[run_id]
        if status in REP_PLANNED:
            counts[0] += 1
        elif status == RepRunStatus.FAILED:
            counts[1] += 1
        counts[2] += stops or 0
    return [
        RunRow(
            id=r.id,
            plan_date=r.plan_date,
            status=str(r.status),
            started_at=r.started_at,
            finished_at=r.finished_at,
            reps_ok=per_run[r.id][0],
            reps_failed=per_run[r.id][1],
            stops=per_run[r.id][2],
            error=r.error,
        )
        for r in runs
    ]


@dataclass
class Dashboard:
    """Everything the supervisor's dashboard shows, for one filter."""

    coverage: Coverage
    coverage_by_owner: list[Coverage]
    risk: Risk
    activation: Activation
    retention: Retention
    statuses: dict[str, int]
    days: list[DayRow]
    no_sale: list[tuple[str, int]]
    trends: list[TrendPoint]
    at_risk: list[CustomerFacts]
    in_gap: list[CustomerFacts]
    runs: list[RunRow]
    names: dict[int, str]
    lost: LostCustomers  # marked lost in the period: out of the base, counted apart


def build_dashboard(flt: KpiFilter, top: int = 10) -> Dashboard:
    """Compute every figure of the dashboard for the filter."""
    facts = load_facts(flt)
    names = owner_names(flt.scope)
    values = list(facts.values())
    return Dashboard(
        coverage=coverage_total(facts),
        coverage_by_owner=coverage_by_owner(facts, names),
        risk=risk(facts),
        activation=activation(facts),
        retention=retention(facts),
        statuses=status_counts(facts),
        days=plan_vs_done(flt),
        no_sale=no_sale_reasons(flt),
        trends=trends(facts, flt.end),
        at_risk=sorted((f for f in values if f.at_risk), key=lambda f: (f.health, f.name))[:top],
        in_gap=sorted((f for f in values if f.in_gap), key=gap_order)[:top],
        runs=latest_runs(flt.scope),
        names=names,
        lost=lost_customers(flt),
    )
