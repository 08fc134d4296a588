"""Company page for administrators: name, state (its holidays) and the company's own days off."""

from flask import Blueprint

bp = Blueprint("company_admin", __name__, url_prefix="/admin/empresa")
