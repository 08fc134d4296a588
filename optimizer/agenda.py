"""Weekly agenda: which customers the rep sees on which working day, then each day's route.

The plan is built in four steps, all deterministic:

1. **Due visits.** A customer is due on the first day its days since the last visit reach its
   visit frequency (never visited: due now). Frequencies shorter than the week give several
   visits; a visit may be planned up to ``early_fraction`` of the frequency before its due
   date (weekly: one day early), so that a week of customers last seen on a Friday does not
   all land on this Friday. Appointments and visits on a frozen day satisfy the due visit.
2. **Capacity.** When the due visits exceed the week's working time (rough estimate: service
   plus the typical leg to a near neighbour), the least urgent are left out (``no_capacity``):
   most overdue first, then by priority.
3. **Days.** A sweep around the rep's base cuts the visits into angular sectors of equal
   workload (nearby customers on the same day), sectors are matched to days, and a local
   search moves single visits between days to lower: distance to the day's centre, workload
   imbalance, lateness, earliness and poor delivery-day fit. A customer is only ever put on a
   day it is open and the visit can start and end inside its opening hours.
4. **Routes.** Each day is solved with :func:`optimizer.routing.solve_day`; visits a day's
   route could not take are offered once to another allowed day with time left.

A day given in ``frozen`` (already under way, or confirmed) keeps its route untouched unless
``reshuffle=True``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

import numpy as np

from optimizer.model import (
    Candidate,
    DayProblem,
    DayRoute,
    DropReason,
    Location,
    RepDay,
    TimeWindow,
)
from optimizer.routing import solve_day
from optimizer.travel import (
    DEFAULT_CIRCUITY,
    SpeedProfile,
    TravelProvider,
    day_locations,
    geodesic_matrix_m,
)

UnassignedReason = Literal["closed_all_week", "no_capacity"] | DropReason


@dataclass(frozen=True, slots=True)
class Appointment:
    """A visit fixed on ``date``; its service must start inside ``window``."""

    date: dt.date
    window: TimeWindow


@dataclass(frozen=True, slots=True)
class AgendaCustomer:
    """One customer of the rep's portfolio, as the agenda needs it.

    ``opening`` has seven entries, Monday first, each with zero (closed), one or two opening
    intervals in seconds after midnight: the whole visit must fit inside one of them.
    ``days_since_visit`` is counted on the plan's ``as_of`` date; None means never visited.
    ``delivery_weekdays`` (0 = Monday) are the days trucks reach the customer; empty means any.
    """

    id: str
    location: Location
    priority: float
    frequency_days: int
    days_since_visit: int | None
    opening: tuple[tuple[TimeWindow, ...], ...]
    service_s: int
    delivery_weekdays: frozenset[int] = frozenset()
    appointments: tuple[Appointment, ...] = ()

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("customer id must not be empty")
        if self.frequency_days < 1:
            raise ValueError(f"{self.id}: frequency must be >= 1 day")
        if self.days_since_visit is not None and self.days_since_visit < 0:
            raise ValueError(f"{self.id}: days since visit must be >= 0")
        if not math.isfinite(self.priority) or self.priority < 0:
            raise ValueError(f"{self.id}: priority must be finite and >= 0")
        object.__setattr__(self, "opening", tuple(tuple(d) for d in self.opening))
        if len(self.opening) != 7 or any(len(d) > 2 for d in self.opening):
            raise ValueError(f"{self.id}: opening needs 7 weekdays of 0-2 intervals")
        if self.service_s < 0 or any(not 0 <= w <= 6 for w in self.delivery_weekdays):
            raise ValueError(f"{self.id}: bad service time or delivery weekday")
        object.__setattr__(self, "delivery_weekdays", frozenset(self.delivery_weekdays))
        object.__setattr__(self, "appointments", tuple(self.appointments))

    def service_windows(self, weekday: int) -> tuple[TimeWindow, ...]:
        """Return the windows for the START of a visit that ends before closing time."""
        out = []
        for w in self.opening[weekday]:
            if w.end_s - self.service_s >= w.start_s:
                out.append(TimeWindow(w.start_s, w.end_s - self.service_s))
        return tuple(out)


def weekly_opening(
    days: Mapping[int, Sequence[tuple[int, int]]],
) -> tuple[tuple[TimeWindow, ...], ...]:
    """Build ``AgendaCustomer.opening`` from ``{weekday: [(open_s, close_s), ...]}``."""
    return tuple(tuple(TimeWindow(a, b) for a, b in days.get(d, ())) for d in range(7))


@dataclass(frozen=True, slots=True)
class WorkDay:
    """A working date of the week and the rep's template for it."""

    date: dt.date
    rep: RepDay


