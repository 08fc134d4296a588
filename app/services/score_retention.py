"""Bounded score history: full snapshots for a window of days, the few numbers beyond it.

A full snapshot row carries the score's components, reasons and offers as JSON so the card can
explain today's priority. Written for every customer every night, those rows would grow by
73 M a year for 200,000 customers. The nightly run therefore moves snapshots older than the
company's ``snapshot_full_days`` (planning settings, default 90) into ``score_history``: the
score, flags, purpose, cycle and monthly value of each customer and day, enough for dashboards
of a past period and the card of a customer no longer scored. The explanations of those days
are dropped, on purpose.

Readers ask ``scores_on``/``latest_score_day`` here instead of reading one table, so they find
a day whichever table holds it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import AuditLog, CompanySettings, ScoreHistory, ScoreSnapshot
from app.services import company_settings
from optimizer.scoring import PURPOSE_NAMES

SETTING_KEY = "snapshot_full_days"
MIN_FULL_DAYS, MAX_FULL_DAYS = company_settings.SNAPSHOT_FULL_DAYS_RANGE


def company_full_days(session: Session, company_id: int) -> int:
    """The window of the company's settings in force (typed and checked when read)."""
    del session  # the settings module reads through the one session
    return company_settings.get(company_id=company_id).planning.snapshot_full_days


def save_full_days(
    session: Session, company_id: int, days: int, actor_id: int | None = None
) -> CompanySettings:
    """Save the company's next settings version with a new window (audited; no commit).

    Raises ValueError outside MIN_FULL_DAYS..MAX_FULL_DAYS: a typo must not drop explanations.
    """
    current = company_settings.get(company_id=company_id)
    before = current.planning.snapshot_full_days
    planning = company_settings.planning_dict(
        dataclasses.replace(current.planning, snapshot_full_days=days)
    )
    scoring = current.scoring.to_dict()
    policies = company_settings.policies_dict(current.policies)
    try:  # the new version must read back: refuse it here rather than at night
        company_settings.parse(
            company_id=company_id,
            version=current.version + 1,
            scoring=scoring,
            planning=planning,
            policies=policies,
        )
    except company_settings.SettingsError as exc:
        raise ValueError(str(exc)) from exc
    row = CompanySettings(
        company_id=company_id,
        version=current.version + 1,
        scoring=scoring,
        planning=planning,
        policies=policies,
        note=f"{SETTING_KEY} {before} -> {days}",
        created_by_id=actor_id,
    )
    session.add(row)
    session.add(
        AuditLog(
            company_id=company_id,
            actor_id=actor_id,
            action="settings.planning.update",
            target=f"company_settings:v{row.version}",
            details={"changed": [SETTING_KEY], "before": before, "after": days},
        )
    )
    session.flush()
    return row


def cutoff(day: date, days: int) -> date:
    """The first day still kept in full when the run scores ``day``."""
    return day - timedelta(days=days)


def days_to_compact(session: Session, company_id: int, before: date) -> list[date]:
    """The company's days with full snapshots older than ``before``, oldest first."""
    return list(
        session.scalars(
            sa.select(ScoreSnapshot.score_date)
            .where(ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date < before)
            .group_by(ScoreSnapshot.score_date)
            .order_by(ScoreSnapshot.score_date)
        )
    )


def _purpose_code() -> Any:
    return sa.case(
        *((ScoreSnapshot.purpose == name, code) for code, name in enumerate(PURPOSE_NAMES)),
        else_=sa.null(),
    )


def compact_day(session: Session, company_id: int, day: date) -> int:
    """Move one day of a company's full snapshots into the compact history (no commit).

    A day scored again after it was compacted (a re-run of an old date) replaces its compact
    rows, so the history holds one row per customer and day. Returns the rows moved.
    """
    session.execute(
        sa.delete(ScoreHistory).where(
            ScoreHistory.company_id == company_id, ScoreHistory.score_date == day
        )
    )
    source = sa.select(
        ScoreSnapshot.customer_id,
        ScoreSnapshot.score_date,
        ScoreSnapshot.company_id,
        ScoreSnapshot.total,
        ScoreSnapshot.flags,
        _purpose_code(),
        ScoreSnapshot.cycle_days,
        ScoreSnapshot.monthly_value,
    ).where(ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == day)
    session.execute(
        sa.insert(ScoreHistory).from_select(
            [
                "customer_id",
                "score_date",
                "company_id",
                "total",
                "flags",
                "purpose_code",
                "cycle_days",
                "monthly_value",
            ],
            source,
        )
    )
    deleted = sa.delete(ScoreSnapshot).where(
        ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == day
    )
    # A DELETE's result is a CursorResult (it has rowcount); execute() is typed as any Result.
    moved = cast(sa.CursorResult[Any], session.execute(deleted)).rowcount
    return int(moved or 0)


