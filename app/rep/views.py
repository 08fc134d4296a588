"""The rep's pages (a static shell the phone fills from JSON) and the visit-flow JSON API."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from app.extensions import db
from app.models import Plan, Role
from app.rep import bp, schemas
from app.rep.payload import booked_json, customer_json, day_json, why_json
from app.rep.replan_payload import preview_json
from app.rep.service_worker import worker_source
from app.rep.strings import JS_STRINGS, js_strings_json
from app.security.roles import current_scope, roles_required
from app.services import calendar_page, rep_day, replan_flow, visits
from app.services.actions import appointments
from app.services.clock import local_now, local_today, seconds_of_day

F = Callable[..., Any]
PREVIEW_MAX_AGE_S = 30 * 60
UNDO_MAX_AGE_S = 12 * 3600


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


@bp.after_request
def _private_errors(response: Response) -> Response:
    """The rep API's refusals, answered by the one error mapping, stay out of caches too."""
    if response.status_code >= 400 and request.path.startswith("/api/rep/"):
        _no_store(response)
    return response


def _error(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    body = {"status": status, "code": code, "message": message, **extra}
    return _no_store(jsonify({"error": body})), status


@bp.route("/hoje")
@roles_required(Role.REP)
def today() -> Response:
    """Today's route: the shell; the route itself comes from /api/rep/today."""
    return _no_store(make_response(render_template("rep/today.html", stop_id=None)))


@bp.route("/hoje/paradas/<int:stop_id>")
@roles_required(Role.REP)
def stop(stop_id: int) -> Response:
    """One stop's detail (404 for anyone else's stop)."""
    rep_day.get_stop(scope=current_scope(), stop_id=stop_id)  # NotFound (404) if not the rep's
    return _no_store(make_response(render_template("rep/today.html", stop_id=stop_id)))


@bp.route("/hoje/offline")
def shell() -> Response:
    """The offline shell: no user data at all, so the service worker may keep it."""
    return make_response(render_template("rep/shell.html"))


@bp.route("/semana")
@roles_required(Role.REP)
def week() -> Response:
    """The coming days' planned customers, read-only."""
    today = local_today()
    plans = rep_day.list_week(scope=current_scope(), after=today)
    booked = appointments.for_rep(
        rep_id=current_user.id, first=today, last=today + timedelta(days=rep_day.WEEK_DAYS)
    )
    regular = calendar_page.regular_days(
        s.customer_id for p in plans for s in p.stops if s.customer_id is not None
    )
    return _no_store(
        make_response(render_template("rep/week.html", plans=plans, booked=booked, regular=regular))
    )


def _version(payload: dict[str, Any]) -> str:
    """A strong validator of the day's content (the time it was generated left out)."""
    stable = {k: v for k, v in payload.items() if k != "generated_at"}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _unchanged(version: str) -> bool:
    """Whether the phone already holds this version (compression may suffix its ETag)."""
    return any(tag.split(":")[0] == version for tag in request.if_none_match.as_set())


@bp.route("/api/rep/today")
@rep_api
def api_today() -> Response:
    """Today's route with every stop's detail; 304 when the phone's copy is current."""
    scope = current_scope()
    day = rep_day.get_rep_day(scope=scope, day=local_today())
    settings = visits.get_planning_settings(company_id=scope.company_id)
    payload = day_json(day, user_id=scope.user_id, settings=settings)
    payload["booked"] = booked_json(
        appointments.for_rep(rep_id=scope.user_id, first=day.day, last=day.day),
        in_route={s.customer_id for s in day.stops},
    )
    if day.plan is None:
        payload["why_no_plan"] = why_json(
            rep_day.why_no_plan(rep=current_user._get_current_object(), day=day.day)
        )
    payload["version"] = version = _version(payload)
    response = make_response("", 304) if _unchanged(version) else jsonify(payload)
    response.set_etag(version)
    return _no_store(response)


@bp.route("/api/rep/customers")
@rep_api
def api_customers() -> Response:
    """Portfolio search for an unplanned visit: by text, or nearest first from a position."""
    scope = current_scope()
    text, position = schemas.load_search(request.args)
    if position is not None:
        near = rep_day.nearby_customers(scope=scope, lat=position[0], lon=position[1])
        found = [{**customer_json(c), "distance_m": round(m)} for c, m in near]
    else:
        rows = rep_day.search_customers(scope=scope, text=text) if len(text) >= 2 else []
        found = [customer_json(c) for c in rows]
    return _no_store(jsonify({"customers": found}))


@bp.route("/api/rep/contacts", methods=["POST"])
@rep_api
def api_contacts() -> tuple[Response, int]:
    """Record one visit action; re-sending the same client UUID never duplicates.

    400 ``invalid``: malformed; 409/422: the visit's state refuses the action, and the
    body carries the contact that stands so the phone can show and adopt it. Both are the
    services' domain errors (``VisitError``, ``VisitRefused``), answered by `app/errors.py`.
    """
    visit = schemas.load_visit(request.get_json(silent=True), locale=str(get_locale()))
    contact, created = visits.record_visit(scope=current_scope(), visit=visit)
    return _no_store(jsonify({"contact": visits.contact_json(contact)})), 201 if created else 200


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="rep-replan")  # type: ignore[arg-type]


