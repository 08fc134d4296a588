"""Snapshot rows as the driver stores them, built for a whole company in one pass.

The nightly run writes one row per customer (hundreds of thousands), so the loop avoids
per-row numpy access and per-row ``json.dumps`` set-up: columns are converted to Python lists
once, JSON is produced by one shared encoder, and the components' JSON by string formatting.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime
from json import JSONEncoder
from typing import Any

import numpy as np

from app.services.scoring_copy import to_json
from optimizer.scoring import COMPONENTS, PURPOSE_NAMES, ScoringResult

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
    "purpose",
    "avg_ticket",
    "monthly_value",
    "value_at_stake",
    "settings_version",
    "created_at",
)

_ENCODER = JSONEncoder(separators=(",", ":"))
_COMPONENTS_JSON = "{" + ",".join(f'"{name}":%r' for name in COMPONENTS) + "}"


def _json(value: Any) -> str:
    text = _ENCODER.encode(value)
    return to_json(value) if "NaN" in text or "Infinity" in text else text


def _finite_list(values: np.ndarray) -> list[float | None]:
    """Python floats, None for NaN or infinity (unknown)."""
    return [v if math.isfinite(v) else None for v in values.tolist()]


def reason_rows(result: ScoringResult, i: int) -> list[dict[str, Any]]:
    """A customer's card lines as stored: reasons, then details marked ``"detail": true``.

    Snapshots written before details existed have no marker: every line is a reason there.
    """
    return [
        {"key": r.key, "values": r.values, "detail": True}
        if r.detail
        else {"key": r.key, "values": r.values}
        for r in result.explain(i)
    ]


class _Columns:
    """The result's per-customer columns as Python lists, converted once."""

    def __init__(self, result: ScoringResult) -> None:
        n = result.features.size
        weights = np.asarray(result.settings.weights(), dtype=np.float64)
        scale = 100.0 * weights / weights.sum()
        self.ids = result.features.customer_id.tolist()
        self.totals = np.round(np.nan_to_num(result.score), 2).tolist()
        self.flags = result.flags.astype(np.int64).tolist()
        self.cycles = _finite_list(np.round(result.cycle_days, 1))
        self.purposes = [PURPOSE_NAMES[p] for p in result.purpose.tolist()]
        ticket = result.features.avg_ticket
        self.tickets = _finite_list(np.round(np.full(n, np.nan) if ticket is None else ticket, 2))
        self.monthly = _finite_list(np.round(result.monthly_value, 2))
        self.at_stake = _finite_list(np.round(result.value_at_stake, 2))
        points = [
            np.round(np.nan_to_num(result.component(name)) * scale[k], 2)
            for k, name in enumerate(COMPONENTS)
        ]
        self.points = list(zip(*(p.tolist() for p in points), strict=True))
        mix = result.mix
        self.bounds = np.searchsorted(mix.customer, np.arange(n + 1)).tolist()
        names = result.features.category_names
        self.offers = [
            {
                "category": names[k] if k < len(names) else str(k),
                "days": int(d),
                "share": round(s, 2),
            }
            for k, d, s in zip(
                mix.category.tolist(), mix.days_since.tolist(), mix.share.tolist(), strict=True
            )
        ]
        self.offer_json = [_json(o) for o in self.offers]


def stored_rows(
    result: ScoringResult, *, company_id: int, day: date, version: int, dialect: str
) -> Iterator[tuple[Any, ...]]:
    """One tuple per customer in ``SNAPSHOT_COLUMNS`` order: JSON as text, SQLite dates as text."""
    cols = _Columns(result)
    created = datetime.now(UTC).replace(tzinfo=None)
    stored_day: Any = day
    stored_created: Any = created
    if dialect == "sqlite":
        stored_day = day.isoformat()
        stored_created = created.strftime("%Y-%m-%d %H:%M:%S.%f")
    bounds, offer_json = cols.bounds, cols.offer_json
    for i, customer_id in enumerate(cols.ids):
        reasons = reason_rows(result, i)
        yield (
            company_id,
            customer_id,
            stored_day,
            cols.totals[i],
            cols.flags[i],
            _COMPONENTS_JSON % cols.points[i],
            _json(reasons),
            "[" + ",".join(offer_json[bounds[i] : bounds[i + 1]]) + "]",
            cols.cycles[i],
            cols.purposes[i],
            cols.tickets[i],
            cols.monthly[i],
            cols.at_stake[i],
            version,
            stored_created,
        )
