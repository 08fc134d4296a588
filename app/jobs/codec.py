"""JSON for the planning work units: our frozen dataclasses, tuples, dates and sets.

Celery sends :class:`~app.jobs.work.RepWork` to workers and gets
:class:`~app.jobs.work.RepResult` back through Redis. Pickle would run arbitrary code on
whoever reads the queue; this codec only rebuilds dataclasses from an allow-list of our own
modules, through their constructors (so their validation runs on the way in).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from datetime import date, timedelta
from typing import Any

ALLOWED_MODULES = (
    "optimizer.model",
    "optimizer.agenda",
    "optimizer.replan",
    "optimizer.visit_calendar.model",
    "app.jobs.work",
)
CONTENT_TYPE = "application/x-roteiro-json"
NAME = "roteiro-json"


def _encode(value: Any) -> Any:
    """Turn a value into plain JSON types, tagging what JSON cannot say."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        fields = {
            f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return {"__dc__": f"{cls.__module__}:{cls.__qualname__}", "f": fields}
    if isinstance(value, tuple):
        return {"__t__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, frozenset | set):
        return {"__fs__": sorted(_encode(v) for v in value)}
    if isinstance(value, date):
        return {"__d__": value.isoformat()}
    if isinstance(value, timedelta):
        return {"__td__": value.total_seconds()}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"__m__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    return value


def _class(path: str) -> type:
    """Return an allowed dataclass by its ``module:QualName``."""
    module, _, name = path.partition(":")
    if module not in ALLOWED_MODULES:
        raise ValueError(f"refusing to build {path!r}")
    cls = getattr(importlib.import_module(module), name)
    if not dataclasses.is_dataclass(cls):
        raise ValueError(f"{path!r} is not a dataclass")
    return cls  # type: ignore[return-value]


def _hook(obj: dict[str, Any]) -> Any:
    """Rebuild a tagged object while JSON is being parsed (innermost first)."""
    if "__dc__" in obj:
        return _class(obj["__dc__"])(**obj["f"])
    if "__t__" in obj:
        return tuple(obj["__t__"])
    if "__fs__" in obj:
        return frozenset(obj["__fs__"])
    if "__d__" in obj:
        return date.fromisoformat(obj["__d__"])
    if "__td__" in obj:
        return timedelta(seconds=obj["__td__"])
    if "__m__" in obj:
        return {k: v for k, v in obj["__m__"]}
    return obj


def dumps(value: Any) -> str:
    """Serialise a work unit or result (or anything JSON-like around them)."""
    return json.dumps(_encode(value), separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """Rebuild what :func:`dumps` wrote."""
    return json.loads(text, object_hook=_hook)


def register() -> None:
    """Register the codec with kombu so Celery can use it by name."""
    from kombu.serialization import register as kombu_register

    kombu_register(NAME, dumps, loads, content_type=CONTENT_TYPE, content_encoding="utf-8")
