"""Telesales (televendas): the seat's ranked call list with inline outcome logging."""

from flask import Blueprint

bp = Blueprint("telesales", __name__, url_prefix="/televendas")