@dataclass(frozen=True, slots=True)
class AgendaSettings:
    """Company knobs for the agenda; the weights are in minutes of workload."""

    lead_time_days: int = 1
    early_fraction: float = 0.15
    overbook: float = 1.1
    time_limit_per_day: timedelta = timedelta(seconds=0.5)
    #: Bound each day's search by a number of perturbations instead of the clock (tests and
    #: benchmarks: the same agenda at any machine load; ``time_limit_per_day`` then only
    #: cuts a run short on a very slow machine). ``None`` keeps the clock as production does.
    iterations_per_day: int | None = None
    rough_kmh: float = field(default_factory=lambda: SpeedProfile.sao_paulo().typical_kmh())
    circuity: float = DEFAULT_CIRCUITY
    minutes_per_km_off_centre: float = 3.0
    minutes_per_day_late: float = 15.0
    minutes_per_day_early: float = 5.0
    minutes_per_delivery_day: float = 8.0
    balance_weight: float = 6.0

    def __post_init__(self) -> None:
        if self.lead_time_days < 0 or not 0 <= self.early_fraction < 1:
            raise ValueError("lead time must be >= 0 and early_fraction in [0, 1)")
        if self.iterations_per_day is not None and self.iterations_per_day < 1:
            raise ValueError("iterations_per_day must be >= 1")
        if self.overbook < 1 or self.rough_kmh <= 0 or self.circuity < 1:
            raise ValueError("overbook and circuity must be >= 1, rough_kmh > 0")
        weights = (
            self.minutes_per_km_off_centre,
            self.minutes_per_day_late,
            self.minutes_per_day_early,
            self.minutes_per_delivery_day,
            self.balance_weight,
        )
        if any(w < 0 for w in weights):
            raise ValueError("weights must be >= 0")


@dataclass(frozen=True, slots=True)
class AgendaDay:
    """One date of the week: the customers given to the solver and the solved route."""

    date: dt.date
    candidate_ids: tuple[str, ...]
    route: DayRoute
    estimated_s: int
    frozen: bool = False
    problem: DayProblem | None = None


@dataclass(frozen=True, slots=True)
class UnassignedCustomer:
    """A due customer the week could not take, and why (``date`` when a route dropped it)."""

    customer_id: str
    reason: UnassignedReason
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class WeekAgenda:
    """The week: one entry per working date, the due customers left out, who is not due."""

    days: tuple[AgendaDay, ...]
    unassigned: tuple[UnassignedCustomer, ...]
    not_due: tuple[str, ...]

    def visit_dates(self, customer_id: str) -> tuple[dt.date, ...]:
        """Return the dates whose route visits ``customer_id``."""
        return tuple(d.date for d in self.days if customer_id in d.route.visited_ids)


# --------------------------------------------------------------------------- due visits


@dataclass(slots=True)
class _Visit:
    """One visit to place: a customer, the days it may go on, and its cost ingredients."""

    cust: int
    due: int  # date ordinal
    allowed: list[int]  # indices into the open days
    urgency: float  # days overdue on the first date, over the frequency
    load_s: float
    window: TimeWindow | None = None  # appointments only
    day: int = -1


