"""The desk pages' icons: one vendored SVG sprite, every icon named in code present in it,
hidden from screen readers beside a word, and no emoji left on the desk templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import icons
from app.presenters_scoring import FLAG_SPRITE
from app.runs.labels import RUN_STATUS
from app.supervisor.tables import STATUS_ICONS

ROOT = Path(__file__).resolve().parents[2]
SPRITE = ROOT / "static" / "vendor" / "lucide" / "sprite.svg"
# The rep's phone pages keep characters (no extra request offline); every other page is a desk.
DESK_TEMPLATES = [
    p
    for p in (ROOT / "templates").rglob("*.html")
    if p.relative_to(ROOT / "templates").parts[0] != "rep"
]
# Emoji, dingbats, technical symbols and arrows used as icons ("→" between two figures is text).
PICTOGRAPHS = re.compile(
    "[\U0001f300-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2139\u21a9-\u21bb"
    "\u2190\u2191\u2193-\u2199\u2b50]"
)


def test_the_sprite_holds_exactly_the_listed_symbols():
    """Tests that icons.txt and the vendored sprite agree, with the licence beside them."""
    symbols = set(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text(encoding="utf-8")))
    assert symbols == set(icons.NAMES)
    assert (SPRITE.parent / "LICENSE").is_file()
    assert "@license lucide-static v1.62.0 - ISC" in SPRITE.read_text(encoding="utf-8")


def test_every_icon_named_in_code_and_templates_exists():
    """Tests the names used by presenters, tables and templates against the sprite."""
    named = set(FLAG_SPRITE.values()) | set(STATUS_ICONS.values())
    named |= {name for name, _label in RUN_STATUS.values()}
    for template in (ROOT / "templates").rglob("*.html"):
        named |= set(re.findall(r"icon\('([a-z0-9-]+)'\)", template.read_text(encoding="utf-8")))
    for script in (ROOT / "static" / "js").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        named |= set(re.findall(r'icon(?:Html)?\("([a-z0-9-]+)"\)', text))
    assert named, "icons are used"
    assert named <= icons.NAMES, named - icons.NAMES


@pytest.mark.parametrize("template", DESK_TEMPLATES, ids=lambda p: p.name)
def test_desk_templates_carry_no_emoji(template):
    """Tests that desk pages draw icons with the sprite, not with emoji or dingbats."""
    found = PICTOGRAPHS.findall(template.read_text(encoding="utf-8"))
    assert not found, f"{template}: {found}"


def test_an_icon_is_hidden_from_screen_readers(app):
    """Tests the markup: aria-hidden, not focusable, a reference into the sprite."""
    with app.test_request_context():
        markup = str(icons.icon("clock"))
        with pytest.raises(KeyError):
            icons.icon("no-such-icon")
    assert 'aria-hidden="true"' in markup
    assert 'focusable="false"' in markup
    assert re.search(r'<use href="/static/vendor/lucide/sprite\.svg#clock">', markup)
