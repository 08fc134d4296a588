"""The service worker as served: its precache list and a cache version taken from content.

``static/js/sw.js`` holds the policy; the list of files it precaches and the name of its
cache are filled in here when it is served, so the cache follows the files: any change to
a precached script, style, icon or to the offline shell's templates and words gives a new
version, and the phone drops the old cache on activation. Nobody bumps a constant.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

SHELL_URL = "/hoje/offline"
STATIC_PATTERNS = (
    "css/app.css",
    "css/rep.css",
    "js/rep/*.js",
    "img/icons/*.png",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
)
# What the offline shell is made of besides static files.
SHELL_SOURCES = (
    "templates/rep/shell.html",
    "templates/rep/_app.html",
    "templates/rep/_head.html",
    "app/rep/strings.py",
    "app/translations/pt_BR/LC_MESSAGES/messages.mo",
)
VERSION_LINE = re.compile(r'^const CACHE_VERSION = "[^"]*";.*$', re.MULTILINE)
PRECACHE_LINE = re.compile(r"^const PRECACHE = \[\];.*$", re.MULTILINE)


def static_files(static_folder: Path) -> list[Path]:
    """The static files the worker precaches, in a stable order."""
    out: list[Path] = []
    for pattern in STATIC_PATTERNS:
        out += sorted(static_folder.glob(pattern))
    return out


def _stamp(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.exists())


@lru_cache(maxsize=8)
def _render(stamp: tuple[tuple[str, int, int], ...], static_folder: str, worker: str) -> str:
    digest = hashlib.sha256()
    for path, _mtime, _size in stamp:
        digest.update(path.encode())
        digest.update(Path(path).read_bytes())
    source = Path(worker).read_text(encoding="utf-8")
    root = Path(static_folder)
    urls = [SHELL_URL] + ["/static/" + p.relative_to(root).as_posix() for p in static_files(root)]
    source = VERSION_LINE.sub(
        f'const CACHE_VERSION = "{digest.hexdigest()[:16]}";', source, count=1
    )
    return PRECACHE_LINE.sub(f"const PRECACHE = {json.dumps(urls)};", source, count=1)


def worker_source(static_folder: Path, project_root: Path) -> str:
    """sw.js with its precache list and a version hashed from every precached input."""
    worker = static_folder / "js" / "sw.js"
    inputs = [worker, *static_files(static_folder), *(project_root / s for s in SHELL_SOURCES)]
    return _render(_stamp(inputs), str(static_folder), str(worker))
