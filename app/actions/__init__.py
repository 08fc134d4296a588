"""Supervisors act on customers from lists and cards: telesales, visits, moves, lost."""

from flask import Blueprint

bp = Blueprint("actions", __name__, url_prefix="/acoes")
