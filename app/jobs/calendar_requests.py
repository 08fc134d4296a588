"""The queue job of the visit calendars: re-optimise the ones supervisors asked for.

The calendar page only records the request (``app/services/calendar_requests.py``); the
scheduler process polls here every few seconds (``flask jobs run-once calendars`` by hand),
so CP-SAT never runs inside a web worker.
"""

from __future__ import annotations

import logging

from flask import Flask

from app.extensions import db
from app.services import calendar_requests

log = logging.getLogger(__name__)


def run_calendar_requests_job(app: Flask) -> None:
    """The poll body: solve every requested calendar, one rep per transaction."""
    with app.app_context():
        try:
            for rep_id, outcome in calendar_requests.run_requested():
                log.info("calendar of rep %s re-optimised: %s", rep_id, outcome)
        finally:
            db.session.remove()
