"""Landing pages: send each role to its home."""

from flask import Blueprint

bp = Blueprint("main", __name__)
