"""Write a feature's pt_BR catalogue from the messages of its files plus a translation table.

Usage: python scripts/po_update.py CATALOG_DIR TABLE.py FILE_OR_DIR...

TABLE.py defines PT = {"English msgid": "tradução", ("singular", "plural"): ("um", "vários")}.
Existing translations in the catalogue are kept; the table wins on conflicts.
Messages with no translation are listed and make the script exit 1.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.js", "ignore")]


def _extract(path: Path):
    if path.is_dir():
        yield from extract_from_dir(str(path), METHODS, keywords=KEYWORDS)
    else:
        method = "jinja2" if path.suffix == ".html" else "python"
        for lineno, msg, comments, ctx in extract_from_file(method, str(path), keywords=KEYWORDS):
            yield str(path), lineno, msg, comments, ctx


def main(argv: list[str]) -> int:
    catalog_dir, table_file, *sources = argv
    table = runpy.run_path(table_file)["PT"]
    po_path = Path(catalog_dir) / "pt_BR" / "LC_MESSAGES" / "messages.po"
    old: dict[object, object] = {}
    if po_path.exists():
        with po_path.open("rb") as fh:
            old = {m.id: m.string for m in read_po(fh) if m.id and m.string}
    catalog = Catalog(locale="pt_BR", project="Roteiro", charset="utf-8", fuzzy=False)
    missing = []
    for source in sources:
        for _fn, _lineno, msg, _comments, _ctx in _extract(Path(source)):
            key = msg if isinstance(msg, str) else tuple(msg[:2])
            text = table.get(key) or old.get(key)
            if not text or (isinstance(text, tuple) and not all(text)):
                missing.append(key)
                continue
            catalog.add(key, text)
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, width=100)
    for key in dict.fromkeys(missing):
        print(f"missing pt_BR: {key!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
