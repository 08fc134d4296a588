"""The re-plan preview in the rep's words: the new times, what moved or came in, what
left and why, what is pinned, and what a new order gains over the old one."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from app.formatting import clock, duration, km
from app.rep.payload import DROP_REASONS
from app.services.replan_flow import Preview
from optimizer.replan import ReplanGain

# Savings smaller than these are not worth a word.
MIN_SAVED_S = 60
MIN_SAVED_M = 500


def gain_text(gain: ReplanGain | None) -> str | None:
    """'1 more visit · 22 min less driving · 8.5 km less', or None when nothing is gained."""
    if gain is None:
        return None
    parts = []
    if gain.extra_visits > 0:
        parts.append(ngettext("%(num)d more visit", "%(num)d more visits", gain.extra_visits))
    if gain.driving_saved_s >= MIN_SAVED_S:
        parts.append(_("%(time)s less driving", time=duration(gain.driving_saved_s)))
    if gain.distance_saved_m >= MIN_SAVED_M:
        parts.append(_("%(distance)s less", distance=km(gain.distance_saved_m)))
    return " · ".join(parts) or None


def _stop(
    row: dict[str, Any], names: dict[int, str], moved: set[str], added: set[str]
) -> dict[str, Any]:
    if row["kind"] == "lunch":
        return {"lunch": True, "time": clock(row["start_s"]), "end": clock(row["departure_s"])}
    cid = str(row["customer_id"])
    change = "added" if cid in added else ("moved" if cid in moved else "same")
    return {
        "lunch": False,
        "name": names.get(row["customer_id"], f"#{cid}"),
        "time": clock(row["start_s"]),
        "change": change,
        "pinned": bool(row["pinned"]),
        "appointment": bool(row["appointment"]),
    }


def preview_json(preview: Preview) -> dict[str, Any]:
    """Everything the confirm sheet shows (the signed version is added by the view)."""
    result, version, names = preview.result, preview.version, preview.names
    diff = result.diff
    moved = {m.candidate_id for m in diff.moved}
    stops = [_stop(r, names, moved, set(diff.added)) for r in version.rows]
    visits = sum(1 for s in stops if not s["lunch"])
    gained = gain_text(result.gain)
    if result.kept_order:
        summary = _("Same order as before; only the times change.")
    elif gained:
        summary = _("A new order: %(gain)s.", gain=gained)
    else:
        summary = _("A new order.")
    return {
        "kept_order": result.kept_order,
        "gain": gained,
        "summary": summary,
        "visits": visits,
        "visits_label": (
            ngettext("%(num)d visit left", "%(num)d visits left", visits)
            if visits
            else _("No visit left")
        ),
        "end": clock(version.totals["end_s"]),
        "km": km(version.totals["total_m"]),
        "stops": stops,
        "dropped": [
            {
                "name": names.get(int(d.candidate_id), f"#{d.candidate_id}"),
                "reason": str(DROP_REASONS.get(d.reason, d.reason)),
            }
            for d in diff.dropped
        ],
        "pinned": [names.get(int(c), f"#{c}") for c in diff.pinned],
    }
