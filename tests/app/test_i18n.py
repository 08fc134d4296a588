"""Every string shown to users has a pt-BR translation; the browser's language is honoured."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.support import Translations

from app.i18n import translation_directories

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}


def _messages() -> set[str]:
    found: set[str] = set()
    for folder, methods in (
        (ROOT / "app", [("**/translations/**", "ignore"), ("**.py", "python")]),
        (ROOT / "templates", [("**.html", "jinja2")]),
    ):
        for _fn, _line, msg, _c, _ctx in extract_from_dir(str(folder), methods, keywords=KEYWORDS):
            found.add(msg if isinstance(msg, str) else msg[0])
    return found


def _pt_br() -> Translations:
    merged: Translations | None = None
    for directory in translation_directories().split(";"):
        catalog = Translations.load(directory, ["pt_BR"])
        if merged is None:
            merged = catalog
        else:
            merged.merge(catalog)
    assert merged is not None
    return merged


def test_every_user_facing_string_has_a_pt_br_translation():
    """Tests that no English string leaks into the Portuguese interface."""
    translations = _pt_br()
    catalog = translations._catalog  # type: ignore[attr-defined]
    missing = sorted(
        msg for msg in _messages() if msg not in catalog and (msg, 0) not in catalog
    )
    assert missing == [], f"missing pt_BR translations (run scripts/po_update.py): {missing}"


def test_portuguese_by_default_and_english_on_request(client):
    """Tests the default locale and the Accept-Language fallback."""
    pt = client.get("/auth/login").get_data(as_text=True)
    assert "Entrar" in pt
    assert 'lang="pt-BR"' in pt
    en = client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Log in" in en
    assert 'lang="en"' in en
