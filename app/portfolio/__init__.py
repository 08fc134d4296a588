"""The portfolio (carteira): customers in the user's scope, searchable, with key facts."""

from flask import Blueprint

bp = Blueprint("portfolio", __name__, url_prefix="/carteira")