def due_date(customer: AgendaCustomer, as_of: dt.date) -> dt.date:
    """Return the first date on which the customer's days since visit reach its frequency."""
    if customer.days_since_visit is None:
        return as_of
    return as_of + timedelta(days=customer.frequency_days - customer.days_since_visit)


def delivery_wait_days(date: dt.date, delivery_weekdays: frozenset[int], lead: int) -> int:
    """Return days from an order taken on ``date`` to its delivery, past the lead time.

    0 is the best fit (the next delivery day is exactly ``lead`` days later); customers
    without delivery restrictions always fit.
    """
    if not delivery_weekdays:
        return 0
    for extra in range(7):
        if (date.weekday() + lead + extra) % 7 in delivery_weekdays:
            return extra
    return 0


def _due_dates(
    c: AgendaCustomer, as_of: dt.date, first: dt.date, last: dt.date, early: int
) -> list[dt.date]:
    """List the due dates of ``c`` whose early start falls inside [first, last]."""
    d = max(due_date(c, as_of), first)
    out = []
    while d - timedelta(days=early) <= last:
        out.append(d)
        d += timedelta(days=c.frequency_days)
    return out


def _covered(due: dt.date, fixed: Sequence[dt.date], frequency: int) -> bool:
    """Tell whether a fixed visit (appointment, frozen route) already serves this due date."""
    return any(abs((due - f).days) < frequency for f in fixed)


# --------------------------------------------------------------------------- planning


@dataclass(slots=True)
class _Week:
    """Working state of one plan."""

    days: list[WorkDay]  # the days open to planning (not frozen)
    customers: Sequence[AgendaCustomer]
    settings: AgendaSettings
    base: Location
    visits: list[_Visit] = field(default_factory=list)
    unassigned: list[UnassignedCustomer] = field(default_factory=list)
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    by_customer: dict[int, list[_Visit]] = field(default_factory=dict)

    def capacity_s(self, d: int) -> float:
        """Return the working seconds of day ``d`` (max working time, inside the day)."""
        rep = self.days[d].rep
        lunch = rep.lunch.duration_s if rep.lunch else 0
        return float(min(rep.max_working_s, rep.end_s - rep.start_s - lunch))

    def penalty(self, v: _Visit, d: int) -> float:
        """Return lateness, earliness and delivery-fit minutes of putting ``v`` on day ``d``."""
        s = self.settings
        date = self.days[d].date
        c = self.customers[v.cust]
        late = max(0, date.toordinal() - v.due)
        early = max(0, v.due - date.toordinal())
        wait = delivery_wait_days(date, c.delivery_weekdays, s.lead_time_days)
        return (
            s.minutes_per_day_late * late * (1.0 + v.urgency)
            + s.minutes_per_day_early * early
            + s.minutes_per_delivery_day * wait
        ) * 60.0


def _open_days(c: AgendaCustomer, days: Sequence[WorkDay]) -> list[int]:
    """Return the indices of days on which a visit to ``c`` fits in its opening hours."""
    return [i for i, d in enumerate(days) if c.service_windows(d.date.weekday())]


def _allowed(
    c: AgendaCustomer,
    due: dt.date,
    nxt: dt.date | None,
    days: Sequence[WorkDay],
    early: int,
) -> list[int]:
    """Return the days a visit due on ``due`` may go on (before the next visit's window)."""
    lo = due - timedelta(days=early)
    hi = None if nxt is None else nxt - timedelta(days=early)
    open_ = _open_days(c, days)
    ok = [i for i in open_ if days[i].date >= lo and (hi is None or days[i].date < hi)]
    if not ok:
        # Closed on every day from its due date on: better a little early than a week late.
        before = [i for i in open_ if days[i].date < lo]
        ok = before[-1:]
    return ok


