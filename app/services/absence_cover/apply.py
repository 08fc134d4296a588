"""Apply a proposal: the receiving reps' plans, the appointments, the calls (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AbsenceCover,
    Appointment,
    CoverAction,
    CoverStatus,
    Plan,
    PlanSource,
    PlanStatus,
    PlanStop,
    StopStatus,
    User,
)
from app.services import routing
from app.services.absence_cover.absent import is_absent
from app.services.absence_cover.limits import CoverError
from app.services.absence_cover.records import audit, counts
from app.services.clock import local_now


def apply(*, actor: User, cover: AbsenceCover, now: datetime | None = None) -> AbsenceCover:
    """Write the proposal: receiving plans get their new route, appointments change hands,
    the telesales list takes the calls. Refused when a receiving plan changed since."""
    if cover.status != CoverStatus.PROPOSED:
        raise CoverError("not_proposed")
    now = now or local_now()
    if cover.day < now.date():
        raise CoverError("past_day")
    absent = db.session.get(User, cover.absent_user_id)
    if absent is None or not is_absent(absent, cover.day):
        raise CoverError("not_absent")  # the time off was removed or moved since
    written = 0
    for day_id, data in cover.receivers.items():
        if day_id == "rigid":
            continue
        rep = db.session.get(User, int(day_id))
        assert rep is not None
        plan = db.session.scalar(
            sa.select(Plan).where(Plan.user_id == rep.id, Plan.plan_date == cover.day)
        )
        if (plan.revision if plan is not None else None) != data["plan_revision"]:
            raise CoverError("plan_changed")
        if plan is None:
            plan = Plan(
                company_id=rep.company_id,
                user_id=rep.id,
                plan_date=cover.day,
                revision=0,
                status=PlanStatus.PLANNED,
            )
            db.session.add(plan)
        _write_plan(plan, data)
        written += 1
    for line in cover.lines:
        if line.action == CoverAction.VISIT and line.appointment_id is not None:
            appt = db.session.get(Appointment, line.appointment_id)
            if appt is not None and line.receiver_id is not None:
                appt.user_id = line.receiver_id
    cover.status = CoverStatus.APPLIED
    cover.applied_by_id, cover.applied_at = actor.id, now
    db.session.flush()
    audit(actor, cover, "absence_cover.apply", {**counts(cover), "plans_written": written})
    return cover


def _write_plan(plan: Plan, data: Mapping[str, Any]) -> None:
    """Keep a day's finished stops first, then the proposal's route; totals from the route."""
    locked = routing.is_locked(plan)
    kept = [s for s in plan.stops if s.status != StopStatus.PENDING]
    for seq, stop in enumerate(kept):
        stop.seq = seq
    plan.stops[:] = kept
    for k, row in enumerate(data["stops"]):
        plan.stops.append(PlanStop(**{**row, "seq": len(kept) + k, "status": StopStatus.PENDING}))
    if not locked:
        plan.start_s = data["departure_s"]
    plan.end_s = data["end_s"]
    plan.total_m, plan.driving_s = data["total_m"], data["driving_s"]
    plan.working_s, plan.prize = data["working_s"], data["prize"]
    plan.source = PlanSource.COVER
    plan.revision = (plan.revision or 0) + 1
