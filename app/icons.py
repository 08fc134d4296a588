"""One small SVG icon set for the desk pages (static/vendor/lucide/sprite.svg).

An icon is decoration beside a visible word: it is hidden from screen readers and never the
only signal. `icon('clock')` in a template renders the sprite's symbol of that name.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, url_for
from markupsafe import Markup, escape

SPRITE = "vendor/lucide/sprite.svg"
# The symbols the vendored sprite holds (static/vendor/lucide/icons.txt lists them).
LIST = Path(__file__).resolve().parent.parent / "static" / "vendor" / "lucide" / "icons.txt"
NAMES = frozenset(n.strip() for n in LIST.read_text(encoding="utf-8").splitlines() if n.strip())


def icon(name: str, css: str = "") -> Markup:
    """An aria-hidden SVG icon from the sprite; an unknown name is a programming error."""
    if name not in NAMES:
        raise KeyError(f"icon {name!r} is not in the vendored sprite")
    href = f"{url_for('static', filename=SPRITE)}#{name}"
    classes = f"icon {css}".strip()
    return Markup(
        f'<svg class="{escape(classes)}" aria-hidden="true" focusable="false">'
        f'<use href="{escape(href)}"></use></svg>'
    )


def register(app: Flask) -> None:
    """Expose `icon()` to templates."""
    app.jinja_env.globals["icon"] = icon
