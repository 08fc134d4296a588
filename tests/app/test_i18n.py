"""One gettext catalogue (docs/i18n.md): up to date with the code, every pt-BR message translated
and reviewed, gettext's two pt-BR plural forms, and each English word with two meanings told apart
by a context, so that every screen says the right Portuguese word."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import ngettext, pgettext

from app.commands.translate import (
    CATALOG_DIR,
    PLURAL_FORMS,
    ROOT,
    TEMPLATE,
    catalogues,
    extract,
    pin_plural_forms,
    untranslated,
)
from app.extensions import db
from app.models import PlanningRun, PlanningRunRep, RunStatus, ScoreSnapshot, utcnow
from app.rep.strings import js_strings
from app.services.clock import local_today
from tests.factories import two_teams
from tests.support.web import login

PT_BR = CATALOG_DIR / "pt_BR" / "LC_MESSAGES" / "messages.po"

# English words that mean two things on different screens: each meaning has its own context
# (pgettext) and its own Portuguese word. A context-free use of these words would make one screen
# say the other's word again, as when seven catalogues were merged and the last one won.
TOLD_APART: dict[str, dict[str | None, str]] = {
    "Skipped": {
        "outcome": "Pulado",
        "visits count": "Puladas",
        "route stop": "Parada pulada",
    },
    "Visited": {"visits count": "Visitadas", "route stop": "Visita feita"},
    "Planned": {"visits count": "Planejadas", "rep's day": "Planejado"},
    "Order value": {"orders total": "Valor dos pedidos", "one order": "Valor do pedido"},
    "Call": {"contact kind": "Ligação", "action": "Ligar"},
    "Call back": {"outcome": "Retornar ligação", "action": "Retornar"},
    "Unplanned visits": {None: "Visitas fora do plano", "phone": "Visitas avulsas"},
}


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def _translations(catalog: Catalog) -> dict[tuple[str | None, object], object]:
    def frozen(value: object) -> object:
        return value if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]

    return {(m.context, frozen(m.id)): frozen(m.string) for m in catalog if m.id}


def test_the_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """Tests that extracting again (pybabel extract -F babel.cfg) finds the stored template's
    messages, no more and no fewer: a string added to the code must reach the catalogue."""
    fresh = _keys(_read(extract(tmp_path / "messages.pot")))
    stored = _keys(_read(TEMPLATE))
    assert sorted(fresh - stored, key=str) == [], "new strings: run `flask translate update`"
    assert sorted(stored - fresh, key=str) == [], "gone strings: run `flask translate update`"
    assert len(fresh) > 800


def test_the_template_keeps_locations_and_translator_comments() -> None:
    """Tests that translators see where a message is used and the notes left for them."""
    template = _read(TEMPLATE)
    skipped = template.get("Skipped", context="visits count")
    assert skipped is not None
    assert "templates/supervisor/index.html" in [path for path, _line in skipped.locations]
    call = template.get("Call", context="action")
    assert call is not None
    assert any("verb" in comment for comment in call.auto_comments)


def test_there_is_one_catalogue() -> None:
    """Tests that no feature keeps its own catalogue or table of translations any more."""
    app_dir = ROOT / "app"
    assert sorted(app_dir.rglob("pt_table.py")) == []
    assert sorted(app_dir.rglob("*.po")) == [PT_BR]
    assert catalogues() == [PT_BR]


def test_the_pt_br_catalogue_follows_the_template() -> None:
    """Tests that `pybabel update` merged the template: same messages, none left behind."""
    assert _keys(_read(PT_BR)) == _keys(_read(TEMPLATE))


def test_every_pt_br_message_is_translated_and_reviewed() -> None:
    """Tests that no message is empty (English would leak) or fuzzy (a guess nobody checked)."""
    assert untranslated(PT_BR) == [], "translate these in the .po (docs/i18n.md)"


def test_an_empty_or_fuzzy_message_is_caught(tmp_path: Path) -> None:
    """Tests the check above against a catalogue with one of each."""
    po = tmp_path / "pt_BR" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "Done"\nmsgstr "Feito"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgctxt "visits count"\nmsgid "Skipped"\nmsgstr "Pulado"\n\n'
        'msgid "%(num)d visit"\nmsgid_plural "%(num)d visits"\n'
        'msgstr[0] "%(num)d visita"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    assert untranslated(po) == ["Empty", "[visits count] Skipped (fuzzy)", "%(num)d visit"]


def test_placeholders_survive_the_translation() -> None:
    """Tests Babel's checks: a translation keeps the English message's %(name)s placeholders."""
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in _read(PT_BR, "pt_BR").check()
    ]
    assert problems == []


def test_pt_br_counts_with_gettexts_two_forms(tmp_path: Path) -> None:
    """Tests the pinned pt-BR plural rule (one, other) and that an update puts it back when
    newer CLDR data (pybabel init) writes a three-form rule."""
    catalog = _read(PT_BR)
    assert catalog.plural_forms == PLURAL_FORMS["pt_BR"] == "nplurals=2; plural=(n > 1);"
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert plurals
    assert all(len(m.string) == 2 and all(m.string) for m in plurals)

    drifted = tmp_path / "pt_BR" / "LC_MESSAGES" / "messages.po"
    drifted.parent.mkdir(parents=True)
    drifted.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=3; plural=(n == 0 || n == 1) ? 0 : '
        'n != 0 && n % 1000000 == 0 ? 1 : 2;\\n"\n\n'
        'msgid "%(num)d visit"\nmsgid_plural "%(num)d visits"\n'
        'msgstr[0] "%(num)d visita"\nmsgstr[1] "%(num)d visitas"\nmsgstr[2] "%(num)d visitas"\n',
        encoding="utf-8",
    )
    assert pin_plural_forms(drifted) is True
    pinned = _read(drifted)
    assert pinned.plural_forms == "nplurals=2; plural=(n > 1);"
    assert pinned.get("%(num)d visit").string == ("%(num)d visita", "%(num)d visitas")
    assert pin_plural_forms(drifted) is False


def test_words_with_two_meanings_are_told_apart_by_context() -> None:
    """Tests that each meaning of an ambiguous English word has its own context and word, and
    that none of them is used without a context where the table says it must have one."""
    template, pt_br = _read(TEMPLATE), _read(PT_BR)
    for msgid, words in TOLD_APART.items():
        contexts = {m.context for m in template if m.id == msgid}
        assert contexts == set(words), (
            f"{msgid!r}: use pgettext with one of {sorted(words, key=str)}"
        )
        found = {m.context: m.string for m in pt_br if m.id == msgid}
        assert found == words, msgid
        assert len(set(found.values())) == len(found), msgid


def test_the_running_app_reads_the_compiled_catalogue(app) -> None:  # type: ignore[no-untyped-def]
    """Tests that the app serves the one catalogue, contexts and plurals included (make
    translations compiles it)."""
    mo = PT_BR.with_suffix(".mo")
    assert mo.exists(), "run `make translations`"
    with mo.open("rb") as fh:
        compiled = _translations(read_mo(fh))
    source = _translations(_read(PT_BR))
    assert compiled == source, "the .mo is stale: run `make translations`"
    with app.test_request_context(headers={"Accept-Language": "pt-BR"}):
        assert pgettext("visits count", "Skipped") == "Puladas"
        assert pgettext("rep's day", "Planned") == "Planejado"
        assert ngettext("%(num)d customer", "%(num)d customers", 1) == "1 cliente"
        assert ngettext("%(num)d customer", "%(num)d customers", 2) == "2 clientes"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert pgettext("visits count", "Skipped") == "Skipped"


def test_portuguese_by_default_and_english_on_request(client) -> None:  # type: ignore[no-untyped-def]
    """Tests the default locale and the Accept-Language fallback."""
    pt = client.get("/auth/login").get_data(as_text=True)
    assert "Entrar" in pt
    assert 'lang="pt-BR"' in pt
    en = client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    assert "Log in" in en
    assert 'lang="en"' in en


# The screens that said the wrong word while the feature catalogues were merged.


@pytest.fixture
def world(db_session):  # type: ignore[no-untyped-def]
    return two_teams()


def test_the_dashboard_counts_visits_in_the_feminine(client, world) -> None:  # type: ignore[no-untyped-def]
    """Tests the supervisor's plan-versus-done columns: visitas planejadas, visitadas, puladas,
    and the value of the day's orders (it read "Pulado" and "Valor do pedido")."""
    login(client, world["sup1"].email)
    page = client.get("/supervisor/").get_data(as_text=True)
    for word in ("Planejadas", "Visitadas", "Puladas", "Valor dos pedidos"):
        assert f'<th class="num">{word}</th>' in page, word
    assert '<th class="num">Pulado</th>' not in page


