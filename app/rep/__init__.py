"""The field rep's phone app: today's route, the visit flow, the week and the offline PWA."""

from flask import Blueprint

bp = Blueprint("rep", __name__)
