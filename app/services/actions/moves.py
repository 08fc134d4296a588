"""Move customers to another portfolio, after seeing what it does to both reps' workload.

A rep's workload over four weeks: the visits the customers' frequencies ask for, the service
time they take, the travel they need (per visit from the rep's own recent routes, the routing
step's figures; without routes yet, from the routing step's travel model over the portfolio),
against the hours the rep works in the next four weeks (working days of the calendar times the
working day of the profile).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.jobs.work import travel_provider
from app.models import Channel, Customer, Plan, PlanStop, Role, StopKind, User
from app.security.scope import Scope
from app.services import company_settings, routing, work_calendar
from app.services import customers as customer_service
from app.services.actions import MOVED, audit, plans
from app.services.errors import Invalid, NotFound
from optimizer.model import Location
from optimizer.travel import TravelError, geodesic_from_m

PERIOD_DAYS = 28
# Routes of this many past days give the travel per visit.
TRAVEL_SAMPLE_DAYS = 28
MAX_CUSTOMERS = 500
_DEFAULT_PLANNING = company_settings.PlanningSettings()


@dataclass(frozen=True)
class Workload:
    """One portfolio over the next four weeks; hours are None when they cannot be known."""

    user_id: int
    name: str
    customers: int
    visits: float  # contacts per four weeks the frequencies ask for
    service_h: float
    travel_h: float | None
    available_h: float | None

    @property
    def needed_h(self) -> float | None:
        return None if self.travel_h is None else self.service_h + self.travel_h

    @property
    def load(self) -> float | None:
        """Needed over available hours (1.0 = exactly full)."""
        needed = self.needed_h
        if needed is None or not self.available_h:
            return None
        return needed / self.available_h


@dataclass(frozen=True)
class LoadBands:
    """Where a load stops being "balanced": fractions of the available hours.

    The company sets them (planning ``capacity_under_pct`` / ``capacity_over_pct``); the
    capacity page and the move preview flag a load with the same bands.
    """

    under: float
    over: float

    @classmethod
    def of(cls, planning: company_settings.PlanningSettings) -> LoadBands:
        return cls(planning.capacity_under_pct / 100, planning.capacity_over_pct / 100)

    def state(self, load: float | None) -> str:
        """over | under | balanced | unknown (no load)."""
        if load is None:
            return "unknown"
        if load > self.over:
            return "over"
        if load < self.under:
            return "under"
        return "balanced"


def load_bands(*, company_id: int) -> LoadBands:
    """The company's bands in force (one settings read; call once per request)."""
    return LoadBands.of(company_settings.get(company_id=company_id).planning)


@dataclass(frozen=True)
class _Mix:
    customers: int = 0
    visits: float = 0.0
    service_min: float = 0.0


def _mix(rows: Iterable[tuple[int, int]]) -> _Mix:
    """Visits and service minutes per four weeks of (frequency days, service minutes) rows."""
    count, visits, minutes = 0, 0.0, 0.0
    for frequency, service in rows:
        per_period = PERIOD_DAYS / max(frequency or 1, 1)
        count += 1
        visits += per_period
        minutes += per_period * (service or 0)
    return _Mix(count, visits, minutes)


def _portfolio_rows(owner_id: int) -> list[tuple[int, int]]:
    return list(
        db.session.execute(
            sa.select(Customer.visit_frequency_days, Customer.service_minutes).where(
                Customer.owner_id == owner_id, Customer.active.is_(True)
            )
        )
    )


def travel_per_visit(*, user_id: int | None, company_id: int, today: date) -> float | None:
    """Seconds of driving per visit in the recent routes of a rep (of the company if None)."""
    since = today - timedelta(days=TRAVEL_SAMPLE_DAYS)
    query = (
        sa.select(sa.func.sum(PlanStop.travel_s), sa.func.count())
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(
            Plan.company_id == company_id,
            Plan.plan_date >= since,
            Plan.plan_date <= today + timedelta(days=7),
            PlanStop.kind == StopKind.VISIT,
        )
    )
    if user_id is not None:
        query = query.where(Plan.user_id == user_id)
    total, count = db.session.execute(query).one()
    if not count:
        return None
    return float(total or 0) / count


def available_hours(user: User, today: date) -> float | None:
    """Hours the rep works in the next four weeks (calendar and work profile)."""
    profile = user.work_profile
    if profile is None:
        return None
    start = profile.day_start.hour * 60 + profile.day_start.minute
    end = profile.day_end.hour * 60 + profile.day_end.minute
    lunch = profile.lunch_minutes if profile.lunch_earliest is not None else 0
    per_day = max(min(end - start - lunch, profile.max_working_minutes), 0)
    return working_days(user, today) * per_day / 60