def _sign(version: replan_flow.RouteVersion) -> str:
    return _signer().dumps({"user": current_user.id, "version": version.to_dict()})


def _unsign(max_age: int) -> replan_flow.RouteVersion | None:
    token = schemas.TokenSchema().load(request.get_json(silent=True) or {})["token"]
    try:
        data = _signer().loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("user") != current_user.id:
        return None
    return replan_flow.RouteVersion.from_dict(data["version"])


def _todays_plan() -> Any:
    plan = rep_day.get_plan(scope=current_scope(), day=local_today())
    if plan is None:
        why = rep_day.why_no_plan(rep=current_user._get_current_object(), day=local_today())
        return _error(404, "no_plan", why_json(why)["message"])
    return plan


@bp.route("/api/rep/replan/preview", methods=["POST"])
@rep_api
def api_replan_preview() -> Any:
    """Re-plan the rest of today from where the rep stands, without writing: what would change."""
    plan = _todays_plan()
    if not isinstance(plan, Plan):
        return plan
    preview = replan_flow.preview(
        plan=plan,
        now_s=seconds_of_day(local_now()),
        position=schemas.load_position(request.get_json(silent=True)),
    )
    db.session.rollback()  # a preview writes nothing
    return _no_store(jsonify({**preview_json(preview), "token": _sign(preview.version)}))


@bp.route("/api/rep/replan/confirm", methods=["POST"])
@rep_api
def api_replan_confirm() -> Any:
    """Write the previewed route; answer an undo token valid until the plan moves again."""
    plan = _todays_plan()
    if not isinstance(plan, Plan):
        return plan
    version = _unsign(PREVIEW_MAX_AGE_S)
    if version is None:
        return _error(400, "invalid", "unknown or expired preview")
    try:
        undo = replan_flow.confirm(plan=plan, version=version)
    except replan_flow.ReplanConflict:
        db.session.rollback()
        return _error(409, "plan_changed", str(JS_STRINGS["replan_stale"]))
    return _no_store(jsonify({"revision": plan.revision, "undo_token": _sign(undo)}))


@bp.route("/api/rep/replan/undo", methods=["POST"])
@rep_api
def api_replan_undo() -> Any:
    """Put the route back as it was before the last confirmed re-plan, if nothing happened since."""
    plan = _todays_plan()
    if not isinstance(plan, Plan):
        return plan
    version = _unsign(UNDO_MAX_AGE_S)
    if version is None:
        return _error(400, "invalid", "unknown or expired undo")
    try:
        replan_flow.undo(plan=plan, version=version)
    except replan_flow.ReplanConflict:
        db.session.rollback()
        return _error(409, "plan_changed", str(JS_STRINGS["undo_stale"]))
    return _no_store(jsonify({"revision": plan.revision}))


@bp.errorhandler(CSRFError)
def csrf_expired(exc: CSRFError) -> tuple[Response, int] | Response:
    """A phone whose session (and so its CSRF token) is gone: ask it to log in again."""
    if request.path.startswith("/api/"):
        return _error(400, "csrf", str(JS_STRINGS["login_again"]))
    return make_response(render_template("errors/error.html", error=exc), 400)


@bp.route("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so its scope is the whole app."""
    static = Path(current_app.static_folder or "static")
    response = make_response(worker_source(static, Path(current_app.root_path).parent))
    response.mimetype = "text/javascript"
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
    return {"js_strings_json": js_strings_json, "tile_url": current_app.config["TILE_URL"]}
