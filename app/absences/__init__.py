"""Absences: mark a rep away and cover the must-do visits of those days (issue 17 item 2)."""

from flask import Blueprint

bp = Blueprint("absences", __name__, url_prefix="/supervisor/ausencias")
