"""Admin page of the company's scoring settings: versioned edits with a ranking preview."""

from flask import Blueprint

bp = Blueprint("settings_admin", __name__, url_prefix="/admin/configuracoes")