def _collect_visits(
    week: _Week, as_of: dt.date, frozen_visits: Mapping[str, list[dt.date]]
) -> list[str]:
    """Fill ``week.visits`` with due and fixed visits; return the customers not due."""
    days, s = week.days, week.settings
    first, last = days[0].date, days[-1].date
    not_due = []
    dates = {d.date: i for i, d in enumerate(days)}
    for ci, c in enumerate(week.customers):
        fixed = list(frozen_visits.get(c.id, []))
        for a in c.appointments:
            if a.date in dates:
                week.visits.append(
                    _Visit(ci, a.date.toordinal(), [dates[a.date]], 9.0, 0.0, a.window)
                )
                fixed.append(a.date)
        early = int(c.frequency_days * s.early_fraction)
        dues = [
            d
            for d in _due_dates(c, as_of, first, last, early)
            if not _covered(d, fixed, c.frequency_days)
        ]
        if not dues and not fixed:
            not_due.append(c.id)
        for k, due in enumerate(dues):
            allowed = _allowed(c, due, dues[k + 1] if k + 1 < len(dues) else None, days, early)
            if not allowed:
                week.unassigned.append(UnassignedCustomer(c.id, "closed_all_week"))
                continue
            raw_due = due_date(c, as_of)
            overdue = (first - raw_due).days if c.days_since_visit is not None else c.frequency_days
            urgency = max(0.0, overdue / c.frequency_days) if k == 0 else 0.0
            week.visits.append(_Visit(ci, due.toordinal(), allowed, urgency, 0.0))
    return not_due


def _estimate_loads(week: _Week) -> None:
    """Set each visit's rough workload: service plus a typical leg of its day's route.

    A day holds about 1/D of the week's visits, so its points are sparser than the week's.
    For random points the mean distance to the two nearest neighbours is ≈ 0.625·√(A/n) and
    a good route spends ≈ 0.71·√(A/n) per point (Beardwood–Halton–Hammersley), hence a leg
    of ≈ 1.14·√D times the week's two-nearest-neighbour distance.
    """
    s = week.settings
    points = [week.customers[v.cust].location for v in week.visits]
    week.lat = np.array([p.lat for p in points])
    week.lon = np.array([p.lon for p in points])
    if len(points) < 2:
        for v in week.visits:
            v.load_s = float(week.customers[v.cust].service_s)
        return
    others = geodesic_matrix_m(points) / 1000.0
    np.fill_diagonal(others, np.inf)
    k = min(2, len(points) - 1)
    near = np.sort(others, axis=1)[:, :k].mean(axis=1)
    leg_km = near * 1.14 * math.sqrt(len(week.days))
    mps = s.rough_kmh / 3.6
    for v, km in zip(week.visits, leg_km, strict=True):
        v.load_s = week.customers[v.cust].service_s + float(km) * 1000.0 * s.circuity / mps


def _rank_key(week: _Week, v: _Visit) -> tuple[float, float, float, str]:
    """Order visits by who must be kept first: fixed, overdue, high priority."""
    c = week.customers[v.cust]
    return (0.0 if v.window else 1.0, -v.urgency, -c.priority, c.id)


def _cut_capacity(week: _Week) -> None:
    """Leave out the least urgent visits that do not fit the week's working time."""
    budget = sum(week.capacity_s(d) for d in range(len(week.days))) * week.settings.overbook
    keep, used = [], 0.0
    order = sorted(range(len(week.visits)), key=lambda i: _rank_key(week, week.visits[i]))
    for i in order:
        v = week.visits[i]
        if v.window is None and used + v.load_s > budget:
            week.unassigned.append(UnassignedCustomer(week.customers[v.cust].id, "no_capacity"))
            continue
        used += v.load_s
        keep.append(i)
    keep.sort()
    week.visits = [week.visits[i] for i in keep]
    week.lat, week.lon = week.lat[keep], week.lon[keep]
    for v in week.visits:
        week.by_customer.setdefault(v.cust, []).append(v)


