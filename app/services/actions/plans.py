"""Keep the plans ahead true after an action: a customer moved away or lost leaves them.

A rep's unstarted plan of a day (status PLANNED) holding such a customer is planned again at
once (the solver's day budget, in a savepoint: a planning run writing the same plan meanwhile
leaves it to the next run); a draft day of the agenda just loses the stop (the nightly run
plans it again before it becomes a day). Routes under way are the rep's and stay.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Plan, PlanSource, PlanStatus, PlanStop, User
from app.services.routing import PlanningError


def release_customers(
    *, customer_ids: Collection[int], rep_ids: Collection[int], today: date
) -> int:
    """Take customers off the reps' unstarted plans from today on; return the plans touched."""
    from app.services import planning  # the planner imports much; only these actions need it

    if not customer_ids or not rep_ids:
        return 0
    holding = (
        sa.select(PlanStop.plan_id)
        .where(PlanStop.customer_id.in_(list(customer_ids)))
        .scalar_subquery()
    )
    plans = list(
        db.session.scalars(
            sa.select(Plan)
            .where(
                Plan.user_id.in_(list(rep_ids)),
                Plan.plan_date >= today,
                Plan.status.in_([PlanStatus.PLANNED, PlanStatus.DRAFT]),
                Plan.started_at.is_(None),
                Plan.id.in_(holding),
            )
            .order_by(Plan.plan_date)
        )
    )
    for plan in plans:
        if plan.status == PlanStatus.DRAFT:
            _drop_stops(plan, set(customer_ids))
            continue
        rep = db.session.get(User, plan.user_id)
        assert rep is not None
        try:
            with db.session.begin_nested():
                planning.plan_rep(rep=rep, day=plan.plan_date, source=PlanSource.MANUAL, week=False)
        except (PlanningError, sa.exc.SQLAlchemyError):
            _drop_stops(plan, set(customer_ids))
    db.session.flush()
    return len(plans)


def _drop_stops(plan: Plan, customer_ids: set[int]) -> None:
    kept = [s for s in plan.stops if s.customer_id not in customer_ids]
    for seq, stop in enumerate(kept):
        stop.seq = seq
    plan.stops[:] = kept