# ---- readers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreDay:
    """The scoring day a reader should use, and whether only its compact numbers remain."""

    day: date
    compact: bool


def latest_score_day(session: Session, company_id: int, on: date) -> ScoreDay | None:
    """The company's most recent scoring day on or before ``on``, full or compact."""
    full = session.scalar(
        sa.select(sa.func.max(ScoreSnapshot.score_date)).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date <= on
        )
    )
    compact = session.scalar(
        sa.select(sa.func.max(ScoreHistory.score_date)).where(
            ScoreHistory.company_id == company_id, ScoreHistory.score_date <= on
        )
    )
    if full is not None and (compact is None or full >= compact):
        return ScoreDay(full, False)
    if compact is not None:
        return ScoreDay(compact, True)
    return None


@dataclass(frozen=True)
class ScoreNumbers:
    """What every snapshot keeps, full or compact."""

    customer_id: int
    total: float
    flags: int
    purpose: str | None
    cycle_days: float | None
    monthly_value: float | None


def scores_on(
    session: Session, company_id: int, when: ScoreDay, customer_ids: Any
) -> Iterable[ScoreNumbers]:
    """Each customer's numbers on a scoring day (``customer_ids``: a list or a subquery)."""
    if not when.compact:
        stmt = sa.select(
            ScoreSnapshot.customer_id,
            ScoreSnapshot.total,
            ScoreSnapshot.flags,
            ScoreSnapshot.purpose,
            ScoreSnapshot.cycle_days,
            ScoreSnapshot.monthly_value,
        ).where(
            ScoreSnapshot.company_id == company_id,
            ScoreSnapshot.score_date == when.day,
            ScoreSnapshot.customer_id.in_(customer_ids),
        )
        for cid, total, flags, purpose, cycle, monthly in session.execute(stmt):
            yield ScoreNumbers(cid, total, flags or 0, purpose, cycle, monthly)
        return
    history = sa.select(
        ScoreHistory.customer_id,
        ScoreHistory.total,
        ScoreHistory.flags,
        ScoreHistory.purpose_code,
        ScoreHistory.cycle_days,
        ScoreHistory.monthly_value,
    ).where(
        ScoreHistory.company_id == company_id,
        ScoreHistory.score_date == when.day,
        ScoreHistory.customer_id.in_(customer_ids),
    )
    for cid, total, flags, code, cycle, monthly in session.execute(history):
        yield ScoreNumbers(cid, total, flags or 0, _purpose_name(code), cycle, monthly)


def _purpose_name(code: int | None) -> str | None:
    if code is None or not 0 <= code < len(PURPOSE_NAMES):
        return None
    return PURPOSE_NAMES[code]


def latest_snapshot(session: Session, customer_id: int, on: date) -> ScoreSnapshot | None:
    """A customer's latest snapshot on or before ``on``; a compact day comes back as a
    transient snapshot without explanations (components, reasons and offers empty)."""
    full = session.scalar(
        sa.select(ScoreSnapshot)
        .where(ScoreSnapshot.customer_id == customer_id, ScoreSnapshot.score_date <= on)
        .order_by(ScoreSnapshot.score_date.desc())
        .limit(1)
    )
    old = session.scalar(
        sa.select(ScoreHistory)
        .where(ScoreHistory.customer_id == customer_id, ScoreHistory.score_date <= on)
        .order_by(ScoreHistory.score_date.desc())
        .limit(1)
    )
    if old is None or (full is not None and full.score_date >= old.score_date):
        return full
    return ScoreSnapshot(
        company_id=old.company_id,
        customer_id=old.customer_id,
        score_date=old.score_date,
        total=old.total,
        flags=old.flags,
        components={},
        reasons=[],
        offers=[],
        cycle_days=old.cycle_days,
        purpose=_purpose_name(old.purpose_code),
        monthly_value=old.monthly_value,
    )