def _sweep(week: _Week) -> None:
    """Cut the visits by angle around the base into balanced sectors, one per day."""
    n_days = len(week.days)
    free = [i for i, v in enumerate(week.visits) if v.window is None]
    for v in week.visits:
        if v.window is not None:
            v.day = v.allowed[0]
    if not free:
        return
    angle = np.arctan2(
        week.lat[free] - week.base.lat,
        (week.lon[free] - week.base.lon) * math.cos(math.radians(week.base.lat)),
    )
    order = [free[i] for i in np.lexsort((np.array(free), angle))]
    sorted_angles = np.sort(angle)
    gaps = np.diff(np.concatenate([sorted_angles, sorted_angles[:1] + 2 * math.pi]))
    start = (int(np.argmax(gaps)) + 1) % len(order)  # cut where customers are sparsest
    order = order[start:] + order[:start]
    total = sum(week.visits[i].load_s for i in order)
    sectors: list[list[int]] = [[] for _ in range(n_days)]
    acc = 0.0
    for i in order:
        sectors[min(n_days - 1, int(acc / total * n_days)) if total > 0 else 0].append(i)
        acc += week.visits[i].load_s
    _sectors_to_days(week, sectors)


def _sectors_to_days(week: _Week, sectors: list[list[int]]) -> None:
    """Give each sector the day that fits its visits best (exhaustive up to 7 days)."""
    n_days = len(sectors)
    cost = np.zeros((n_days, n_days))
    for s, members in enumerate(sectors):
        for i in members:
            v = week.visits[i]
            for d in range(n_days):
                cost[s, d] += week.penalty(v, d) if d in v.allowed else 1e9
    perms = itertools.permutations(range(n_days)) if n_days <= 7 else [tuple(range(n_days))]
    rows = np.arange(n_days)
    best = min(perms, key=lambda p: float(cost[rows, list(p)].sum()))
    for s, d in enumerate(best):
        for i in sectors[s]:
            v = week.visits[i]
            if d not in v.allowed:
                d = min(v.allowed, key=lambda a: (week.penalty(v, a), a))
            v.day = d


def _improve(week: _Week, max_passes: int = 30) -> None:
    """Move single visits to the allowed day that lowers the total cost, until none does."""
    s = week.settings
    n_days = len(week.days)
    caps = np.array([week.capacity_s(d) for d in range(n_days)])
    loads = np.zeros(n_days)
    for v in week.visits:
        loads[v.day] += v.load_s
    target = caps * (loads.sum() / caps.sum()) if caps.sum() else caps
    # cost (s) = weight × over² / target: 1 h over a 9 h day costs weight × 400 s
    w_bal = s.balance_weight
    geo_s = s.minutes_per_km_off_centre * 60.0

    def imbalance(d: int, load: float) -> float:
        return float(w_bal * (load - target[d]) ** 2 / max(float(target[d]), 1.0))

    for _ in range(max_passes):
        centre_lat, centre_lon = _centres(week, n_days)
        moved = False
        for v_idx, v in enumerate(week.visits):
            if v.window is not None or len(v.allowed) < 2:
                continue
            cos = math.cos(math.radians(week.lat[v_idx]))
            costs = {}
            for d in _free_days(week, v):
                dx = (week.lon[v_idx] - centre_lon[d]) * cos * 111.32
                dy = (week.lat[v_idx] - centre_lat[d]) * 110.57
                geo = geo_s * math.hypot(dx, dy) if math.isfinite(centre_lat[d]) else 0.0
                if d == v.day:
                    bal = 0.0
                else:
                    bal = (
                        imbalance(d, loads[d] + v.load_s)
                        - imbalance(d, loads[d])
                        + imbalance(v.day, loads[v.day] - v.load_s)
                        - imbalance(v.day, loads[v.day])
                    )
                costs[d] = geo + week.penalty(v, d) + bal
            if not costs:
                continue
            best = min(costs, key=lambda d: (costs[d], d))
            if best != v.day and costs[best] < costs.get(v.day, math.inf) - 1.0:
                loads[v.day] -= v.load_s
                loads[best] += v.load_s
                v.day = best
                moved = True
        if not moved:
            break


