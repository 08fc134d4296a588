"""The rep's re-plan: preview, then confirm, then undo until the next action.

A preview writes nothing: it computes the rest of the day (keeping the rep's order unless a
new one gains something noticeable) and returns the stops to write as a plain
:class:`RouteVersion`. Confirming writes exactly that version, provided the plan has not
moved since (same revision, same finished stops), and returns the version it replaced, so
the phone can undo while nothing else happened. The view signs versions before handing them
to the phone, so they come back unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Plan, PlanSource, PlanStatus, PlanStop, StopStatus
from app.services import planning, routing
from app.services.errors import Conflict
from optimizer.replan import Replan

STOP_COLUMNS = (
    "seq",
    "kind",
    "customer_id",
    "arrival_s",
    "wait_s",
    "start_s",
    "departure_s",
    "travel_s",
    "travel_m",
    "score",
    "pinned",
    "appointment",
)
TOTAL_COLUMNS = ("end_s", "total_m", "driving_s", "working_s", "prize", "dropped")


class ReplanConflict(Conflict):
    """The plan changed since the version was made (a visit, another re-plan): answered 409."""


@dataclass(frozen=True)
class RouteVersion:
    """The stops still to do of a plan and its totals, applicable on top of one revision."""

    plan_id: int
    revision: int
    done: list[int]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    status: str = PlanStatus.STARTED.value
    source: str = PlanSource.REPLAN.value

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (for signing)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RouteVersion:
        """Rebuild a version from its signed data."""
        return cls(**data)


@dataclass(frozen=True)
class Preview:
    """What the rep is asked to confirm."""

    version: RouteVersion
    result: Replan
    names: dict[int, str] = field(default_factory=dict)


def _done_ids(plan: Plan) -> list[int]:
    return sorted(s.id for s in plan.stops if s.status != StopStatus.PENDING)


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Customer.id, Customer.trade_name, Customer.legal_name).where(Customer.id.in_(ids))
    )
    return {cid: trade or legal for cid, trade, legal in rows}


def preview(*, plan: Plan, now_s: int, position: tuple[float, float] | None) -> Preview:
    """Re-plan the rest of ``plan`` without writing; the version to confirm and its diff."""
    proposal = planning.propose_replan(
        plan=plan, now_s=now_s, position=position, keep_order_unless_gain=True
    )
    route = proposal.result.route
    done = _done_ids(plan)
    rows = routing.stop_rows(route, proposal.info, pinned=proposal.pinned, first_seq=len(done))
    totals = SimpleNamespace()
    routing.set_totals(totals, route, proposal.info, keep_start=True)  # type: ignore[arg-type]
    version = RouteVersion(
        plan_id=plan.id,
        revision=plan.revision,
        done=done,
        rows=[{k: row[k] for k in STOP_COLUMNS} for row in rows],
        totals={k: getattr(totals, k) for k in TOTAL_COLUMNS},
    )
    ids = {int(c) for c in route.visited_ids}
    ids |= {int(d.candidate_id) for d in proposal.result.diff.dropped}
    return Preview(version, proposal.result, _names(ids))


def _current(plan: Plan) -> RouteVersion:
    """The plan's pending stops and totals as they stand (what an undo restores)."""
    rows = [
        {k: getattr(s, k) for k in STOP_COLUMNS}
        for s in sorted(plan.stops, key=lambda s: s.seq)
        if s.status == StopStatus.PENDING
    ]
    totals = {k: getattr(plan, k) for k in TOTAL_COLUMNS}
    return RouteVersion(
        plan.id, plan.revision, _done_ids(plan), rows, totals, plan.status.value, plan.source
    )


def _write(plan: Plan, version: RouteVersion) -> None:
    kept = sorted((s for s in plan.stops if s.status != StopStatus.PENDING), key=lambda s: s.seq)
    for seq, stop in enumerate(kept):
        stop.seq = seq
    plan.stops[:] = kept
    for seq, row in enumerate(version.rows, start=len(kept)):
        plan.stops.append(PlanStop(**{**row, "seq": seq, "status": StopStatus.PENDING}))
    for key, value in version.totals.items():
        setattr(plan, key, value)
    plan.status, plan.source = PlanStatus(version.status), PlanSource(version.source)
    plan.revision = (plan.revision or 0) + 1
    db.session.flush()


def _check(plan: Plan, version: RouteVersion) -> None:
    if (
        plan.id != version.plan_id
        or plan.revision != version.revision
        or _done_ids(plan) != version.done
    ):
        raise ReplanConflict("the plan changed")


def confirm(*, plan: Plan, version: RouteVersion) -> RouteVersion:
    """Write a previewed version; return the version it replaced, for an undo. Flush only."""
    _check(plan, version)
    before = _current(plan)
    _write(plan, version)
    return RouteVersion(**{**before.to_dict(), "revision": plan.revision})


def undo(*, plan: Plan, version: RouteVersion) -> None:
    """Put back the version a confirm replaced, if nothing happened since. Flush only."""
    _check(plan, version)
    _write(plan, version)
