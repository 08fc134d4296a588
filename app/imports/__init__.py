"""Admin import pages: upload a CSV/XLSX, preview every problem, confirm the import."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/admin/importacao")
