"""What a change of time off does to the covers: days a rep works again lose their proposals.

When time off is removed or shortened, the days it no longer covers are working days again:
a cover proposed for one of them must not stay applicable (it is set aside, audited), and a
cover already applied for today or a later day refuses the change, because the receiving reps'
routes already hold the absent rep's visits (keep the time off on that day, or change the
receiving routes first). Past days keep their history. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import AbsenceCover, CoverStatus, User
from app.services.absence_cover.records import audit
from app.services.errors import Invalid


def release_days(*, actor: User | None, user: User, days: Iterable[date], today: date) -> int:
    """Set aside the proposals of the days ``user`` works again; returns how many.

    Raises :class:`Invalid` (key ``time_off``) when one of those days, today or later, has an
    applied cover; nothing is changed then.
    """
    coming = sorted({d for d in days if d >= today})
    if not coming:
        return 0
    covers = list(
        db.session.scalars(
            sa.select(AbsenceCover)
            .where(
                AbsenceCover.absent_user_id == user.id,
                AbsenceCover.day.in_(coming),
                AbsenceCover.status != CoverStatus.DISCARDED,
            )
            .order_by(AbsenceCover.day, AbsenceCover.id)
        )
    )
    applied = [c for c in covers if c.status == CoverStatus.APPLIED]
    if applied:
        raise Invalid(
            {
                "time_off": _l(
                    "The cover of %(day)s was already applied: other reps have this rep's "
                    "visits that day. Keep the time off on that day.",
                    day=format_date(applied[0].day, "full"),
                )
            }
        )
    for cover in covers:
        cover.status = CoverStatus.DISCARDED
        audit(actor, cover, "absence_cover.discard", {"why": "time_off_changed"})
    db.session.flush()
    return len(covers)
