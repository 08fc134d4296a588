"""The company page: name and state, the company's days off, and the holidays ahead."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.company_admin import bp
from app.company_admin.forms import CompanyForm, ConfirmForm, DayOffForm
from app.extensions import db
from app.formfields import show_errors
from app.models import Company, Role
from app.security.roles import roles_required
from app.services import companies, work_calendar
from app.services.clock import local_today
from app.services.errors import Invalid

AHEAD_DAYS = 366
DAY_OFF_PREFIX = "day_off"  # the page has two forms with a "name" field


def _company() -> Company:
    company = db.session.get(Company, current_user.company_id)
    assert company is not None
    return company


def _render(company: Company, **forms: Any) -> str:
    today = local_today()
    last = today + timedelta(days=AHEAD_DAYS)
    return render_template(
        "company_admin/index.html",
        company=company,
        form=forms.get("form")
        or CompanyForm(formdata=None, data={"name": company.name, "state": company.state}),
        day_off_form=forms.get("day_off_form") or DayOffForm(formdata=None, prefix=DAY_OFF_PREFIX),
        confirm=ConfirmForm(formdata=None),
        day_off_prefix=DAY_OFF_PREFIX,
        days_off=companies.list_days_off(company_id=company.id, since=today),
        holidays=work_calendar.holidays_between(today, last, company.state),
        optional=work_calendar.optional_days_between(today, last, company.state),
        reasons=work_calendar.OffReason,
    )


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index() -> str | Response:
    """Show the company calendar; POST renames the company or changes its state."""
    company = _company()
    form = CompanyForm()
    if not form.is_submitted():
        return _render(company)
    if form.validate():
        try:
            changes = companies.update_company(
                actor=current_user._get_current_object(),
                company=company,
                name=form.name.data or "",
                state=form.state.data or "",
            )
        except Invalid as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(_("Saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("company_admin.index"))
    return _render(company, form=form)


@bp.route("/folgas", methods=["POST"])
@roles_required(Role.ADMIN)
def add_day_off() -> str | Response:
    """Add a day (or a range) nobody in the company works."""
    company = _company()
    form = DayOffForm(prefix=DAY_OFF_PREFIX)
    if form.validate():
        try:
            companies.add_day_off(
                actor=current_user._get_current_object(),
                company_id=company.id,
                first_day=form.first_day.data,
                last_day=form.last_day.data,
                name=form.name.data or "",
            )
        except Invalid as exc:
            db.session.rollback()
            show_errors(form, exc.errors)
        else:
            flash(_("Day off saved: nobody is planned on it."), "success")
            return redirect(url_for("company_admin.index") + "#days-off")
    return _render(company, day_off_form=form)


@bp.route("/folgas/<int:day_off_id>/remover", methods=["POST"])
@roles_required(Role.ADMIN)
def remove_day_off(day_off_id: int) -> Response:
    """Delete one of the company's days off (the next planning run plans it again)."""
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."), "error")
    else:
        companies.remove_day_off(  # NotFound (404) for another company's day off
            actor=current_user._get_current_object(),
            company_id=current_user.company_id,
            day_off_id=day_off_id,
        )
        flash(_("Day off removed."), "success")
    return redirect(url_for("company_admin.index") + "#days-off")
