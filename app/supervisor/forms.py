"""The dashboard's filters (rep, segment, region, period) and a list's own arguments, read
from the query string by forms (`app/query_forms.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, StringField

from app.query_forms import QueryForm, stripped
from app.security.scope import Scope
from app.services.kpis.facts import KpiFilter

PERIODS = (7, 14, 30, 90)
DEFAULT_PERIOD = 7
MAX_DAYS = 366


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


class FilterForm(QueryForm):
    """The dashboard's filters: a rep, a segment, a region, and a period or start/end."""

    rep = IntegerField()
    segment = StringField(filters=[stripped])
    zone = StringField(filters=[stripped])
    period = IntegerField(default=DEFAULT_PERIOD)
    start = DateField()
    end = DateField()


class ListForm(QueryForm):
    """One drill-down list: which list, and the day, person or reason it is narrowed to."""

    list = StringField(filters=[stripped], default="all")
    day = DateField()
    user = IntegerField()
    reason = StringField(filters=[stripped])
    format = StringField(filters=[stripped])


def parse_filters(args: MultiDict[str, str]) -> FilterArgs:
    """Read rep, segment and period (or an explicit start/end) from the query string."""
    form = FilterForm(args)
    start, end = form.start.data, form.end.data
    if not (start and end and start <= end and (end - start).days < MAX_DAYS):
        start = end = None
    return FilterArgs(
        rep_id=form.rep.data or None,
        segment=form.segment.data,
        zone=form.zone.data,
        period=form.period.data if form.period.data in PERIODS else DEFAULT_PERIOD,
        start=start,
        end=end,
    )


def kpi_filter(fargs: FilterArgs, scope: Scope, today: date) -> KpiFilter:
    """The service's filter; a rep outside the scope answers 404."""
    if fargs.rep_id:
        scope.get_user(fargs.rep_id)
    if fargs.start and fargs.end:
        start, end = fargs.start, min(fargs.end, today)
    else:
        start, end = today - timedelta(days=fargs.period - 1), today
    return KpiFilter(
        scope=scope,
        start=min(start, end),
        end=end,
        rep_id=fargs.rep_id,
        segment=fargs.segment,
        zone=fargs.zone,
    )
