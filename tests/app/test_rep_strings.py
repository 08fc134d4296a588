"""The phone's words: the script gets both forms of each counted word in the user's language
(gettext's two pt-BR forms; the catalogue's rule is tested in test_i18n)."""

from __future__ import annotations

from flask_babel import ngettext

from app.rep.strings import js_strings


def test_counted_words_reach_the_phone_in_both_forms(app):
    """Tests that the script's plural pairs are translated, with their placeholder left to fill."""
    with app.test_request_context(headers={"Accept-Language": "pt-BR"}):
        plurals = js_strings()["plurals"]
        assert plurals["pending"] == ["%(num)s pendente", "%(num)s pendentes"]
        assert plurals["done"] == ["%(num)s feita", "%(num)s feitas"]
        assert ngettext("%(num)d customer", "%(num)d customers", 2) == "2 clientes"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert js_strings()["plurals"]["visits"] == ["%(num)s visit", "%(num)s visits"]
