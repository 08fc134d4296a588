"""The dashboard's filters (rep, segment, region, period), read from the query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict

from app.security.scope import Scope
from app.services.kpis import KpiFilter

PERIODS = (7, 14, 30, 90)
DEFAULT_PERIOD = 7
MAX_DAYS = 366


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class FilterArgs:
    """The filters as typed by the user, kept to rebuild links."""

    rep_id: int | None
    segment: str | None
    zone: str | None
    period: int
    start: date | None
    end: date | None

    def query(self) -> dict[str, Any]:
        """Query-string arguments that reproduce these filters (for drill-down links)."""
        args: dict[str, Any] = {"rep": self.rep_id, "segment": self.segment, "zone": self.zone}
        if self.start and self.end:
            args.update(start=self.start.isoformat(), end=self.end.isoformat())
        else:
            args["period"] = self.period
        return {k: v for k, v in args.items() if v}


def parse_filters(args: MultiDict[str, str]) -> FilterArgs:
    """Read rep, segment and period (or an explicit start/end) from the query string."""
    period = args.get("period", DEFAULT_PERIOD, type=int)
    start, end = _date(args.get("start")), _date(args.get("end"))
    if not (start and end and start <= end and (end - start).days < MAX_DAYS):
        start = end = None
    return FilterArgs(
        rep_id=args.get("rep", type=int) or None,
        segment=(args.get("segment") or "").strip() or None,
        zone=(args.get("zone") or "").strip() or None,
        period=period if period in PERIODS else DEFAULT_PERIOD,
        start=start,
        end=end,
    )


def kpi_filter(fargs: FilterArgs, scope: Scope, today: date) -> KpiFilter:
    """The service's filter; a rep outside the scope answers 404."""
    if fargs.rep_id:
        scope.get_user_or_404(fargs.rep_id)
    if fargs.start and fargs.end:
        start, end = fargs.start, min(fargs.end, today)
    else:
        start, end = today - timedelta(days=fargs.period - 1), today
    return KpiFilter(scope=scope, start=min(start, end), end=end, rep_id=fargs.rep_id,
                     segment=fargs.segment, zone=fargs.zone)
