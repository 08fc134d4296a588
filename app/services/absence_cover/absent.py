"""Who is away: the coming days a field rep in scope misses, and whether a rep is away a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import AbsenceCover, CoverStatus, Role, TimeOff, User
from app.security.scope import Scope
from app.services import work_calendar


@dataclass(frozen=True)
class AbsentDay:
    """One working day a rep in scope misses, and the cover made for it (if any)."""

    rep: User
    day: date
    kind: str
    cover: AbsenceCover | None


def absent_days(*, scope: Scope, today: date, horizon_days: int = 14) -> list[AbsentDay]:
    """Return the coming days (today first) on which a field rep in scope is away."""
    last = today + timedelta(days=horizon_days)
    spans = db.session.execute(
        sa.select(TimeOff, User)
        .join(User, User.id == TimeOff.user_id)
        .where(
            scope.user_filter(),
            User.role == Role.REP,
            User.active.is_(True),
            TimeOff.last_day >= today,
            TimeOff.first_day <= last,
        )
        .order_by(TimeOff.first_day, User.name)
    ).all()
    if not spans:
        return []
    calendar = work_calendar.load(company_id=scope.company_id, since=today)
    covers = _latest_covers(scope.company_id, today, last)
    out: list[AbsentDay] = []
    for span, rep in spans:
        day = max(span.first_day, today)
        while day <= min(span.last_day, last):
            off = calendar.why_off(rep, day)
            # a day the rep would not have worked anyway (weekend, holiday) needs no cover
            if off is not None and off.reason == work_calendar.OffReason.TIME_OFF:
                out.append(AbsentDay(rep, day, span.kind.value, covers.get((rep.id, day))))
            day += timedelta(days=1)
    seen: set[tuple[int, date]] = set()
    unique = []
    for item in sorted(out, key=lambda a: (a.day, a.rep.name)):
        if (item.rep.id, item.day) not in seen:
            seen.add((item.rep.id, item.day))
            unique.append(item)
    return unique


def _latest_covers(
    company_id: int, first: date, last: date
) -> dict[tuple[int, date], AbsenceCover]:
    """Return the newest cover not set aside of each (absent rep, day) in a range."""
    out: dict[tuple[int, date], AbsenceCover] = {}
    for cover in db.session.scalars(
        sa.select(AbsenceCover)
        .where(
            AbsenceCover.company_id == company_id,
            AbsenceCover.day.between(first, last),
            AbsenceCover.status != CoverStatus.DISCARDED,
        )
        .order_by(AbsenceCover.id)
    ):
        out[(cover.absent_user_id, cover.day)] = cover
    return out


def is_absent(absent: User, day: date) -> bool:
    """Tell whether the rep misses ``day`` because of time off (not a weekend or holiday)."""
    calendar = work_calendar.load(company_id=absent.company_id, since=day, user_ids=[absent.id])
    off = calendar.why_off(absent, day)
    return off is not None and off.reason == work_calendar.OffReason.TIME_OFF
