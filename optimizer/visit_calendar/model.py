"""Plain, frozen dataclasses in and out of the four-week visit calendar.

A cycle is four consecutive weeks starting on a Monday. Weeks are numbered 0-3 and weekdays
0-6 (0 = Monday), as :mod:`datetime` does. A customer's regular slot is a :class:`Pattern`:
one weekday and the weeks of the cycle it is visited on that weekday.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from optimizer.model import Location
from optimizer.travel import DEFAULT_CIRCUITY, SpeedProfile

Cadence = Literal["weekly", "fortnightly", "monthly"]
DeliveryRule = Literal["hard", "preferred"]
CalendarStatus = Literal["optimal", "feasible", "infeasible", "unknown"]
ConflictReason = Literal[
    "closed_on_working_days",
    "no_delivery_fit",
    "pin_not_allowed",
    "over_capacity",
]
WEEKS = 4
VISITS_PER_CYCLE: dict[Cadence, int] = {"weekly": 4, "fortnightly": 2, "monthly": 1}


@dataclass(frozen=True, slots=True, order=True)
class Pattern:
    """A regular slot: ``weekday`` on each week of ``weeks`` (sorted, 0-3)."""

    weekday: int
    weeks: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "weeks", tuple(sorted(self.weeks)))
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be in 0-6, got {self.weekday}")
        if not self.weeks or len(set(self.weeks)) != len(self.weeks):
            raise ValueError("a pattern needs distinct weeks")
        if any(not 0 <= w < WEEKS for w in self.weeks):
            raise ValueError(f"weeks must be in 0-{WEEKS - 1}, got {self.weeks}")

    @property
    def cadence(self) -> Cadence | None:
        """Return the cadence this pattern serves, or None if it serves none."""
        if self.weeks == (0, 1, 2, 3):
            return "weekly"
        if self.weeks in ((0, 2), (1, 3)):
            return "fortnightly"
        if len(self.weeks) == 1:
            return "monthly"
        return None


def patterns_for(cadence: Cadence) -> tuple[Pattern, ...]:
    """Return every pattern that serves ``cadence`` exactly, weekday by weekday."""
    weeks: tuple[tuple[int, ...], ...]
    if cadence == "weekly":
        weeks = ((0, 1, 2, 3),)
    elif cadence == "fortnightly":
        weeks = ((0, 2), (1, 3))
    else:
        weeks = tuple((w,) for w in range(WEEKS))
    return tuple(Pattern(d, w) for d in range(7) for w in weeks)


@dataclass(frozen=True, slots=True)
class CalendarCustomer:
    """One customer of the rep's portfolio, as the calendar needs it.

    ``open_weekdays`` are the weekdays a visit fits its opening hours. ``delivery_weekdays``
    are the days trucks reach it (empty: any day fits). ``current`` is its slot in the
    calendar in force (None: new customer); ``pinned`` keeps it there whatever the cost.
    """

    id: str
    location: Location
    cadence: Cadence
    open_weekdays: frozenset[int]
    service_s: int
    delivery_weekdays: frozenset[int] = frozenset()
    current: Pattern | None = None
    pinned: bool = False

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("customer id must not be empty")
        if self.cadence not in VISITS_PER_CYCLE:
            raise ValueError(f"{self.id}: unknown cadence {self.cadence!r}")
        object.__setattr__(self, "open_weekdays", frozenset(self.open_weekdays))
        object.__setattr__(self, "delivery_weekdays", frozenset(self.delivery_weekdays))
        if any(not 0 <= d <= 6 for d in self.open_weekdays | self.delivery_weekdays):
            raise ValueError(f"{self.id}: weekdays must be in 0-6")
        if isinstance(self.service_s, bool) or not isinstance(self.service_s, int):
            raise ValueError(f"{self.id}: service_s must be an int")
        if not 0 <= self.service_s <= 24 * 3600:
            raise ValueError(f"{self.id}: service_s must be in [0, 86400]")
        if self.current is not None and self.current.cadence != self.cadence:
            raise ValueError(f"{self.id}: current pattern does not serve {self.cadence}")
        if self.pinned and self.current is None:
            raise ValueError(f"{self.id}: a pinned customer needs its current pattern")


@dataclass(frozen=True, slots=True)
class CalendarRep:
    """The rep's cycle: where days start, which weekdays he works, how long, and time off.

    ``capacity_s`` has seven entries (Monday first): the working seconds available for visits
    and driving that weekday; 0 means he does not work it. ``time_off`` dates are removed.
    """

    base: Location
    cycle_start: dt.date
    capacity_s: tuple[int, ...]
    time_off: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if self.cycle_start.weekday() != 0:
            raise ValueError("the cycle must start on a Monday")
        object.__setattr__(self, "capacity_s", tuple(self.capacity_s))
        object.__setattr__(self, "time_off", frozenset(self.time_off))
        if len(self.capacity_s) != 7:
            raise ValueError("capacity_s needs seven weekdays")
        if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in self.capacity_s):
            raise ValueError("capacities must be ints >= 0")

    def date_of(self, week: int, weekday: int) -> dt.date:
        """Return the date of ``weekday`` in ``week`` of the cycle."""
        return self.cycle_start + timedelta(days=7 * week + weekday)

    def works(self, week: int, weekday: int) -> bool:
        """Tell whether the rep works that day of the cycle."""
        return self.capacity_s[weekday] > 0 and self.date_of(week, weekday) not in self.time_off


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    """Company rules and solver knobs; weights are minutes of workload.

    ``delivery_rule`` "hard" only allows visit weekdays whose orders reach the next delivery
    day without waiting past ``lead_time_days``; "preferred" charges
    ``minutes_per_delivery_day`` per day an order would wait. ``minutes_per_change`` is the
    stability price of moving a customer off its current slot (half when only the week moves).
    Days are balanced twice: each minute a day's load lies more than
    ``balance_tolerance_min`` from the cycle's mean costs ``minutes_outside_balance``, and each
    minute between the most and least loaded day costs ``balance_weight``. A calendar in force whose
    every customer still has an allowed slot, and whose days still fit, is kept as it is unless
    ``reoptimise`` (a supervisor asked): nothing changed, so nothing moves. ``max_choices`` caps the
    slots per customer CP-SAT considers in a round (the cheapest for the round's centres, plus the
    current one). ``deterministic`` swaps the wall-clock limit for CP-SAT's deterministic time, so
    the same input and seed give the same calendar on any machine load.
    ``balance_by_centre`` balances days on a load whose driving share follows the day's centre
    (far days carry more driving per visit), closer to the routed days, on a first calendar or
    when re-optimising (an incremental solve keeps the centre-free estimate, for stability);
    capacity always uses the centre-free estimate. ``calibrate_days`` then replaces that
    estimate, from the second round on, with each day of the previous round routed on the plane
    (a fixed part per day plus each customer's insertion cost), which is what balances the routed
    days. ``target_gap`` ends the final round once CP-SAT proves its calendar within that share
    of the optimum (0 spends the whole time limit): the first night of many reps stops each
    calendar when it is good enough rather than when its budget runs out.
    """

    lead_time_days: int = 1
    delivery_rule: DeliveryRule = "preferred"
    minutes_per_delivery_day: float = 10.0
    minutes_per_km_off_centre: float = 3.0
    balance_weight: float = 1.0
    balance_tolerance_min: float = 10.0
    minutes_outside_balance: float = 10.0
    minutes_per_change: float = 60.0
    rough_kmh: float = field(default_factory=lambda: SpeedProfile.sao_paulo().typical_kmh())
    circuity: float = DEFAULT_CIRCUITY
    max_choices: int = 6
    time_limit: timedelta = timedelta(seconds=30)
    rounds: int = 6
    workers: int = 2
    seed: int = 0
    deterministic: bool = False
    reoptimise: bool = False
    balance_by_centre: bool = True
    calibrate_days: bool = True
    target_gap: float = 0.01

    def __post_init__(self) -> None:
        if self.lead_time_days < 0 or self.lead_time_days > 6:
            raise ValueError("lead time must be in 0-6 days")
        if self.delivery_rule not in ("hard", "preferred"):
            raise ValueError(f"unknown delivery rule {self.delivery_rule!r}")
        weights = (
            self.minutes_per_delivery_day,
            self.minutes_per_km_off_centre,
            self.balance_weight,
            self.balance_tolerance_min,
            self.minutes_outside_balance,
            self.minutes_per_change,
        )
        if any(not math.isfinite(w) or w < 0 for w in weights):
            raise ValueError("weights must be finite and >= 0")
        if self.rough_kmh <= 0 or self.circuity < 1:
            raise ValueError("rough_kmh must be > 0 and circuity >= 1")
        if not 0 <= self.target_gap < 1:
            raise ValueError("target gap must be in [0, 1)")
        if self.time_limit <= timedelta(0) or min(self.rounds, self.workers, self.max_choices) < 1:
            raise ValueError("time limit, rounds and workers must be positive")


@dataclass(frozen=True, slots=True)
class CalendarConflict:
    """Why the calendar could not be built: a customer (or the whole portfolio) and a reason."""

    customer_id: str | None
    reason: ConflictReason


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One working date of the cycle with its customers and estimated workload."""

    date: dt.date
    week: int
    weekday: int
    customer_ids: tuple[str, ...]
    load_s: int
    capacity_s: int
    centre: Location | None


@dataclass(frozen=True, slots=True)
class CalendarSolution:
    """The calendar and how sure the solver is of it.

    ``objective`` and ``best_bound`` are in seconds of weighted cost of the last CP-SAT round;
    ``gap`` is ``(objective - best_bound) / objective`` (0 when proven optimal). An infeasible
    input has no assignment and lists its ``conflicts``.
    """

    status: CalendarStatus
    assignment: Mapping[str, Pattern]
    days: tuple[CalendarDay, ...]
    objective: float
    best_bound: float
    gap: float
    seconds: float
    rounds: int
    changed: tuple[str, ...] = ()
    conflicts: tuple[CalendarConflict, ...] = ()

    def visit_dates(self, customer_id: str) -> tuple[dt.date, ...]:
        """Return the dates of the cycle on which ``customer_id`` is visited."""
        return tuple(d.date for d in self.days if customer_id in d.customer_ids)
