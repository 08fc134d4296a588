"""The gunicorn settings module: loadable by gunicorn's own config loader, and its worker hook
moves the loaded objects out of the collector's reach."""

from __future__ import annotations

import gc
from typing import Any

import sqlalchemy as sa
from gunicorn.app.base import Application
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app import gunicorn_conf


class _Loader(Application):  # type: ignore[misc]
    """Gunicorn's own application class, used only to read a settings location."""

    def init(self, parser: Any, opts: Any, args: Any) -> None:
        return None

    def load(self) -> None:
        return None


def test_gunicorn_reads_the_settings_module() -> None:
    """Tests that gunicorn's loader takes the worker class and the hook from
    ``python:app.gunicorn_conf`` (a misspelt setting name there would be silently ignored,
    so the values are read back from gunicorn's config)."""
    app = _Loader.__new__(_Loader)
    app.usage, app.prog, app.callable = None, None, None
    app.load_default_config()
    app.load_config_from_module_name_or_filename("python:app.gunicorn_conf")
    assert app.cfg.worker_class_str == "gthread"
    assert app.cfg.post_worker_init is gunicorn_conf.post_worker_init


def test_worker_hook_freezes_what_the_worker_loaded() -> None:
    """Tests that after the hook, the objects alive at start are frozen (never scanned again)
    and the collector has far fewer objects left to walk."""
    try:
        tracked_before = len(gc.get_objects())
        gunicorn_conf.post_worker_init(None)
        assert gc.get_freeze_count() > 0
        assert len(gc.get_objects()) < tracked_before / 2
    finally:
        gc.unfreeze()


def test_worker_hook_configures_mappers_before_freezing() -> None:
    """Tests that the hook configures pending SQLAlchemy mappers (which the first query would
    otherwise build after the freeze, in the generation every full collection walks)."""

    class Fresh(DeclarativeBase):
        pass

    class Thing(Fresh):
        __tablename__ = "fresh_things"
        id: Mapped[int] = mapped_column(primary_key=True)

    assert not sa.inspect(Thing).configured
    try:
        gunicorn_conf.post_worker_init(None)
        assert sa.inspect(Thing).configured
    finally:
        gc.unfreeze()