def test_the_runs_page_says_a_rep_was_planned(client, world) -> None:  # type: ignore[no-untyped-def]
    """Tests a rep's line on the runs page: "Planejado" (it read "Planejadas")."""
    started = utcnow() - timedelta(minutes=5)
    run = PlanningRun(
        company_id=world["company"].id,
        plan_date=local_today(),
        status=RunStatus.SUCCEEDED,
        started_at=started,
        finished_at=started + timedelta(seconds=30),
        counts={"reps_planned": 1, "stops": 12},
    )
    db.session.add(run)
    db.session.flush()
    db.session.add(
        PlanningRunRep(
            run_id=run.id, user_id=world["rep1"].id, status="planned", stops=12, duration_ms=400
        )
    )
    db.session.flush()
    login(client, world["admin"].email)
    page = client.get("/planejamentos/").get_data(as_text=True)
    assert "Planejado" in page
    assert "Planejadas" not in page


def test_the_call_list_button_says_call_back(client, world) -> None:  # type: ignore[no-untyped-def]
    """Tests the telesales button "Retornar" (it read "Retornar ligação", the outcome's word) and
    the value of one order."""
    db.session.add(
        ScoreSnapshot(
            company_id=world["company"].id,
            customer_id=world["c_tel1"].id,
            score_date=local_today(),
            total=50.0,
            flags=0,
            reasons=[],
            offers=[],
        )
    )
    db.session.flush()
    login(client, world["tel1"].email)
    page = client.get("/televendas/").get_data(as_text=True)
    assert world["c_tel1"].trade_name in page
    assert "<kbd>4</kbd> Retornar</button>" in page
    assert '<span class="sr-only">Valor do pedido</span>' in page