def working_days(user: User, today: date) -> int:
    """Days the person works in the next four weeks (holidays, days off, time off out)."""
    calendar = work_calendar.load(company_id=user.company_id, since=today, user_ids=[user.id])
    return sum(1 for i in range(PERIOD_DAYS) if calendar.works(user, today + timedelta(days=i)))


def _workload(user: User, mix: _Mix, travel_s: float | None, today: date) -> Workload:
    field_rep = user.role == Role.REP
    return Workload(
        user_id=user.id,
        name=user.name,
        customers=mix.customers,
        visits=mix.visits,
        service_h=mix.service_min / 60,
        travel_h=(mix.visits * travel_s / 3600) if field_rep and travel_s is not None else None,
        available_h=available_hours(user, today) if field_rep else None,
    )


def workload(user: User, today: date) -> Workload:
    """A rep's (or seat's) current workload."""
    return _workload(user, _mix(_portfolio_rows(user.id)), _travel(user, today), today)


def rep_workload(user: User, today: date) -> tuple[Workload, float | None]:
    """A rep's workload and the driving seconds per visit it counts (None: unknown)."""
    travel_s = _travel(user, today)
    return _workload(user, _mix(_portfolio_rows(user.id)), travel_s, today), travel_s


def _travel(user: User, today: date) -> float | None:
    """Driving seconds per visit: the rep's recent routes; else the routing step's travel model
    over the portfolio; else the company's recent routes."""
    if user.role != Role.REP:
        return None
    own = travel_per_visit(user_id=user.id, company_id=user.company_id, today=today)
    if own is not None:
        return own
    visits = _mix(_portfolio_rows(user.id)).visits
    modelled = modelled_travel_per_visit(user, visits=visits, days=working_days(user, today))
    if modelled is not None:
        return modelled
    return travel_per_visit(user_id=None, company_id=user.company_id, today=today)


MODEL_POINTS = 400


def modelled_travel_per_visit(user: User, *, visits: float, days: int) -> float | None:
    """Driving seconds per visit by the travel model the routing step uses (OSRM when
    configured, else geodesic × circuity), for a rep without routes yet (a new company, a new
    rep): each visit drives from its nearest neighbour (another customer or the base), and each
    working day goes out from the base and back (twice the mean base-to-customer time), shared
    among the period's visits."""
    profile = user.work_profile
    base = (
        (profile.start_lat, profile.start_lon)
        if profile is not None and profile.start_lat is not None and profile.start_lon is not None
        else None
    )
    if base is None or visits <= 0:
        return None
    points = [*[p for p in _territory(user) if p != base][: MODEL_POINTS - 1], base]
    if len(points) < 2:
        return None
    config = routing.load_config(company_id=user.company_id)
    try:
        matrix = travel_provider(config.osrm_url).matrix([Location(*p) for p in points])
    except TravelError:
        return None
    rows = matrix.durations_s
    nearest = [min(value for j, value in enumerate(row) if j != i) for i, row in enumerate(rows)]
    at = len(points) - 1  # the base
    out_and_back = [rows[at][j] + rows[j][at] for j in range(len(points)) if j != at]
    per_day = sum(out_and_back) / len(out_and_back)
    return sum(nearest) / len(nearest) + days * per_day / visits


@dataclass(frozen=True)
class Effect:
    """One portfolio before and after the move."""

    before: Workload
    after: Workload
    moved: int  # customers leaving (negative) or arriving (positive)


@dataclass(frozen=True)
class MovePreview:
    """What moving these customers to ``target`` does: nothing is written."""

    customers: Sequence[Customer]
    target: User
    effects: Sequence[Effect]  # the target first, then each giving portfolio
    # km from each moved customer to the nearest place of the receiving territory (its
    # customers and the rep's base); None without positions. A far one adds travel the
    # per-visit average does not see.
    nearest_km: Mapping[int, float | None] = field(default_factory=dict)
    bands: LoadBands = field(default_factory=lambda: LoadBands.of(_DEFAULT_PLANNING))


def target_choices(*, scope: Scope) -> list[User]:
    """Reps and telesales seats in scope that can receive customers."""
    return customer_service.owner_choices(scope=scope)


def _load(scope: Scope, customer_ids: Sequence[int]) -> list[Customer]:
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        raise Invalid({"customer_ids": _l("Choose at least one customer.")})
    if len(ids) > MAX_CUSTOMERS:
        raise Invalid({"customer_ids": _l("At most %(n)s customers at a time.", n=MAX_CUSTOMERS)})
    found = list(
        db.session.scalars(
            scope.customers().where(Customer.id.in_(ids)).order_by(Customer.trade_name)
        )
    )
    if len(found) != len(ids):
        raise NotFound("customer")
    return found


