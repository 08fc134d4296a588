"""Gunicorn settings for Roteiro (``gunicorn -c python:app.gunicorn_conf "app:create_app()"``).

Only what the app itself needs is set here; workers, threads and the bind address stay on
the command line, where each deployment sizes them.
"""

from __future__ import annotations

import gc
from typing import Any

# gthread: a phone's request mostly waits on the database, so threads overlap those waits.
worker_class = "gthread"


def _warm() -> None:
    """Build now what the worker's first request would otherwise build after the freeze.

    SQLAlchemy configures its mappers at the first query: ~11,000 objects that, made after
    ``gc.freeze()``, would stay in the oldest generation, which every full collection walks
    (about 30,000 objects per worker in the load bench, 20,000 once configured here; each full
    collection stops all the worker's threads for 10-24 ms of CPU, see docs/benchmarks.md).
    Compiled templates are code objects the collector does not track, so they are left to
    their first use.
    """
    from sqlalchemy.orm import configure_mappers

    configure_mappers()


def post_worker_init(worker: Any) -> None:
    """Move everything the app loaded at start into the collector's permanent generation.

    A loaded worker tracks ~180,000 long-lived objects (modules, SQLAlchemy mappers, Jinja
    templates, OR-Tools bindings). Every full collection walked them all: one per ~1,200
    requests of the rep's page, each a pause of 100-250 ms for every thread of the worker,
    the tail of the load bench. Frozen, they are never scanned again (the ~10,000 objects
    left make full collections rare and short); nothing is leaked, since they live as long
    as the worker anyway.
    """
    _warm()
    gc.collect()
    gc.freeze()
