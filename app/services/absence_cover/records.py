"""Reading a cover in scope, and the audit rows every step writes."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import AbsenceCover, AuditLog, CoverAction, User
from app.security.scope import Scope
from app.services.clock import local_today


def get_cover(*, scope: Scope, cover_id: int) -> AbsenceCover | None:
    """Return a cover whose absent rep is in scope, or None."""
    return db.session.scalar(
        sa.select(AbsenceCover).where(
            AbsenceCover.id == cover_id,
            AbsenceCover.company_id == scope.company_id,
            scope.owner_filter(AbsenceCover.absent_user_id),
        )
    )


def counts(cover: AbsenceCover) -> dict[str, Any]:
    counts = {a.value: 0 for a in CoverAction}
    for line in cover.lines:
        counts[line.action.value] += 1
    return {"absent_user_id": cover.absent_user_id, "day": cover.day.isoformat(), **counts}


def audit(actor: User | None, cover: AbsenceCover, action: str, details: dict[str, Any]) -> None:
    db.session.add(
        AuditLog(
            company_id=cover.company_id,
            actor_id=actor.id if actor is not None else None,
            action=action,
            target=f"absence_cover:{cover.id}",
            details=details,
        )
    )
    db.session.flush()


def today() -> date:
    """The company's today (São Paulo), for the pages."""
    return local_today()
