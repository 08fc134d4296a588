"""The day's priority scores: company settings, features from SQL, the engine, bulk snapshot writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import CompanySettings, ScoreSnapshot
from app.services.scoring_copy import insert_rows, to_json
from app.services.scoring_features import CompanyFeatures, extract
from optimizer.scoring import COMPONENTS, ScoringResult, ScoringSettings, score

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


class _Plain:
    """The result's per-customer columns as Python lists, converted once for the row loop."""

    def __init__(self, result: ScoringResult) -> None:
        n = result.features.size
        weights = np.asarray(result.settings.weights(), dtype=np.float64)
        scale = 100.0 * weights / weights.sum()
        self.ids = result.features.customer_id.tolist()
        self.totals = np.round(result.score, 2).tolist()
        self.flags = result.flags.astype(np.int64).tolist()
        cycles = np.round(result.cycle_days, 1)
        self.cycles = [None if not np.isfinite(c) else c for c in cycles.tolist()]
        self.points = [np.round(result.component(name) * scale[k], 2).tolist() for k, name in enumerate(COMPONENTS)]
        mix = result.mix
        self.bounds = np.searchsorted(mix.customer, np.arange(n + 1)).tolist()
        names = result.features.category_names
        self.offer_rows = [
            {"category": names[k] if k < len(names) else str(k), "days": int(d), "share": round(s, 2)}
            for k, d, s in zip(mix.category.tolist(), mix.days_since.tolist(), mix.share.tolist(), strict=True)
        ]

    def offers(self, i: int) -> list[dict[str, Any]]:
        return self.offer_rows[self.bounds[i] : self.bounds[i + 1]]


def offers_of(result: ScoringResult, i: int) -> list[dict[str, Any]]:
    """What to offer customer ``i``: lapsed regular categories, largest share first."""
    return _Plain(result).offers(i)


SNAPSHOT_COLUMNS = (
    "company_id",
    "customer_id",
    "score_date",
    "total",
    "flags",
    "components",
    "reasons",
    "offers",
    "cycle_days",
    "settings_version",
    "created_at",
)


def snapshot_rows(
    result: ScoringResult,
    *,
    company_id: int,
    day: date,
    version: int,
    start: int = 0,
    stop: int | None = None,
    plain: _Plain | None = None,
) -> Iterator[dict[str, Any]]:
    """Snapshot rows (column -> value) of customers ``start:stop``."""
    now = datetime.now(UTC)
    p = plain or _Plain(result)
    for i in range(start, len(p.ids) if stop is None else stop):
        yield {
            "company_id": company_id,
            "customer_id": p.ids[i],
            "score_date": day,
            "total": p.totals[i],
            "flags": p.flags[i],
            "components": {name: p.points[k][i] for k, name in enumerate(COMPONENTS)},
            "reasons": [{"key": r.key, "values": r.values} for r in result.explain(i)],
            "offers": p.offers(i),
            "cycle_days": p.cycles[i],
            "settings_version": version,
            "created_at": now,
        }


def _stored(row: dict[str, Any], dialect: str) -> tuple[Any, ...]:
    """A snapshot row as the driver stores it: JSON as text; on SQLite, dates as ISO text."""
    values = dict(row)
    for key in ("components", "reasons", "offers"):
        values[key] = to_json(values[key])
    created = values["created_at"].astimezone(UTC).replace(tzinfo=None)
    if dialect == "sqlite":
        values["score_date"] = values["score_date"].isoformat()
        values["created_at"] = created.strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        values["created_at"] = created
    return tuple(values[c] for c in SNAPSHOT_COLUMNS)


def write_snapshots(
    *, session: Session, result: ScoringResult, company_id: int, day: date, version: int
) -> int:
    """Replace the company's snapshots of ``day`` with the result's, with one bulk insert."""
    session.execute(
        sa.delete(ScoreSnapshot).where(ScoreSnapshot.company_id == company_id, ScoreSnapshot.score_date == day)
    )
    dialect = session.connection().dialect.name
    rows = snapshot_rows(result, company_id=company_id, day=day, version=version, plain=_Plain(result))
    insert_rows(session, ScoreSnapshot.__tablename__, SNAPSHOT_COLUMNS, (_stored(r, dialect) for r in rows))
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
        import time

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
