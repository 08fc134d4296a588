"""Words and icons for run and rep statuses (colour is never the only signal)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from markupsafe import Markup

from app.icons import icon
from app.models import RunStatus
from app.runs import bp
from app.services.work_calendar import DayOff

RUN_STATUS = {
    # (icon of the sprite, app/icons.py; word)
    RunStatus.QUEUED: ("clock", _l("Queued")),
    RunStatus.RUNNING: ("hourglass", _l("Running")),
    RunStatus.SUCCEEDED: ("circle-check", _l("Succeeded")),
    RunStatus.PARTIAL: ("triangle-alert", _l("Partial")),
    RunStatus.FAILED: ("circle-x", _l("Failed")),
    RunStatus.ABANDONED: ("circle-x", _l("Abandoned")),
}
REP_STATUS = {
    # TRANSLATORS: status of one rep in a planning run (o representante foi planejado).
    "planned": _lp("rep's day", "Planned"),
    "kept": _l("Started route kept"),
    "failed": _l("Failed"),
    "skipped": _l("Day off"),
    "pending": _l("Pending"),
}
TRIGGER = {"schedule": _l("Nightly"), "manual": _l("By hand")}
ERRORS = {
    "missing_work_profile": _l("No work profile"),
    "missing_base_position": _l("Work profile base has no coordinates"),
    "not_a_working_day": _l("Does not work on this day"),
}


@bp.app_template_global()
def run_status_icon(status: Any) -> Markup:
    """Return the sprite icon of a run status, rendered beside its word."""
    return icon(RUN_STATUS.get(RunStatus(status), ("info", ""))[0])


@bp.app_template_global()
def run_status_label(status: Any) -> str:
    """Return the word of a run status."""
    return str(RUN_STATUS.get(RunStatus(status), ("", status))[1])


@bp.app_template_global()
def rep_status_label(status: str) -> str:
    """Return the word of a rep line's status."""
    return str(REP_STATUS.get(status, status))


@bp.app_template_global()
def run_trigger_label(trigger: str) -> str:
    """Return who started a run, in words."""
    return str(TRIGGER.get(trigger, trigger))


@bp.app_template_global()
def run_error_label(error: str | None) -> str:
    """Return a rep's error in words when it is a known code (day-off reasons included)."""
    if not error:
        return ""
    day_off = DayOff.from_code(error)
    if day_off is not None:
        return day_off.label()
    return str(ERRORS.get(error, error))
