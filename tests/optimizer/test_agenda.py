"""Tests for the weekly agenda: due logic, opening days, balance, frozen days, routes."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import numpy as np
import pytest

from optimizer.agenda import (
    AgendaCustomer,
    AgendaSettings,
    Appointment,
    WeekAgenda,
    WorkDay,
    delivery_wait_days,
    due_date,
    plan_week,
    weekly_opening,
)
from optimizer.checker import check_day
from optimizer.model import Location, LunchBreak, RepDay, TimeWindow
from optimizer.travel import CachedProvider, GeodesicProvider

H = 3600
MON = dt.date(2026, 11, 23)
BASE = Location(-23.5505, -46.6333)  # Sé
WEEKDAYS = weekly_opening({d: [(8 * H, 18 * H)] for d in range(5)})
PROVIDER = CachedProvider(GeodesicProvider())
FAST = AgendaSettings(time_limit_per_day=dt.timedelta(seconds=0.1))
# Bounded by a count, not the clock: the same agenda however loaded the machine is.
COUNTED = AgendaSettings(time_limit_per_day=dt.timedelta(seconds=30), iterations_per_day=40)


def rep_day() -> RepDay:
    """Return an 8–18 h day with at most 9 working hours and a lunch hour."""
    return RepDay(BASE, BASE, 8 * H, 18 * H, 9 * H, LunchBreak(12 * H, 13 * H, H))


def week(n: int = 5) -> list[WorkDay]:
    """Return Monday to Friday (or the first n days) of the test week."""
    return [WorkDay(MON + dt.timedelta(days=i), rep_day()) for i in range(n)]


def customer(
    cid: str,
    lat: float = -23.55,
    lon: float = -46.63,
    *,
    freq: int = 7,
    since: int | None = 7,
    opening: Sequence[Sequence[TimeWindow]] = WEEKDAYS,
    service_s: int = 1200,
    delivery: frozenset[int] = frozenset(),
    appointments: tuple[Appointment, ...] = (),
    priority: float = 1.0,
) -> AgendaCustomer:
    """Build a customer with sensible defaults (weekly, due Monday, open weekdays)."""
    return AgendaCustomer(
        cid,
        Location(lat, lon),
        priority,
        freq,
        since,
        tuple(tuple(d) for d in opening),
        service_s,
        delivery,
        appointments,
    )


def scattered(n: int, seed: int, *, freq: int = 7) -> list[AgendaCustomer]:
    """Return n customers spread over ~8 × 8 km around Sé, last seen 2–8 days ago."""
    rng = np.random.default_rng(seed)
    return [
        customer(
            f"s{i:03d}",
            float(rng.uniform(-23.586, -23.514)),
            float(rng.uniform(-46.67, -46.59)),
            freq=freq,
            since=int(rng.integers(2, 9)),
            service_s=int(rng.choice([900, 1200, 1500])),
        )
        for i in range(n)
    ]


def assigned_dates(agenda: WeekAgenda, cid: str) -> list[dt.date]:
    """Return the dates whose candidate list holds ``cid``."""
    return [d.date for d in agenda.days if cid in d.candidate_ids]


def assert_routes_feasible(agenda: WeekAgenda) -> None:
    """Check every planned day's route with the independent checker."""
    for day in agenda.days:
        if day.problem is not None:
            assert check_day(day.problem, day.route) == []


def test_due_date_counts_from_the_last_visit() -> None:
    """Tests due dates for weekly, biweekly and never-visited customers."""
    assert due_date(customer("a", since=3), MON) == MON + dt.timedelta(days=4)
    assert due_date(customer("b", freq=14, since=20), MON) == MON - dt.timedelta(days=6)
    assert due_date(customer("c", since=None), MON) == MON


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [(2, 0), (1, 1), (3, 6), (0, 2)],  # delivery on Thursday, lead time one day
)
def test_delivery_wait_prefers_the_day_before_delivery(weekday: int, expected: int) -> None:
    """Tests that an order on Wednesday fits a Thursday delivery best."""
    date = MON + dt.timedelta(days=weekday)
    assert delivery_wait_days(date, frozenset({3}), 1) == expected
    assert delivery_wait_days(date, frozenset(), 1) == 0


def test_weekly_customers_appear_once_in_the_week() -> None:
    """Tests that every due weekly customer is routed exactly once; the rest are not due."""
    customers = scattered(30, seed=1)
    customers += [customer("fresh0", since=0), customer("fresh1", since=1)]
    agenda = plan_week(week(), customers, provider=PROVIDER, settings=FAST)
    for c in customers[:30]:
        assert len(agenda.visit_dates(c.id)) == 1, c.id
    assert {"fresh0", "fresh1"} <= set(agenda.not_due)
    assert agenda.unassigned == ()
    assert_routes_feasible(agenda)


