"""`flask plan --date D [--rep EMAIL_OR_ID] [--dry-run]`: the nightly run, by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
import sqlalchemy as sa
from flask_babel import gettext as _

from app.commands.params import DATE
from app.extensions import db
from app.jobs.executors import make_executor
from app.jobs.nightly import default_executor, nightly
from app.jobs.pipeline import RunSummary
from app.models import RunTrigger, User


def find_rep(text: str) -> User:
    """Return the user named by an e-mail or an id."""
    query = (
        sa.select(User).where(User.id == int(text))
        if text.isdigit()
        else sa.select(User).where(User.email == text.lower())
    )
    rep = db.session.scalar(query)
    if rep is None:
        raise click.ClickException(_("no user %(user)r", user=text))
    return rep


class _Bar:
    """A click progress bar created once the number of reps is known."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int, _rep_id: int, _status: str) -> None:
        if self.bar is None:
            self.bar = click.progressbar(
                length=max(total, 1), label=_("Planning reps"), show_pos=True
            )
            self.bar.__enter__()
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def echo_summary(summary: RunSummary, *, dry_run: bool) -> None:
    """Print a run's outcome, one line per failed rep."""
    c = summary.counts
    # TRANSLATORS: prefix of `flask plan --dry-run`'s summary.
    prefix = _("[dry run]") + " " if dry_run else ""
    counts = _(
        "%(planned)s planned, %(kept)s kept, %(failed)s failed, %(off)s off, %(stops)s visits",
        planned=c.get("reps_planned", 0),
        kept=c.get("reps_kept", 0),
        failed=c.get("reps_failed", 0),
        off=c.get("reps_skipped", 0),
        stops=c.get("stops", 0),
    )
    click.echo(
        f"{prefix}{summary.plan_date:%d/%m/%Y}: {summary.status.value} — {counts} "
        f"(run {summary.run_id}, {c.get('seconds_total', 0):.1f} s)"
    )
    for rep in summary.reps:
        if rep["status"] == "failed":
            failed = _("rep %(rep)s failed: %(error)s", rep=rep["user_id"], error=rep["error"])
            click.echo(f"  {failed}")


@click.command("plan")
@click.option(
    "--date",
    "day",
    type=DATE,
    help="Date to plan (default: next working day).",
)
@click.option("--rep", "rep_text", metavar="EMAIL_OR_ID", help="Only this rep.")
@click.option("--company", "company_id", type=int, help="Only this company (default: all).")
@click.option("--dry-run", is_flag=True, help="Plan and report, write nothing.")
@click.option("--no-score", is_flag=True, help="Reuse the latest score snapshots.")
@click.option(
    "--executor", type=click.Choice(["inline", "local", "celery"]), help="Where reps are solved."
)
@click.option("--workers", type=int, help="Local processes (default: all cores).")
def plan_cli(
    day: date | None,
    rep_text: str | None,
    company_id: int | None,
    dry_run: bool,
    no_score: bool,
    executor: str | None,
    workers: int | None,
) -> None:
    """Score and plan the day (and the week agenda) for every rep, like the nightly run."""
    rep_ids = None
    if rep_text:
        rep = find_rep(rep_text)
        rep_ids, company_id = [rep.id], rep.company_id
    chosen = (
        default_executor(workers, executor) if executor != "inline" else make_executor("inline")
    )
    bar = _Bar()
    try:
        summaries = nightly(
            company_id=company_id,
            day=day,
            dry_run=dry_run,
            trigger=RunTrigger.MANUAL,
            rep_ids=rep_ids,
            executor=chosen,
            progress=bar,
            score=not no_score,
        )
    finally:
        bar.close()
        chosen.close()
    if not summaries:
        raise click.ClickException(
            "nothing planned (no company with reps, or a run is already going)"
        )
    for summary in summaries:
        echo_summary(summary, dry_run=dry_run)
