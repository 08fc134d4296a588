"""Words and icons for run and rep statuses (colour is never the only signal)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.models import RunStatus
from app.runs import bp

RUN_STATUS = {
    RunStatus.RUNNING: ("⏳", _l("Running")),
    RunStatus.SUCCEEDED: ("✔", _l("Succeeded")),
    RunStatus.PARTIAL: ("⚠", _l("Partial")),
    RunStatus.FAILED: ("✖", _l("Failed")),
    RunStatus.ABANDONED: ("✖", _l("Abandoned")),
}
REP_STATUS = {
    "planned": _l("Planned"),
    "kept": _l("Started route kept"),
    "failed": _l("Failed"),
    "skipped": _l("Day off"),
    "pending": _l("Pending"),
}
TRIGGER = {"schedule": _l("Nightly"), "manual": _l("By hand")}
ERRORS = {
    "missing_work_profile": _l("No work profile"),
    "not_a_working_day": _l("Does not work on this day"),
}


@bp.app_template_global()
def run_status_icon(status: Any) -> str:
    """Return the icon of a run status."""
    return RUN_STATUS.get(RunStatus(status), ("", ""))[0]


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
    """Return a rep's error in words when it is a known code."""
    return "" if not error else str(ERRORS.get(error, error))