def test_biweekly_customers_respect_the_last_visit() -> None:
    """Tests that a biweekly customer seen 3 days ago waits, one seen 10 days ago goes late."""
    customers = [
        customer("seen3", freq=14, since=3),
        customer("seen10", freq=14, since=10),  # due Friday, may go two days early
        customer("seen20", freq=14, since=20),  # overdue: should go early in the week
        customer("never", freq=14, since=None),
    ]
    agenda = plan_week(week(), customers, provider=PROVIDER, settings=FAST)
    assert agenda.not_due == ("seen3",)
    (d10,) = agenda.visit_dates("seen10")
    assert d10 >= MON + dt.timedelta(days=2)
    assert len(agenda.visit_dates("seen20")) == 1
    assert len(agenda.visit_dates("never")) == 1


def test_short_frequency_gives_several_visits_on_distinct_days() -> None:
    """Tests that a customer seen every 2 days gets visits on distinct, spaced days."""
    agenda = plan_week(week(), [customer("often", freq=2, since=2)], provider=PROVIDER)
    dates = agenda.visit_dates("often")
    assert len(dates) == 3
    assert all((b - a).days >= 2 for a, b in itertools.pairwise(dates))


def test_customers_are_never_put_on_a_closed_day() -> None:
    """Tests opening days, too-short opening hours and a customer closed all week."""
    tue_thu = weekly_opening({1: [(9 * H, 17 * H)], 3: [(14 * H, 16 * H)]})
    short_mon = weekly_opening({0: [(8 * H, 8 * H + 1800)], 4: [(14 * H, 18 * H)]})
    customers = [customer(f"tt{i}", -23.55 + 0.003 * i, opening=tue_thu) for i in range(8)]
    customers.append(customer("short", opening=short_mon, service_s=3600))
    customers.append(customer("shut", opening=weekly_opening({5: [(8 * H, 12 * H)]})))
    agenda = plan_week(week(), customers, provider=PROVIDER, settings=FAST)
    for c in customers[:8]:
        assert {d.weekday() for d in assigned_dates(agenda, c.id)} <= {1, 3}
    assert assigned_dates(agenda, "short") == [MON + dt.timedelta(days=4)]
    assert [(u.customer_id, u.reason) for u in agenda.unassigned] == [("shut", "closed_all_week")]
    assert_routes_feasible(agenda)


def test_workload_is_balanced_across_days() -> None:
    """Tests that estimated and routed day minutes stay within a factor 1.25 and 1.3."""
    agenda = plan_week(week(), scattered(80, seed=3), provider=PROVIDER, settings=FAST)
    estimated = [d.estimated_s for d in agenda.days]
    routed = [d.route.working_s for d in agenda.days]
    assert max(estimated) <= 1.25 * min(estimated), estimated
    assert max(routed) <= 1.3 * min(routed), routed
    assert agenda.unassigned == ()


def test_nearby_customers_share_a_day() -> None:
    """Tests that two distant clusters are planned on two different days, one each."""
    north = [customer(f"n{i}", -23.49 + 0.002 * i, -46.63) for i in range(6)]
    south = [customer(f"s{i}", -23.62 - 0.002 * i, -46.64) for i in range(6)]
    agenda = plan_week(week(2), north + south, provider=PROVIDER, settings=FAST)
    groups = {frozenset(i[0] for i in d.candidate_ids) for d in agenda.days}
    assert groups == {frozenset("n"), frozenset("s")}


def test_delivery_day_fit_is_preferred() -> None:
    """Tests that a monthly customer due Thursday, delivered Thursdays, goes Wednesday."""
    c = customer("truck", freq=28, since=25, delivery=frozenset({3}))
    agenda = plan_week(week(), [c], provider=PROVIDER, settings=FAST)
    assert agenda.visit_dates("truck") == (MON + dt.timedelta(days=2),)


def test_appointments_are_kept_on_their_date() -> None:
    """Tests that an appointment is a mandatory stop on its date, inside its window."""
    window = TimeWindow(14 * H, 14 * H + 1800)
    appt = customer("appt", since=7, appointments=(Appointment(MON + dt.timedelta(3), window),))
    agenda = plan_week(week(), [appt, *scattered(20, seed=4)], provider=PROVIDER, settings=FAST)
    assert agenda.visit_dates("appt") == (MON + dt.timedelta(days=3),)
    thursday = agenda.days[3]
    assert thursday.problem is not None
    (cand,) = [c for c in thursday.problem.candidates if c.id == "appt"]
    assert cand.appointment
    (stop,) = [s for s in thursday.route.stops if s.candidate_id == "appt"]
    assert window.start_s <= stop.start_s <= window.end_s


