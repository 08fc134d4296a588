"""Locale selection (user preference, then the browser, then pt-BR) and catalogues."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from app.extensions import babel

APP_DIR = Path(__file__).resolve().parent


def translation_directories() -> str:
    """Every feature keeps its own catalogue in `<feature>/translations`; merge them all."""
    dirs = sorted(p for p in APP_DIR.rglob("translations") if p.is_dir())
    return ";".join(str(p) for p in dirs)


def select_locale() -> str:
    """Pick the user's saved language, else the session's, else Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
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
    """Attach Flask-Babel with our selector and every feature's catalogue."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    babel.init_app(app, locale_selector=select_locale)
