"""`flask translate extract|update|compile`: the one gettext catalogue, with Babel's own tools.

Strings are English in the code and templates. ``extract`` writes ``app/translations/messages.pot``
with ``pybabel extract -F babel.cfg`` (source locations and ``# TRANSLATORS:`` comments kept);
``update`` extracts, then merges the template into every language's ``.po`` with
``pybabel update``; translators edit the ``.po`` files directly; ``compile`` writes the ``.mo``
files the app reads (``make translations``). The workflow is in docs/i18n.md.

Each step runs pybabel in a child process from the repository root, so the catalogue's
locations read ``app/...`` and ``templates/...`` whoever runs it, and a test can extract the
same way into a temporary file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIR = ROOT / "app" / "translations"
TEMPLATE = CATALOG_DIR / "messages.pot"
MAPPING = ROOT / "babel.cfg"
# Our calls beside Babel's defaults (_, gettext, ngettext, pgettext, npgettext, ...).
KEYWORDS = (
    "_l",
    "lazy_gettext",
    "lazy_ngettext:1,2",
    "lazy_pgettext:1c,2",
    "_lp:1c,2",
    "lazy_npgettext:1c,2,3",
)
WIDTH = "100"
# gettext's rule for Brazilian Portuguese. Newer CLDR data gives pt a third form ("many", exact
# millions) that `pybabel init` would write; a catalogue with three forms once broke merged
# plurals, and the phone's script knows two forms (one, other). Every update pins it back.
PLURAL_FORMS = {"pt_BR": "nplurals=2; plural=(n > 1);"}


def pybabel(*args: str) -> None:
    """Run one pybabel command from the repository root; raise when it fails."""
    command = [sys.executable, "-m", "babel.messages.frontend", "--quiet", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise click.ClickException(f"{' '.join(args[:1])} failed:\n{done.stderr}{done.stdout}")


def _dated(text: str) -> str:
    return "".join(line for line in text.splitlines(True) if "POT-Creation-Date" not in line)


def extract(output: Path = TEMPLATE) -> Path:
    """Write the message template of the Python code and the templates to ``output``.

    An unchanged template keeps its file (and its date), so running the command twice, or on
    two branches, changes nothing in git.
    """
    fresh = output.with_name(f".{output.name}.new")
    try:
        _extract_to(fresh)
        new = fresh.read_text(encoding="utf-8")
        if not output.exists() or _dated(output.read_text(encoding="utf-8")) != _dated(new):
            fresh.replace(output)
    finally:
        fresh.unlink(missing_ok=True)
    return output


def _extract_to(output: Path) -> None:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    pybabel(
        "extract",
        "-F",
        str(MAPPING),
        *keywords,
        "--add-comments",
        "TRANSLATORS:",
        "--project",
        "Roteiro",
        "--copyright-holder",
        "Roteiro contributors",
        "--width",
        WIDTH,
        "-o",
        str(output),
        ".",
    )


def catalogues(directory: Path = CATALOG_DIR) -> list[Path]:
    """Every language's ``.po`` file."""
    return sorted(directory.glob("*/LC_MESSAGES/messages.po"))


def pin_plural_forms(po_file: Path) -> bool:
    """Give a catalogue its language's pinned plural rule; True when the file changed."""
    language = po_file.parent.parent.name
    rule = PLURAL_FORMS.get(language)
    with po_file.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    if rule is None or catalog.plural_forms == rule:
        return False
    catalog.mime_headers = [("Plural-Forms", rule)]
    for message in catalog:
        if message.pluralizable and isinstance(message.string, tuple):
            forms = message.string[: catalog.num_plurals]
            message.string = forms + ("",) * (catalog.num_plurals - len(forms))
    with po_file.open("wb") as fh:
        write_po(fh, catalog, width=int(WIDTH))
    return True


def update() -> list[Path]:
    """Extract, then merge the template into every catalogue (new strings empty or fuzzy)."""
    extract()
    pybabel(
        "update",
        "-i",
        str(TEMPLATE),
        "-d",
        str(CATALOG_DIR),
        "--ignore-obsolete",
        "--ignore-pot-creation-date",
        "--previous",
        "--width",
        WIDTH,
    )
    for po_file in catalogues():
        pin_plural_forms(po_file)
    return catalogues()


def compile_catalogues() -> None:
    """Write the ``.mo`` files; fuzzy translations are left out, as gettext intends."""
    pybabel("compile", "-d", str(CATALOG_DIR), "--statistics")


def untranslated(po_file: Path) -> list[str]:
    """The messages of a catalogue still to translate or to review (empty or fuzzy)."""
    with po_file.open("rb") as fh:
        catalog = read_po(fh)
    todo = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            where = f"[{message.context}] " if message.context else ""
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            todo.append(f"{where}{msgid}" + (" (fuzzy)" if message.fuzzy else ""))
    return todo


@click.group("translate")
def translate_cli() -> None:
    """Extract, merge and compile the translation catalogues (docs/i18n.md)."""


@translate_cli.command("extract")
def extract_command() -> None:
    """Write app/translations/messages.pot from the code and templates."""
    click.echo(f"wrote {extract().relative_to(ROOT)}")


@translate_cli.command("update")
def update_command() -> None:
    """Extract, then merge the new strings into every language's .po file."""
    for po_file in update():
        todo = untranslated(po_file)
        click.echo(f"updated {po_file.relative_to(ROOT)}: {len(todo)} to translate or review")
        for line in todo:
            click.echo(f"  {line}")


@translate_cli.command("compile")
def compile_command() -> None:
    """Compile every .po file into the .mo file the app reads."""
    compile_catalogues()
    click.echo(f"compiled {len(catalogues())} catalogue(s) in {CATALOG_DIR.relative_to(ROOT)}")
