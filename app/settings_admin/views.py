"""Edit the scoring settings: preview the ranking of one portfolio, then save the next version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.formfields import show_errors
from app.models import CompanySettings, Role
from app.security.roles import current_scope, roles_required
from app.services import capacity_settings, company_settings, delivery_settings, scoring_admin
from app.services.clock import local_today
from app.services.scoring_admin import company_segments
from app.settings_admin import bp
from app.settings_admin.fields import GROUPS, field_specs, segment_specs
from app.settings_admin.forms import (
    CapacityForm,
    DeliveryForm,
    form_defaults,
    proposed_settings,
    settings_form_class,
)
from optimizer.scoring import COMPONENTS


def _proposed_or_errors(form: Any, current: Any, segments: tuple[str, ...]) -> Any:
    """The proposed settings, or None with the reason shown on the form."""
    if sum(float(getattr(form, f"weight_{c}").data or 0) for c in COMPONENTS) <= 0:
        form.weight_urgency.errors = [_("At least one weight must be above zero.")]
        return None
    try:
        return proposed_settings(form, current, segments)
    except ValueError as exc:
        form.weight_urgency.errors = [_("These values were refused: %(error)s", error=str(exc))]
        return None


DELIVERY_PREFIX = "delivery"  # two forms on the page have a "note" field


def _save_card(
    form: FlaskForm, save: Callable[[], CompanySettings | None], anchor: str
) -> Response | None:
    """Save one settings card through its service and answer as every card does: back to the
    card with a flash, or None with the refused value's message next to its field."""
    try:
        row = save()
    except company_settings.SettingsError as exc:
        db.session.rollback()
        show_errors(form, {exc.key: _("This value was refused: %(error)s", error=str(exc))})
        return None
    if row is None:
        flash(_("Nothing changed."), "info")
    else:
        flash(_("Settings saved as version %(version)d.", version=row.version), "success")
    return redirect(url_for("settings_admin.index") + f"#{anchor}")


def _delivery_form(company_id: int) -> DeliveryForm:
    rules = delivery_settings.current(company_id=company_id)
    return DeliveryForm(formdata=None, prefix=DELIVERY_PREFIX, data=asdict(rules))


@bp.route("/entrega", methods=["POST"])
@roles_required(Role.ADMIN)
def delivery() -> tuple[str, int] | Response:
    """Save the visit calendar's rules: nightly mode, delivery rule, lead time and budget."""
    scope = current_scope()
    form = DeliveryForm(prefix=DELIVERY_PREFIX)
    if form.validate():
        rules = delivery_settings.DeliveryRules(
            nightly_mode=str(form.nightly_mode.data),
            delivery_rule=str(form.delivery_rule.data),
            lead_time_days=int(form.lead_time_days.data or 0),
            # A blank budget keeps the one in force: a blank never erases.
            calendar_seconds=(
                float(form.calendar_seconds.data)
                if form.calendar_seconds.data is not None
                else delivery_settings.current(company_id=scope.company_id).calendar_seconds
            ),
        )
        saved = _save_card(
            form,
            lambda: delivery_settings.save(scope=scope, rules=rules, note=form.note.data),
            "delivery",
        )
        if saved is not None:
            return saved
    return _page(scope, delivery_form=form), 422


CAPACITY_PREFIX = "capacity"


def _capacity_form(company_id: int) -> CapacityForm:
    bands = capacity_settings.current(company_id=company_id)
    return CapacityForm(formdata=None, prefix=CAPACITY_PREFIX, data=asdict(bands))


@bp.route("/capacidade", methods=["POST"])
@roles_required(Role.ADMIN)
def capacity() -> tuple[str, int] | Response:
    """Save the capacity page's bands (room to spare below, overloaded above)."""
    scope = current_scope()
    form = CapacityForm(prefix=CAPACITY_PREFIX)
    if form.validate():
        # A blank band keeps the one in force: a blank never erases.
        stored = capacity_settings.current(company_id=scope.company_id)
        bands = capacity_settings.CapacityBands(
            capacity_under_pct=(
                int(form.capacity_under_pct.data)
                if form.capacity_under_pct.data is not None
                else stored.capacity_under_pct
            ),
            capacity_over_pct=(
                int(form.capacity_over_pct.data)
                if form.capacity_over_pct.data is not None
                else stored.capacity_over_pct
            ),
        )
        if bands.capacity_under_pct >= bands.capacity_over_pct:
            message = _(
                "Must be below the overloaded band (%(over)d%%).", over=bands.capacity_over_pct
            )
            show_errors(form, {"capacity_under_pct": message})
            return _page(scope, capacity_form=form), 422
        saved = _save_card(
            form,
            lambda: capacity_settings.save(scope=scope, bands=bands, note=form.note.data),
            "capacity",
        )
        if saved is not None:
            return saved
    return _page(scope, capacity_form=form), 422


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index() -> str | Response:
    """The settings form; 'preview' re-scores one portfolio, 'save' creates the next version."""
    scope = current_scope()
    in_force = company_settings.get(company_id=scope.company_id)
    current = in_force.scoring
    segments = company_segments(session=db.session(), company_id=scope.company_id)
    form_class = settings_form_class(segments)
    form = (
        form_class(data=form_defaults(current, segments))
        if request.method == "GET"
        else form_class()
    )
    choices = scoring_admin.portfolios(session=db.session(), scope=scope)
    form.portfolio.choices = [SelectChoice(uid, name) for uid, name in choices]
    preview = None
    if request.method == "POST" and form.validate():
        proposed = _proposed_or_errors(form, current, segments)
        if proposed is not None and form.action.data == "save":
            row = scoring_admin.save_settings(
                session=db.session(), scope=scope, proposed=proposed, note=form.note.data
            )
            flash(_("Settings saved as version %(version)d.", version=row.version), "success")
            return redirect(url_for("settings_admin.index"))
        if proposed is not None and form.portfolio.data:
            preview = scoring_admin.preview(
                session=db.session(),
                scope=scope,
                owner_id=form.portfolio.data,
                proposed=proposed,
                day=local_today(),
            )
    return _page(scope, form=form, preview=preview)


def _page(scope: Any, **parts: Any) -> str:
    """The settings page: the score's form, the delivery form, versions and any preview."""
    in_force = company_settings.get(company_id=scope.company_id)
    segments = company_segments(session=db.session(), company_id=scope.company_id)
    form = parts.get("form")
    if form is None:
        form = settings_form_class(segments)(
            formdata=None, data=form_defaults(in_force.scoring, segments)
        )
        choices = scoring_admin.portfolios(session=db.session(), scope=scope)
        form.portfolio.choices = [SelectChoice(uid, name) for uid, name in choices]
    return render_template(
        "settings_admin/index.html",
        form=form,
        delivery_form=parts.get("delivery_form") or _delivery_form(scope.company_id),
        capacity_form=parts.get("capacity_form") or _capacity_form(scope.company_id),
        groups=GROUPS,
        specs=[*field_specs(), *segment_specs(segments)],
        current=in_force,
        history=scoring_admin.versions(session=db.session(), scope=scope),
        preview=parts.get("preview"),
        calendar_seconds_range=company_settings.CALENDAR_SECONDS_RANGE,
        capacity_ranges={
            "capacity_under_pct": company_settings.CAPACITY_UNDER_PCT_RANGE,
            "capacity_over_pct": company_settings.CAPACITY_OVER_PCT_RANGE,
        },
    )
