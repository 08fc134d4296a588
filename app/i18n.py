"""Locale selection (user preference, then the browser, then pt-BR) and the catalogue.

The app has one gettext catalogue, ``app/translations`` (domain ``messages``); see docs/i18n.md.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from app.extensions import babel

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def cli_locale() -> str:
    """The language outside a request (`flask` commands, jobs): ROTEIRO_CLI_LOCALE if it is
    one of ours (``pt_BR``, ``en``; ``pt-BR`` is read as ``pt_BR``), else the default."""
    wanted = (current_app.config.get("CLI_LOCALE") or "").replace("-", "_")
    languages = current_app.config["LANGUAGES"]
    match = next((lang for lang in languages if lang.lower() == wanted.lower()), None)
    if match is None and wanted.lower().startswith("en"):
        match = "en"
    return str(match or current_app.config["BABEL_DEFAULT_LOCALE"])


def select_locale() -> str:
    """Pick the user's saved language, else the session's, else Accept-Language; outside a
    request, the command line's language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return cli_locale()
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in languages:
        return str(chosen)
    match = request.accept_languages.best_match(["pt-BR", "pt", "en"])
    if match and match.startswith("en"):
        return "en"
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def configure_babel(app: Flask) -> None:
    """Attach Flask-Babel with our selector and the app's one catalogue."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, locale_selector=select_locale)
