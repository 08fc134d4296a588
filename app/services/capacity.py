"""Capacity of each portfolio, and a rebalancing proposal a supervisor can apply.

A portfolio's figures are the move action's workload (:mod:`app.services.actions.moves`):
visits per four weeks by frequency, service time, travel per visit from the rep's recent
routes (the routing step's figures; without routes, its travel model over the portfolio),
against the hours the rep works in the next four weeks (work calendar, time off, working
week and day of the work profile). From them: the load, whether the rep is over- or
under-loaded, and about how many customers of the same mix the rep could serve.

The proposal comes from :func:`optimizer.rebalance.rebalance` over the reps of the scope;
applying it goes through the move action, one audited move per customer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Appointment, CalendarSlot, Channel, Customer, Role, User
from app.security.scope import Scope
from app.services.actions import moves
from app.services.errors import Invalid, NotFound
from optimizer.model import Location
from optimizer.rebalance import (
    BalanceCustomer,
    BalanceRep,
    BalanceResult,
    BalanceSettings,
    centre_of,
    rebalance,
)

MAX_MOVES = 200


@dataclass(frozen=True)
class RepCapacity:
    """One rep's portfolio against the rep's time over the next four weeks."""

    user: User
    workload: moves.Workload
    travel_s_per_visit: float | None
    # The company's bands (capacity_under_pct / capacity_over_pct), the move preview's too.
    bands: moves.LoadBands

    @property
    def load(self) -> float | None:
        return self.workload.load

    @property
    def state(self) -> str:
        """over | under | balanced | unknown (no hours or no travel estimate).

        Above the company's upper band a rep cannot do every visit the frequencies ask
        for; below the lower one there is room for more customers.
        """
        return self.bands.state(self.load)

    @property
    def can_serve(self) -> int | None:
        """About how many customers of this portfolio's mix the rep's hours hold."""
        needed, available = self.workload.needed_h, self.workload.available_h
        if not needed or available is None or not self.workload.customers:
            return None
        return math.floor(self.workload.customers * available / needed)


def reps_in_scope(scope: Scope) -> list[User]:
    """The active field reps a supervisor (team) or an admin (company) looks after."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(scope.user_filter(), User.active.is_(True), User.role == Role.REP)
            .order_by(User.name)
        )
    )


def team_capacity(*, scope: Scope, today: date) -> list[RepCapacity]:
    """Every rep's capacity figures, by name."""
    bands = moves.load_bands(company_id=scope.company_id)
    out = []
    for user in reps_in_scope(scope):
        workload, travel_s = moves.rep_workload(user, today)
        out.append(RepCapacity(user, workload, travel_s, bands))
    return out


@dataclass(frozen=True)
class SuggestedMove:
    """One customer to move, with what it does to both portfolios."""

    customer: Customer
    source: RepCapacity
    target: RepCapacity
    km_before: float  # from the giving territory's centre
    km_after: float  # from the receiving territory's centre
    hours: float  # what the customer weighs in the receiving portfolio every 4 weeks

    @property
    def km_effect(self) -> float:
        return self.km_after - self.km_before


@dataclass(frozen=True)
class Suggestion:
    """The proposal, each rep's load before and after, and how the search ended."""

    moves: list[SuggestedMove]
    reps: list[RepCapacity]
    after_load: dict[int, float | None]
    result: BalanceResult

    def load_after(self, user_id: int) -> float | None:
        return self.after_load.get(user_id)


def _pinned(customer_ids: Sequence[int], today: date) -> set[int]:
    """Customers with a booked visit ahead or a pinned calendar slot: they stay put."""
    if not customer_ids:
        return set()
    booked = db.session.scalars(
        sa.select(Appointment.customer_id).where(
            Appointment.customer_id.in_(customer_ids), Appointment.day >= today
        )
    )
    slots = db.session.scalars(
        sa.select(CalendarSlot.customer_id).where(
            CalendarSlot.customer_id.in_(customer_ids), CalendarSlot.pinned.is_(True)
        )
    )
    return set(booked) | set(slots)


