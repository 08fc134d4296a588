"""Propose a cover of an absent rep's day, edit its lines, or set it aside (audited)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AbsenceCover,
    AbsenceCoverLine,
    CoverAction,
    CoverStatus,
    Role,
    User,
)
from app.security.scope import Scope
from app.services import routing, telesales
from app.services.absence_cover.absent import is_absent
from app.services.absence_cover.limits import (
    CALLS_PER_SEAT_DEFAULT,
    MAX_ADDED_DEFAULT,
    SOLVE_SECONDS,
    URGENT_DEFAULT,
    CoverError,
    check_counts,
)
from app.services.absence_cover.must_do import must_do_visits
from app.services.absence_cover.receivers import receiving_reps
from app.services.absence_cover.records import audit, counts
from app.services.absence_cover.solve import solve
from app.services.clock import local_now
from optimizer.absence_cover import PHONE


def propose(
    *,
    actor: User,
    scope: Scope,
    absent: User,
    day: date,
    urgent_count: int = URGENT_DEFAULT,
    phone_capacity: int | None = None,
    max_added: int = MAX_ADDED_DEFAULT,
    now: datetime | None = None,
    seconds: float = SOLVE_SECONDS,
) -> AbsenceCover:
    """Propose a cover of the absent rep's day (the previous proposal of that day is set aside).

    Raises :class:`CoverError` when the rep is not away that day (``not_absent``), the day is
    past (``past_day``), the day's cover was already applied (``already_applied``) or a count
    is out of bounds.
    """
    now = now or local_now()
    phone_capacity = default_phone_capacity(absent) if phone_capacity is None else phone_capacity
    check_counts(urgent_count, phone_capacity, max_added)
    if absent.role != Role.REP or not scope.can_see_user(absent.id):
        raise CoverError("not_in_scope")
    if day < now.date():
        raise CoverError("past_day")
    if not is_absent(absent, day):
        raise CoverError("not_absent")
    previous = list(
        db.session.scalars(
            sa.select(AbsenceCover).where(
                AbsenceCover.absent_user_id == absent.id,
                AbsenceCover.day == day,
                AbsenceCover.status != CoverStatus.DISCARDED,
            )
        )
    )
    if any(c.status == CoverStatus.APPLIED for c in previous):
        raise CoverError("already_applied")
    for old in previous:
        old.status = CoverStatus.DISCARDED
    config = routing.load_config(company_id=absent.company_id)
    cover = AbsenceCover(
        company_id=absent.company_id,
        absent_user_id=absent.id,
        day=day,
        urgent_count=urgent_count,
        phone_capacity=phone_capacity,
        max_added=max_added,
        created_by_id=actor.id,
    )
    for item in must_do_visits(absent=absent, day=day, config=config, urgent_count=urgent_count):
        cover.lines.append(
            AbsenceCoverLine(
                customer_id=item.customer.id,
                customer=item.customer,
                kind=item.kind,
                score=item.score,
                by_phone=item.by_phone,
                appointment_id=item.appointment_id,
                action=CoverAction.UNPLACED,
            )
        )
    db.session.add(cover)
    db.session.flush()
    solve(cover=cover, scope=scope, now=now, seconds=seconds, config=config)
    audit(actor, cover, "absence_cover.propose", counts(cover))
    return cover


def default_phone_capacity(absent: User) -> int:
    """The form's first value: a few calls per telesales seat of the absent rep's team."""
    seats = telesales.team_seats(company_id=absent.company_id, team_id=absent.team_id)
    return CALLS_PER_SEAT_DEFAULT * len(seats)


def edit_line(
    *,
    actor: User,
    scope: Scope,
    cover: AbsenceCover,
    line_id: int,
    target: str,
    now: datetime | None = None,
    seconds: float = SOLVE_SECONDS,
) -> AbsenceCover:
    """Take a line out (``removed``), send it to telesales (``phone``), give it to a rep
    (``user:<id>``) or let the solver choose again (``auto``); then solve again."""
    if cover.status != CoverStatus.PROPOSED:
        raise CoverError("not_proposed")
    line = next((ln for ln in cover.lines if ln.id == line_id), None)
    if line is None:
        raise CoverError("unknown_line")
    absent = db.session.get(User, cover.absent_user_id)
    assert absent is not None
    if target == "auto":
        forced = None
    elif target in ("removed", PHONE):
        forced = target
        if target == PHONE:
            if not line.by_phone:
                raise CoverError("not_by_phone")
            if not telesales.team_seats(company_id=cover.company_id, team_id=absent.team_id):
                raise CoverError("no_telesales")
    elif target.startswith("user:") and target[5:].isdigit():
        rep_ids = {r.id for r in receiving_reps(scope=scope, absent=absent, day=cover.day)}
        if int(target[5:]) not in rep_ids:
            raise CoverError("unknown_receiver")
        forced = target
    else:
        raise CoverError("unknown_target")
    before = line.forced
    line.forced = forced
    solve(cover=cover, scope=scope, now=now or local_now(), seconds=seconds)
    audit(
        actor,
        cover,
        "absence_cover.edit",
        {"customer_id": line.customer_id, "from": before, "to": forced},
    )
    return cover


def discard(*, actor: User, cover: AbsenceCover) -> None:
    """Set a proposal aside (nothing was written)."""
    if cover.status != CoverStatus.PROPOSED:
        raise CoverError("not_proposed")
    cover.status = CoverStatus.DISCARDED
    db.session.flush()
    audit(actor, cover, "absence_cover.discard", {})
