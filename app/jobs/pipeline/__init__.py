"""The planning pipeline of one company and date: score, plan every rep, rank telesales, record.

A job, run by the scheduler process (the nightly cron and the queue of web re-runs) or by
``flask plan`` / ``flask jobs run-once``; never by a web worker. It splits its work into
units through :func:`app.transactions.checkpoint`: the lock, the run record and each rep's
plans are committed separately, so a run killed halfway leaves every rep with either its
old plans or its new ones, never half of each, and the next run finds the dead run (its
lock is stale), marks it ABANDONED and redoes the date. The services it calls only flush.

One module per job:

- :mod:`.run`: a run's options and summary, and :class:`~.run.Run`, its units of work;
- :mod:`.calendars`: the visit calendars recomputed first, in ``calendar`` mode;
- :mod:`.reps`: every rep prepared, solved on the executor and written;
- :mod:`.company`: one company's run from start to end, and the companies to plan.
"""

from app.jobs.pipeline.company import companies_to_plan, run_company
from app.jobs.pipeline.run import Progress, RunOptions, RunSummary, RunTaken

__all__ = ["Progress", "RunOptions", "RunSummary", "RunTaken", "companies_to_plan", "run_company"]