def _free_days(week: _Week, v: _Visit) -> list[int]:
    """Return the allowed days of ``v`` not taken by another visit to the same customer."""
    busy = {w.day for w in week.by_customer[v.cust] if w is not v}
    return [d for d in v.allowed if d not in busy]


def _centres(week: _Week, n_days: int) -> tuple[list[float], list[float]]:
    """Return each day's mean latitude and longitude (NaN for an empty day)."""
    lat, lon = [math.nan] * n_days, [math.nan] * n_days
    for d in range(n_days):
        idx = [i for i, v in enumerate(week.visits) if v.day == d]
        if idx:
            lat[d] = float(week.lat[idx].mean())
            lon[d] = float(week.lon[idx].mean())
    return lat, lon


def _cap_days(week: _Week) -> None:
    """Move visits off days loaded past capacity × overbook, or leave them out."""
    s = week.settings
    n_days = len(week.days)
    limit = [week.capacity_s(d) * s.overbook for d in range(n_days)]
    loads = [0.0] * n_days
    for v in week.visits:
        loads[v.day] += v.load_s
    order = sorted(week.visits, key=lambda v: _rank_key(week, v), reverse=True)
    for v in order:
        if loads[v.day] <= limit[v.day] or v.window is not None:
            continue
        room = [d for d in _free_days(week, v) if loads[d] + v.load_s <= limit[d]]
        loads[v.day] -= v.load_s
        if room:
            v.day = min(room, key=lambda d: (week.penalty(v, d) + loads[d], d))
            loads[v.day] += v.load_s
        else:
            v.day = -1
            week.unassigned.append(UnassignedCustomer(week.customers[v.cust].id, "no_capacity"))


# --------------------------------------------------------------------------- routes


def _candidate(week: _Week, v: _Visit, d: int) -> Candidate:
    """Turn a visit on day ``d`` into the solver's candidate."""
    c = week.customers[v.cust]
    if v.window is not None:
        return Candidate(c.id, c.location, max(c.priority, 0.01), c.service_s, (v.window,), True)
    windows = c.service_windows(week.days[d].date.weekday())
    prize = max(c.priority, 0.01) * (1.0 + v.urgency)
    return Candidate(c.id, c.location, prize, c.service_s, windows)


def _solve(week: _Week, d: int, provider: TravelProvider, seed: int) -> tuple[DayProblem, DayRoute]:
    """Route day ``d`` with the visits currently placed on it."""
    rep = week.days[d].rep
    cands: dict[str, Candidate] = {}
    for v in week.visits:
        if v.day == d:
            cand = _candidate(week, v, d)
            cands.setdefault(cand.id, cand)
    ordered = tuple(cands[k] for k in sorted(cands))
    # A whole working day: the provider's all-day average pace, not the 8 h rush alone.
    matrix = provider.matrix(day_locations(rep, ordered), depart_s=None)
    problem = DayProblem(rep, ordered, matrix)
    limit = week.settings.time_limit_per_day
    iterations = week.settings.iterations_per_day
    return problem, solve_day(problem, time_limit=limit, seed=seed + d, iterations=iterations)


def _estimated_s(week: _Week, d: int) -> int:
    """Return the rough workload of day ``d``: visits plus the trip out and back."""
    idx = [i for i, v in enumerate(week.visits) if v.day == d]
    if not idx:
        return 0
    rep = week.days[d].rep
    centre = Location(float(week.lat[idx].mean()), float(week.lon[idx].mean()))
    out_back = geodesic_matrix_m([rep.start, centre, rep.end])
    trip_m = (out_back[0, 1] + out_back[1, 2]) * week.settings.circuity
    return int(sum(week.visits[i].load_s for i in idx) + trip_m / (week.settings.rough_kmh / 3.6))