def test_frozen_day_is_kept_untouched_unless_reshuffled() -> None:
    """Tests that a day under way keeps its route and its customers are not planned again."""
    customers = scattered(30, seed=5)
    first = plan_week(week(), customers, provider=PROVIDER, settings=COUNTED)
    wednesday = first.days[2]
    again = plan_week(
        week(),
        customers,
        provider=PROVIDER,
        settings=COUNTED,
        frozen={wednesday.date: wednesday.route},
        seed=9,
    )
    kept = again.days[2]
    assert kept.frozen
    assert kept.route is wednesday.route
    for cid in wednesday.route.visited_ids:
        assert again.visit_dates(cid) == (wednesday.date,)
    shuffled = plan_week(
        week(),
        customers,
        provider=PROVIDER,
        settings=COUNTED,
        frozen={wednesday.date: wednesday.route},
        reshuffle=True,
    )
    assert not shuffled.days[2].frozen
    assert shuffled == first  # reshuffle ignores the frozen route entirely


def test_over_capacity_leaves_out_the_least_urgent() -> None:
    """Tests that a too-large week drops low-urgency customers with 'no_capacity'."""
    customers = scattered(60, seed=6)
    customers += [customer(f"late{i}", -23.55 + 0.001 * i, since=30) for i in range(5)]
    agenda = plan_week(week(1), customers, provider=PROVIDER, settings=FAST)
    left_out = {u.customer_id for u in agenda.unassigned}
    assert left_out
    assert not left_out & {f"late{i}" for i in range(5)}
    reasons = {u.reason for u in agenda.unassigned}
    assert reasons <= {"no_capacity", "no_time_left"}
    assert_routes_feasible(agenda)


def test_plan_is_deterministic() -> None:
    """Tests that the same input and seed give the same agenda."""
    customers = scattered(40, seed=7)
    a = plan_week(week(), customers, provider=GeodesicProvider(), settings=COUNTED, seed=3)
    b = plan_week(week(), customers, provider=GeodesicProvider(), settings=COUNTED, seed=3)
    assert a == b


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("frequency_days", 0),
        ("days_since_visit", -1),
        ("priority", -1.0),
        ("opening", ((),) * 6),
        ("delivery_weekdays", frozenset({7})),
    ],
)
def test_invalid_customer_raises(field: str, value: object) -> None:
    """Tests AgendaCustomer validation."""
    args = {
        "id": "x",
        "location": BASE,
        "priority": 1.0,
        "frequency_days": 7,
        "days_since_visit": 1,
        "opening": WEEKDAYS,
        "service_s": 600,
    }
    args[field] = value
    with pytest.raises(ValueError, match="x"):
        AgendaCustomer(**args)  # type: ignore[arg-type]


def test_duplicate_dates_or_ids_raise() -> None:
    """Tests that repeated working dates or customer ids are rejected."""
    with pytest.raises(ValueError, match="dates"):
        plan_week(week() + week(1), [], provider=PROVIDER)
    with pytest.raises(ValueError, match="ids"):
        plan_week(week(), [customer("a"), customer("a")], provider=PROVIDER)


def test_dropped_visits_move_to_a_day_with_time_left() -> None:
    """Tests the repair pass: what Monday's route cannot take is routed on Tuesday."""
    crowd = [customer(f"m{i:02d}", -23.55 + 0.002 * i, service_s=2400) for i in range(18)]
    monday_first = AgendaSettings(
        time_limit_per_day=dt.timedelta(seconds=0.1),
        minutes_per_day_late=10_000.0,
        balance_weight=0.0,
        overbook=3.0,
    )
    agenda = plan_week(week(2), crowd, provider=PROVIDER, settings=monday_first)
    monday, tuesday = agenda.days
    assert len(monday.candidate_ids) < len(crowd)  # the overflow left Monday
    assert tuesday.route.visited_ids
    assert agenda.unassigned == ()
    assert all(len(agenda.visit_dates(c.id)) == 1 for c in crowd)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lead_time_days": -1},
        {"early_fraction": 1.0},
        {"overbook": 0.9},
        {"rough_kmh": 0.0},
        {"balance_weight": -1.0},
    ],
)
def test_invalid_settings_raise(kwargs: dict[str, float]) -> None:
    """Tests AgendaSettings validation."""
    with pytest.raises(ValueError, match=">="):
        AgendaSettings(**kwargs)  # type: ignore[arg-type]
