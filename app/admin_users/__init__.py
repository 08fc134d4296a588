"""Admin pages for people: role, team, active, password reset; every change audited."""

from flask import Blueprint

bp = Blueprint("admin_users", __name__, url_prefix="/admin/usuarios")
