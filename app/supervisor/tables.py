"""The drill-down lists as tables: headers in the user's language and typed cells for export."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.services.exports import Cell
from app.services.kpis.facts import CustomerFacts
from app.services.kpis.lists import ListRow

STATUS_LABELS: dict[str, Any] = {
    "ok": _l("In order"),
    "gap": _l("Service gap"),
    "lapse": _l("Purchase lapse"),
    "rescue": _l("Rescue"),
}
# Names of the sprite's icons (app/icons.py) shown beside each status word.
STATUS_ICONS = {
    "ok": "circle-check",
    "gap": "clock",
    "lapse": "trending-down",
    "rescue": "life-buoy",
}

LIST_TITLES: dict[str, Any] = {
    "all": _l("All customers"),
    "covered": _l("Contacted within their frequency"),
    "gap": _l("Customers in service gap (ruptura de atendimento)"),
    "lapse": _l("Purchase lapses (ruptura de positivação)"),
    "rescue": _l("Rescue cases"),
    "at_risk": _l("Customers at risk (rescue cases and low health score)"),
    "activated": _l("Bought this month (positivados)"),
    "activated_prev": _l("Bought in the same days of last month"),
    "not_activated": _l("Did not buy this month"),
    "churned": _l("Churned customers in the period"),
    "retained": _l("Retained customers, biggest revenue drop first"),
    "status_ok": _l("Map: in order"),
    "status_gap": _l("Map: service gap"),
    "status_lapse": _l("Map: purchase lapse"),
    "status_rescue": _l("Map: rescue"),
    "planned": _l("Planned visits"),
    "visited": _l("Visits made"),
    "skipped": _l("Skipped visits"),
    "unplanned": _l("Unplanned visits"),
    "orders": _l("Visits with an order"),
    "far": _l("Check-ins far from the customer"),
    "flagged": _l("Visits recorded without check-in or with the phone clock off"),
    "no_sale": _l("No sale"),
}

HEADERS: list[Any] = [
    _l("Code"),
    _l("Customer"),
    _l("Portfolio of"),
    _l("Segment"),
    _l("Status"),
    _l("Frequency (days)"),
    _l("Last contact"),
    _l("Days past frequency"),
    _l("Last purchase"),
    _l("Average ticket"),
    _l("Value at risk / month"),
    _l("Revenue lost"),
    _l("Health"),
    _l("Overdue"),
]
COUNT_HEADER = _l("Times")


def status_label(status: str) -> str:
    """A status in words (templates put its icon beside it with `icon(STATUS_ICONS[..])`)."""
    return str(STATUS_LABELS.get(status, status))


def _cells(f: CustomerFacts, owner: str) -> list[Cell]:
    return [
        f.erp_code,
        f.name,
        owner,
        f.segment,
        str(STATUS_LABELS[f.status]),
        f.frequency,
        f.last_contact,
        f.gap_days,
        f.last_order,
        round(f.avg_ticket, 2) if f.avg_ticket else None,
        round(f.value_at_risk, 2),
        round(f.revenue_before, 2) if f.churned else None,
        f.health,
        round(f.overdue, 2),
    ]


def table(rows: list[ListRow]) -> tuple[list[str], list[list[Cell]]]:
    """Headers and typed rows of a drill-down list (a count column when the list has counts)."""
    counted = any(r.count is not None for r in rows)
    headers = [str(h) for h in HEADERS] + ([str(COUNT_HEADER)] if counted else [])
    body = [_cells(r.facts, r.owner_name) + ([r.count] if counted else []) for r in rows]
    return headers, body