def _problem(
    team: Sequence[RepCapacity], today: date
) -> tuple[list[BalanceCustomer], list[BalanceRep], dict[int, Customer]]:
    """The optimizer's view of the team: field customers with positions and needs, reps
    with their territory centre, minutes available and travel per visit."""
    ids = [r.user.id for r in team]
    rows = list(
        db.session.scalars(
            sa.select(Customer)
            .where(
                Customer.owner_id.in_(ids),
                Customer.active.is_(True),
                Customer.channel == Channel.FIELD,
            )
            .order_by(Customer.id)
        )
    )
    pinned = _pinned([c.id for c in rows], today)
    customers = [
        BalanceCustomer(
            c.id,
            c.owner_id or 0,
            Location(*c.position) if c.position else None,
            moves.PERIOD_DAYS / max(c.visit_frequency_days or 1, 1),
            float(c.service_minutes or 0),
            pinned=c.id in pinned,
        )
        for c in rows
    ]
    reps = []
    for rep in team:
        profile = rep.user.work_profile
        base = (
            Location(profile.start_lat, profile.start_lon)
            if profile is not None
            and profile.start_lat is not None
            and profile.start_lon is not None
            else None
        )
        points = [c.location for c in customers if c.owner == rep.user.id and c.location]
        known = rep.load is not None and rep.travel_s_per_visit is not None
        reps.append(
            BalanceRep(
                rep.user.id,
                centre_of(points, base),
                (rep.workload.available_h or 0) * 60 if known else 0.0,
                (rep.travel_s_per_visit or 0) / 60,
            )
        )
    return customers, reps, {c.id: c for c in rows}


def suggest(
    *, scope: Scope, today: date, max_moves: int, time_limit_s: float = 5.0, workers: int = 1
) -> Suggestion:
    """Propose customer moves between neighbouring portfolios of the scope; nothing is written."""
    if not 1 <= max_moves <= MAX_MOVES:
        raise Invalid({"max_moves": _l("Between 1 and %(n)s moves.", n=MAX_MOVES)})
    team = team_capacity(scope=scope, today=today)
    customers, reps, rows = _problem(team, today)
    result = rebalance(
        customers,
        reps,
        BalanceSettings(max_moves=max_moves, time_limit_s=time_limit_s, workers=workers),
    )
    by_id = {r.user.id: r for r in team}
    after = {
        load.rep_id: load.load_after if by_id[load.rep_id].load is not None else None
        for load in result.loads
    }
    proposed = [
        SuggestedMove(
            rows[m.customer_id],
            by_id[m.from_rep],
            by_id[m.to_rep],
            m.km_from_centre_before,
            m.km_from_centre_after,
            m.minutes_after / 60,
        )
        for m in result.moves
    ]
    proposed.sort(key=lambda m: (m.source.user.name, m.target.user.name, m.customer.trade_name))
    return Suggestion(proposed, team, after, result)


def apply(*, actor: User, scope: Scope, chosen: Sequence[tuple[int, int]], today: date) -> int:
    """Apply chosen (customer id, receiving rep id) moves through the move action (audited).

    Checked as the move action checks: customers and reps in scope (NotFound or Invalid
    otherwise); customers already in the receiving portfolio are left as they are.
    """
    if not chosen:
        raise Invalid({"moves": _l("Choose at least one move.")})
    if len(chosen) > moves.MAX_CUSTOMERS:
        raise Invalid({"moves": _l("At most %(n)s customers at a time.", n=moves.MAX_CUSTOMERS)})
    ids = {customer_id for customer_id, _target in chosen}
    owners: dict[int, int | None] = {
        customer_id: owner_id
        for customer_id, owner_id in db.session.execute(
            scope.customers()
            .with_only_columns(Customer.id, Customer.owner_id)
            .where(Customer.id.in_(ids))
        )
    }
    if len(owners) != len(ids):
        raise NotFound("customer")
    reps = {u.id for u in moves.target_choices(scope=scope) if u.role == Role.REP}
    by_target: dict[int, list[int]] = {}
    for customer_id, target_id in chosen:
        if target_id not in reps:
            raise Invalid({"moves": _l("Choose a rep of your team.")})
        if owners[customer_id] != target_id:
            by_target.setdefault(target_id, []).append(customer_id)
    moved = 0
    for target_id, customer_ids in sorted(by_target.items()):
        done = moves.move_customers(
            actor=actor, scope=scope, customer_ids=customer_ids, target_id=target_id, today=today
        )
        moved += len(done.customers)
    return moved
