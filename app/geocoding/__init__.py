"""Admin pages: addresses the geocoder could not find, suggested corrections, fix on a map."""

from flask import Blueprint

bp = Blueprint("geocoding", __name__, url_prefix="/admin/posicoes")