def _route_all(
    week: _Week, provider: TravelProvider, seed: int
) -> dict[int, tuple[DayProblem, DayRoute]]:
    """Solve every day, offer dropped visits once to a day with time left, re-solve."""
    solved = {d: _solve(week, d, provider, seed) for d in range(len(week.days))}
    slack = {d: week.capacity_s(d) - r.working_s for d, (_, r) in solved.items()}
    touched: set[int] = set()
    for v in week.visits:
        if v.day < 0 or v.window is not None:
            continue
        cid = week.customers[v.cust].id
        if cid in solved[v.day][1].visited_ids:
            continue
        room = [d for d in _free_days(week, v) if d != v.day and slack[d] >= v.load_s]
        if room:
            target = max(room, key=lambda d: (slack[d], -d))
            slack[target] -= v.load_s
            touched.update((v.day, target))
            v.day = target
    for d in sorted(touched):
        solved[d] = _solve(week, d, provider, seed)
    return solved


def _frozen_visits(frozen: Mapping[dt.date, DayRoute]) -> dict[str, list[dt.date]]:
    """Return, per customer id, the frozen dates whose route visits it."""
    out: dict[str, list[dt.date]] = {}
    for date, route in sorted(frozen.items()):
        for cid in route.visited_ids:
            out.setdefault(cid, []).append(date)
    return out


def plan_week(
    days: Sequence[WorkDay],
    customers: Sequence[AgendaCustomer],
    *,
    provider: TravelProvider,
    as_of: dt.date | None = None,
    frozen: Mapping[dt.date, DayRoute] | None = None,
    reshuffle: bool = False,
    settings: AgendaSettings | None = None,
    seed: int = 0,
) -> WeekAgenda:
    """Assign the due customers to the week's working days and route each day.

    Parameters
    ----------
    days
        The working dates of the week, each with the rep's day template.
    customers
        The rep's portfolio.
    provider
        Travel matrices for the day routes.
    as_of
        The date ``days_since_visit`` is counted on; defaults to the first working date.
    frozen
        Dates already under way (or confirmed) with their route, kept as they are.
    reshuffle
        Plan the frozen dates again too (the rep asked for it).
    settings
        Lead time, tolerance and weights; :class:`AgendaSettings` defaults otherwise.
    seed
        Seed of the day solver (day ``i`` uses ``seed + i``).

    Returns
    -------
    WeekAgenda
        One :class:`AgendaDay` per date of ``days`` (in date order), the due customers
        left out with their reason, and the ids of customers not due this week.
    """
    s = settings if settings is not None else AgendaSettings()
    ordered = sorted(days, key=lambda w: w.date)
    if len({w.date for w in ordered}) != len(ordered):
        raise ValueError("working dates must be distinct")
    if len({c.id for c in customers}) != len(customers):
        raise ValueError("customer ids must be unique")
    kept = {} if reshuffle or frozen is None else dict(frozen)
    open_days = [w for w in ordered if w.date not in kept]
    out_days: dict[dt.date, AgendaDay] = {
        date: AgendaDay(date, route.visited_ids, route, route.working_s, frozen=True)
        for date, route in kept.items()
        if date in {w.date for w in ordered}
    }
    if not open_days:
        return WeekAgenda(tuple(out_days[w.date] for w in ordered), (), ())
    week = _Week(open_days, customers, s, open_days[0].rep.start)
    not_due = _collect_visits(week, as_of or ordered[0].date, _frozen_visits(kept))
    _estimate_loads(week)
    _cut_capacity(week)
    _sweep(week)
    _improve(week)
    _cap_days(week)
    solved = _route_all(week, provider, seed)
    unassigned = list(week.unassigned)
    for d, (problem, route) in solved.items():
        date = open_days[d].date
        ids = tuple(c.id for c in problem.candidates)
        out_days[date] = AgendaDay(date, ids, route, _estimated_s(week, d), problem=problem)
        unassigned.extend(UnassignedCustomer(x.candidate_id, x.reason, date) for x in route.dropped)
    unassigned.sort(key=lambda u: (u.customer_id, u.date or dt.date.min))
    return WeekAgenda(
        days=tuple(out_days[w.date] for w in ordered),
        unassigned=tuple(unassigned),
        not_due=tuple(sorted(not_due)),
    )