def test_the_phone_gets_its_own_words(app) -> None:  # type: ignore[no-untyped-def]
    """Tests the rep's words restored to plain English ("Call", not "Dial") and their
    Portuguese: the verb "Ligar", "Visitas avulsas", a stop "Visita feita" / "Parada pulada"."""
    with app.test_request_context(headers={"Accept-Language": "pt-BR"}):
        words = js_strings()["words"]
        assert words["call"] == "Ligar"
        assert words["unplanned"] == "Visitas avulsas"
        assert words["status_done"] == "Visita feita"
        assert words["status_skipped"] == "Parada pulada"
        assert words["outcome_skipped"] == "Pulado"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        words = js_strings()["words"]
        assert (words["call"], words["unplanned"]) == ("Call", "Unplanned visits")
        assert (words["status_done"], words["status_skipped"]) == ("Visited", "Skipped")


def test_the_translate_commands_run(app) -> None:  # type: ignore[no-untyped-def]
    """Tests `flask translate compile` as `make translations` calls it, and that the group has
    its three commands (extract is run for real above, into a temporary file)."""
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["translate", "--help"])
    assert all(name in listed.output for name in ("extract", "update", "compile"))
    compiled = runner.invoke(args=["translate", "compile"])
    assert compiled.exit_code == 0, compiled.output
    assert "compiled 1 catalogue(s) in app/translations" in compiled.output


def test_the_phones_cache_follows_the_catalogue() -> None:
    """Tests that the service worker's cache version hashes the compiled catalogue (a changed
    word must reach phones that work offline) at the path it now lives at."""
    from app.rep.service_worker import SHELL_SOURCES

    assert "app/translations/pt_BR/LC_MESSAGES/messages.mo" in SHELL_SOURCES
    assert all((ROOT / source).exists() for source in SHELL_SOURCES), SHELL_SOURCES
