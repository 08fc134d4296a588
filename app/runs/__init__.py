"""Planning runs ("Planejamentos"): what the nightly planning did, and a re-run by hand."""

from flask import Blueprint

bp = Blueprint("runs", __name__, url_prefix="/planejamentos")
