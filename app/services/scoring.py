"""The day's priority scores: company settings, features from SQL, the engine, bulk snapshot writes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import CompanySettings, ScoreSnapshot
from app.services.scoring_copy import insert_rows
from app.services.scoring_features import CompanyFeatures, extract
from app.services.scoring_rows import SNAPSHOT_COLUMNS, stored_rows
from optimizer.scoring import ScoringResult, ScoringSettings, score

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ScoredCompany:
    """What one run produced, for the CLI's summary and the tests."""

    company_id: int
    day: date
    customers: int
    settings_version: int
    seconds: dict[str, float]


def latest_settings(*, session: Session, company_id: int, actor_id: int | None = None) -> CompanySettings:
    """The company's newest settings version; version 1 from the defaults when none exists."""
    row = session.scalar(
        sa.select(CompanySettings)
        .where(CompanySettings.company_id == company_id)
        .order_by(CompanySettings.version.desc())
        .limit(1)
    )
    if row is None:
        row = CompanySettings(
            company_id=company_id,
            version=1,
            scoring=ScoringSettings().to_dict(),
            planning={},
            policies={},
            note="defaults",
            created_by_id=actor_id,
        )
        session.add(row)
        session.flush()
    return row


def scoring_settings(row: CompanySettings) -> ScoringSettings:
    """The engine's settings stored in a version (missing keys take the engine's defaults)."""
    return ScoringSettings.from_dict(dict(row.scoring or {}))


def score_features(company: CompanyFeatures, settings: ScoringSettings) -> ScoringResult:
    """Run the engine on a company's features."""
    return score(company.features, settings)


def write_snapshots(
    *, session: Session, result: ScoringResult, company_id: int, day: date, version: int
) -> int:
    """Replace the company's snapshots of ``day`` with the result's, with one bulk insert."""
    session.execute(
        sa.delete(ScoreSnapshot).where(ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == day)
    )
    dialect = session.connection().dialect.name
    rows = stored_rows(result, company_id=company_id, day=day, version=version, dialect=dialect)
    insert_rows(session, ScoreSnapshot.__tablename__, SNAPSHOT_COLUMNS, rows)
    return result.features.size


def score_company(
    *, session: Session, company_id: int, day: date, progress: Progress | None = None
) -> ScoredCompany:
    """Score every active customer of a company for ``day`` and write the snapshots (no commit)."""
    clock = _Stopwatch(progress)
    row = latest_settings(session=session, company_id=company_id)
    settings = scoring_settings(row)
    company = extract(session=session, company_id=company_id, day=day, settings=settings)
    clock.lap("features")
    result = score_features(company, settings)
    clock.lap("score")
    written = write_snapshots(session=session, result=result, company_id=company_id, day=day, version=row.version)
    clock.lap("write")
    return ScoredCompany(company_id, day, written, row.version, clock.seconds)


STAGES = ("features", "score", "write")


class _Stopwatch:
    """Times each stage and reports it to the progress callback."""

    def __init__(self, progress: Progress | None) -> None:
        self._time = time.perf_counter
        self._last = self._time()
        self._progress = progress
        self.seconds: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = self._time()
        self.seconds[stage] = round(now - self._last, 3)
        self._last = now
        if self._progress is not None:
            self._progress(stage)
