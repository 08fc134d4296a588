"""The team's day page and the JSON it polls: words for states, one shape for page and JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_babel import ngettext
from werkzeug.wrappers import Response

from app.formatting import clock
from app.models import Role, StopStatus
from app.security.roles import current_scope, roles_required
from app.services import route_paths, routing
from app.services import team_day as service
from app.services.clock import DEFAULT_TZ, local_today
from app.supervisor import bp
from app.supervisor.gcpause import without_gc_pauses

ROLES = (Role.SUPERVISOR, Role.ADMIN)
# Seconds between two polls of the page; the page stops polling while its tab is hidden.
REFRESH_SECONDS = 30

STOP_STATUS = {
    # TRANSLATORS: state of a planned visit on the team's day (a visitar, em andamento...).
    StopStatus.PENDING: _lp("route stop", "To do"),
    StopStatus.IN_PROGRESS: _lp("route stop", "Under way"),
    StopStatus.DONE: _lp("route stop", "Visited"),
    StopStatus.SKIPPED: _lp("route stop", "Skipped"),
}
PLAN_STATUS = {
    "draft": _l("Draft"),
    "planned": _l("Not started"),
    "started": _l("On the road"),
    "done": _l("Day closed"),
}


def punctuality_label(rep: service.RepDayView) -> str:
    """How the route runs against the plan, in words."""
    state, minutes = rep.punctuality, abs(rep.delay_min or 0)
    if state == "late":
        return _("%(num)d min late", num=minutes)
    if state == "early":
        return _("%(num)d min early", num=minutes)
    if state == "on_time":
        return _("On time")
    if state == "not_started":
        return _("Not started")
    if state == "not_started_late":
        return _("Not started; first visit planned at %(time)s", time=clock(rep.first_planned_s))
    return _("No plan today")


def _stop_json(stop: service.StopView) -> dict[str, Any]:
    delay = stop.delay_min
    return {
        "id": stop.id,
        "seq": stop.seq,
        "customer_id": stop.customer_id,
        "name": stop.name,
        "lat": round(stop.lat, 5) if stop.lat is not None else None,
        "lon": round(stop.lon, 5) if stop.lon is not None else None,
        "planned": clock(stop.planned_s),
        "status": stop.status.value,
        "status_label": str(STOP_STATUS[stop.status]),
        "check_in": clock(stop.check_in_s) if stop.check_in_s is not None else None,
        "delay_min": delay,
        "far": stop.far,
        "distance_m": round(stop.distance_m) if stop.distance_m is not None else None,
        "url": url_for("portfolio.customer", customer_id=stop.customer_id),
    }


def _check_in_json(check: service.CheckIn | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "at": check.at.astimezone(DEFAULT_TZ).strftime("%H:%M"),
        "lat": round(check.lat, 5) if check.lat is not None else None,
        "lon": round(check.lon, 5) if check.lon is not None else None,
        "customer": check.customer_name,
        "customer_id": check.customer_id,
        "far": check.far,
        "distance_m": round(check.distance_m) if check.distance_m is not None else None,
        "planned": check.planned,
        "url": url_for("portfolio.customer", customer_id=check.customer_id),
    }


def _links(rep: service.RepDayView, day: date) -> dict[str, str]:
    """The customers behind each count, as the dashboard's lists show them."""
    return {
        key: url_for("supervisor.customers", list=key, day=day.isoformat(), user=rep.user_id)
        for key in ("planned", "visited", "skipped", "unplanned", "far")
    }


def _path(rep: service.RepDayView, osrm_url: str | None) -> list[tuple[float, float]] | None:
    """The road line through the rep's stops (OSRM, cached per plan); None: straight lines."""
    if rep.plan_id is None:
        return None
    points = [(s.lat, s.lon) for s in rep.stops if s.lat is not None and s.lon is not None]
    return route_paths.road_path(
        osrm_url=osrm_url, plan_id=rep.plan_id, revision=rep.plan_revision, points=points
    )


def _rep_json(rep: service.RepDayView, day: date, osrm_url: str | None) -> dict[str, Any]:
    path = _path(rep, osrm_url)
    return {
        "path": path,
        "path_kind": "road" if path is not None else "straight",
        "id": rep.user_id,
        "name": rep.name,
        "colour": rep.colour,
        "plan_status": rep.plan_status,
        "plan_label": str(PLAN_STATUS.get(rep.plan_status or "", _("No plan today"))),
        "planned": len(rep.stops),
        "done": rep.done,
        "in_progress": rep.in_progress,
        "remaining": rep.remaining,
        "skipped": rep.skipped,
        "unplanned": rep.unplanned,
        "delay_min": rep.delay_min,
        "punctuality": rep.punctuality,
        "punctuality_label": punctuality_label(rep),
        "progress_label": ngettext(
            "%(done)d of %(num)d visit done",
            "%(done)d of %(num)d visits done",
            len(rep.stops),
            done=rep.done,
        ),
        "last_check_in": _check_in_json(rep.last_check_in),
        "far": [_check_in_json(c) for c in rep.far],
        "stops": [_stop_json(s) for s in rep.stops],
        "links": _links(rep, day),
    }


def day_json(view: service.TeamDay, osrm_url: str | None = None) -> dict[str, Any]:
    """Everything the page shows, as it shows it (labels already in the user's language).

    With an OSRM server (``osrm_url``), each route follows the roads; otherwise (or when OSRM
    fails) the page joins the stops with straight lines and says so.
    """
    reps = [_rep_json(r, view.day, osrm_url) for r in view.reps]
    return {
        "day": view.day.isoformat(),
        "updated": clock(view.now_s),
        "totals": {
            "reps": len(view.reps),
            "planned": view.total("planned"),
            "done": view.total("done"),
            "remaining": view.total("remaining"),
            "skipped": view.total("skipped"),
            "far": view.far,
        },
        "reps": reps,
        "straight_lines": any(r["path_kind"] == "straight" and r["planned"] > 1 for r in reps),
        "road_lines": any(r["path_kind"] == "road" for r in reps),
    }


def _osrm_url() -> str | None:
    """The company's OSRM server (its settings, else the app's ``OSRM_URL``), if any."""
    config = routing.load_config(
        company_id=current_scope().company_id, osrm_url=current_app.config.get("OSRM_URL")
    )
    return config.osrm_url


def _today() -> service.TeamDay:
    return service.team_day(scope=current_scope(), day=local_today(), now=datetime.now(UTC))


@bp.route("/equipe-hoje")
@roles_required(*ROLES)
@without_gc_pauses
def team_day() -> str:
    """Today's routes of the team, their progress and where the reps last checked in."""
    view = _today()
    return render_template(
        "supervisor/team_day.html",
        day=view.day,
        data=day_json(view, _osrm_url()),
        refresh_seconds=current_app.config.get("TEAM_DAY_REFRESH_SECONDS", REFRESH_SECONDS),
        tile_url=current_app.config["TILE_URL"],
    )


@bp.route("/equipe-hoje.json")
@roles_required(*ROLES)
@without_gc_pauses
def team_day_data() -> Response:
    """The same day as JSON, polled by the page while it is visible."""
    response = jsonify(day_json(_today(), _osrm_url()))
    response.headers["Cache-Control"] = "no-store"
    return response
