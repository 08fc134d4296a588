"""The service worker's cache name is derived from everything it precaches.

A phone keeps its precached shell until the worker's cache name changes, so a precached
file edited without a new name would leave phones on the old file. These tests change each
precached input in turn (every static file of the precache list and every source of the
offline shell) and require a new name each time, and no new name for anything else.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from app.rep import service_worker

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the worker's inputs: the static folder and the offline shell's sources."""
    root = tmp_path / "project"
    shutil.copytree(STATIC, root / "static")
    for rel in service_worker.SHELL_SOURCES:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / rel).exists():
            shutil.copy2(ROOT / rel, target)
    return root / "static", root


def _served(static: Path, root: Path) -> tuple[str, list[str]]:
    text = service_worker.worker_source(static, root)
    name = re.search(r'^const CACHE_VERSION = "([0-9a-f]{16})";', text, re.MULTILINE)
    precache = re.search(r"^const PRECACHE = (\[.*\]);", text, re.MULTILINE)
    assert name is not None
    assert precache is not None
    return name.group(1), json.loads(precache.group(1))


def _precached_inputs() -> list[str]:
    _name, urls = _served(STATIC, ROOT)
    files = ["static/" + u.removeprefix("/static/") for u in urls if u.startswith("/static/")]
    assert len(files) == len(urls) - 1  # everything but the offline shell's URL is a static file
    return ["static/js/sw.js", *files, *service_worker.SHELL_SOURCES]


@pytest.mark.parametrize("rel", _precached_inputs())
def test_changing_a_precached_input_renames_the_cache(tmp_path: Path, rel: str) -> None:
    static, root = _tree(tmp_path)
    before, _urls = _served(static, root)
    path = root / rel
    if not path.exists():
        pytest.skip(f"{rel} is built by `make translations`")
    path.write_bytes(path.read_bytes() + b"\n")
    after, _urls = _served(static, root)
    assert after != before, f"{rel} changed but the service worker kept its cache name"


def test_other_files_keep_the_cache_name(tmp_path: Path) -> None:
    static, root = _tree(tmp_path)
    before, urls = _served(static, root)
    (static / "js" / "supervisor.js").write_text("// not precached: the rep's phone never needs it")
    (root / "README.md").write_text("not an input")
    assert "/static/js/supervisor.js" not in urls
    assert _served(static, root)[0] == before
