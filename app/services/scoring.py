"""The day's priority scores: company settings, features from SQL, the engine, bulk
snapshot writes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import ScoreSnapshot
from app.services import company_settings
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


def score_features(company: CompanyFeatures, settings: ScoringSettings) -> ScoringResult:
    """Run the engine on a company's features."""
    return score(company.features, settings)


def write_snapshots(
    *, session: Session, result: ScoringResult, company_id: int, day: date, version: int
) -> int:
    """Replace the company's snapshots of ``day`` with the result's, with one bulk insert."""
    session.execute(
        sa.delete(ScoreSnapshot).where(
            ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == day
        )
    )
    dialect = session.connection().dialect.name
    rows = stored_rows(result, company_id=company_id, day=day, version=version, dialect=dialect)
    insert_rows(session, ScoreSnapshot.__tablename__, SNAPSHOT_COLUMNS, rows)
    return result.features.size


def score_company(
    *,
    session: Session,
    company_id: int,
    day: date,
    progress: Progress | None = None,
    before_write: Callable[[], None] | None = None,
) -> ScoredCompany:
    """Score every active customer of a company for ``day`` and write the snapshots (no commit).

    ``before_write`` runs between the reading/scoring and the writing: the nightly run uses
    it to end its read transaction and take SQLite's write lock only for the write.
    """
    clock = _Stopwatch(progress)
    in_force = company_settings.get(company_id=company_id)
    settings = in_force.scoring
    company = extract(session=session, company_id=company_id, day=day, settings=settings)
    clock.lap("features")
    result = score_features(company, settings)
    clock.lap("score")
    if before_write is not None:
        before_write()
    written = write_snapshots(
        session=session, result=result, company_id=company_id, day=day, version=in_force.version
    )
    clock.lap("write")
    return ScoredCompany(company_id, day, written, in_force.version, clock.seconds)


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
