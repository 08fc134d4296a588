"""The supervisor's dashboard: coverage, lapses, plan versus done, and the customers behind them."""

from flask import Blueprint

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")