def preview_move(
    *, scope: Scope, customer_ids: Sequence[int], target_id: int | None, today: date
) -> MovePreview:
    """Check a move and compute both sides' workload; raise Invalid by field, NotFound
    for a customer outside the scope (answered 404)."""
    customers = _load(scope, customer_ids)
    target = next((u for u in target_choices(scope=scope) if u.id == target_id), None)
    if target is None:
        raise Invalid({"target_id": _l("Choose a rep or telesales seat of your team.")})
    wrong = [c for c in customers if customer_service.OWNER_ROLE[Channel(c.channel)] != target.role]
    if wrong:
        message = (
            _l(
                "%(n)s of these customers are served by telesales: move them to a seat.",
                n=len(wrong),
            )
            if target.role == Role.REP
            else _l(
                "%(n)s of these customers are visited in the field: move them to a rep.",
                n=len(wrong),
            )
        )
        raise Invalid({"target_id": message})
    moving = [c for c in customers if c.owner_id != target.id]
    if not moving:
        raise Invalid({"target_id": _l("These customers are already in this portfolio.")})
    effects = [_effect(target, [], moving, today)]
    by_owner: dict[int, list[Customer]] = {}
    for c in moving:
        if c.owner_id is not None:
            by_owner.setdefault(c.owner_id, []).append(c)
    for owner_id, leaving in by_owner.items():
        owner = db.session.get(User, owner_id)
        if owner is not None:
            effects.append(_effect(owner, leaving, [], today))
    return MovePreview(
        moving,
        target,
        effects,
        nearest_km(target, moving),
        load_bands(company_id=scope.company_id),
    )


def _territory(target: User) -> list[tuple[float, float]]:
    """Where the receiving portfolio's visits happen: its customers and the rep's base."""
    points: list[tuple[float, float]] = [
        (lat, lon)
        for lat, lon in db.session.execute(
            sa.select(Customer.latitude, Customer.longitude).where(
                Customer.owner_id == target.id,
                Customer.active.is_(True),
                Customer.latitude.is_not(None),
                Customer.longitude.is_not(None),
            )
        )
        if lat is not None and lon is not None
    ]
    profile = target.work_profile
    if profile is not None and profile.start_lat is not None and profile.start_lon is not None:
        points.append((profile.start_lat, profile.start_lon))
    return points


def nearest_km(target: User, customers: Sequence[Customer]) -> dict[int, float | None]:
    """Km from each customer to the nearest place of the target's territory."""
    points = [Location(lat, lon) for lat, lon in _territory(target)]
    out: dict[int, float | None] = {}
    for c in customers:
        if c.latitude is None or c.longitude is None or not points:
            out[c.id] = None
            continue
        out[c.id] = float(geodesic_from_m(Location(c.latitude, c.longitude), points).min()) / 1000
    return out


def _rows(customers: Iterable[Customer]) -> list[tuple[int, int]]:
    return [(c.visit_frequency_days, c.service_minutes) for c in customers if c.active]


def _effect(user: User, leaving: list[Customer], arriving: list[Customer], today: date) -> Effect:
    before = workload(user, today)
    gone = _mix(_rows(leaving))
    come = _mix(_rows(arriving))
    after_mix = _Mix(
        before.customers - gone.customers + come.customers,
        before.visits - gone.visits + come.visits,
        before.service_h * 60 - gone.service_min + come.service_min,
    )
    after = _workload(user, after_mix, _travel(user, today), today)
    after = replace(after, available_h=before.available_h)
    return Effect(before, after, len(arriving) - len(leaving))


def move_customers(
    *, actor: User, scope: Scope, customer_ids: Sequence[int], target_id: int | None, today: date
) -> MovePreview:
    """Give customers to another portfolio (checked as :func:`preview_move`), each audited."""
    preview = preview_move(scope=scope, customer_ids=customer_ids, target_id=target_id, today=today)
    target = preview.target
    names = {
        u.id: u.name
        for u in db.session.scalars(
            sa.select(User).where(
                User.id.in_([c.owner_id for c in preview.customers if c.owner_id is not None])
            )
        )
    }
    for customer in preview.customers:
        previous = customer.owner_id
        customer.owner_id = target.id
        audit(
            actor=actor,
            customer=customer,
            action=MOVED,
            details={
                "from_id": previous,
                "from": names.get(previous) if previous else None,
                "to_id": target.id,
                "to": target.name,
                "batch": len(preview.customers),
            },
        )
    db.session.flush()
    givers = {e.before.user_id for e in preview.effects[1:]}
    plans.release_customers(
        customer_ids=[c.id for c in preview.customers], rep_ids=givers, today=today
    )
    return preview
