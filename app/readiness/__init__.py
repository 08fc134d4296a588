"""Planning readiness for administrators: what blocks or degrades planning, and where to fix it."""

from flask import Blueprint

bp = Blueprint("readiness", __name__, url_prefix="/admin/prontidao")
