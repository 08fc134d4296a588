"""The rep's pages (a static shell the phone fills from JSON) and the visit-flow JSON API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    send_from_directory,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Role
from app.rep import bp
from app.rep.payload import customer_json, day_json, replan_json
from app.rep.strings import js_strings
from app.security.roles import current_scope, roles_required
from app.services import planning, rep_day, visits
from app.services.clock import local_now, local_today, seconds_of_day

F = Callable[..., Any]


def rep_api(view: F) -> F:
    """JSON views for reps: 401 (not a login redirect) when the session is gone."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            abort(401)
        if current_user.role != Role.REP:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _no_store(response: Response) -> Response:
    """Per-user responses never land in a shared or service-worker cache."""
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/hoje")
@roles_required(Role.REP)
def today() -> Response:
    """Today's route: the shell; the route itself comes from /api/rep/today."""
    return _no_store(make_response(render_template("rep/today.html", stop_id=None)))


@bp.route("/hoje/paradas/<int:stop_id>")
@roles_required(Role.REP)
def stop(stop_id: int) -> Response:
    """One stop's detail (404 for anyone else's stop)."""
    if rep_day.get_stop(scope=current_scope(), stop_id=stop_id) is None:
        abort(404)
    return _no_store(make_response(render_template("rep/today.html", stop_id=stop_id)))


@bp.route("/hoje/offline")
def shell() -> Response:
    """The offline shell: no user data at all, so the service worker may keep it."""
    return make_response(render_template("rep/shell.html"))


@bp.route("/semana")
@roles_required(Role.REP)
def week() -> Response:
    """The coming days' planned customers, read-only."""
    plans = rep_day.list_week(scope=current_scope(), after=local_today())
    return _no_store(make_response(render_template("rep/week.html", plans=plans)))


@bp.route("/api/rep/today")
@rep_api
def api_today() -> Response:
    """Today's route with every stop's detail, for the screen and the offline copy."""
    scope = current_scope()
    day = rep_day.get_rep_day(scope=scope, day=local_today())
    settings = visits.get_planning_settings(company_id=scope.company_id)
    return _no_store(jsonify(day_json(day, user_id=scope.user_id, settings=settings)))


@bp.route("/api/rep/customers")
@rep_api
def api_customers() -> Response:
    """Portfolio search for an unplanned visit."""
    text = request.args.get("q", "").strip()
    found = rep_day.search_customers(scope=current_scope(), text=text) if len(text) >= 2 else []
    return _no_store(jsonify({"customers": [customer_json(c) for c in found]}))


@bp.route("/api/rep/contacts", methods=["POST"])
@rep_api
def api_contacts() -> tuple[Response, int]:
    """Record one visit action; re-sending the same client UUID never duplicates."""
    try:
        visit = visits.parse_visit(request.get_json(silent=True))
        contact, created = visits.record_visit(scope=current_scope(), visit=visit)
    except visits.NotInScope:
        abort(404)
    except visits.VisitError as exc:
        db.session.rollback()
        return jsonify({"error": {"status": 400, "code": "invalid", "message": str(exc)}}), 400
    db.session.commit()
    return _no_store(jsonify({"contact": visits.contact_json(contact)})), 201 if created else 200


@bp.route("/api/rep/replan", methods=["POST"])
@rep_api
def api_replan() -> Response:
    """Re-plan the rest of today from where the rep stands, and say what changed."""
    scope = current_scope()
    plan = rep_day.get_plan(scope=scope, day=local_today())
    if plan is None:
        abort(404)
    body = request.get_json(silent=True) or {}
    position = visits.position_of(body)
    before = {s.customer_id: s for s in plan.stops if s.customer_id}
    outcome = planning.replan_rest_of_day(
        plan=plan, now_s=seconds_of_day(local_now()), position=position
    )
    payload = replan_json(outcome, before)
    db.session.commit()
    return _no_store(jsonify(payload))


@bp.route("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so its scope is the whole app."""
    response = send_from_directory(current_app.static_folder or "static", "js/sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest (installable PWA), in the user's language."""
    response = make_response(render_template("rep/manifest.webmanifest"))
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.context_processor
def rep_context() -> dict[str, Any]:
    """What every rep template needs: the script's words and the asset version."""
    return {"js_strings": js_strings, "tile_url": current_app.config["TILE_URL"]}
