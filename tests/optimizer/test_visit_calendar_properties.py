"""Properties of the visit calendar that must hold for any small portfolio (hypothesis)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.model import Location
from optimizer.visit_calendar import (
    VISITS_PER_CYCLE,
    CalendarCustomer,
    CalendarRep,
    CalendarSettings,
    CalendarSolution,
    Pattern,
    delivery_wait_days,
    patterns_for,
    solve_calendar,
)
from optimizer.visit_calendar.model import Cadence

H = 3600
MON = dt.date(2026, 11, 30)
BASE = Location(-23.55, -46.63)
CADENCES: tuple[Cadence, ...] = ("weekly", "fortnightly", "monthly")
weekday_sets = st.frozensets(st.integers(0, 6), min_size=1, max_size=7)


@st.composite
def reps(draw: st.DrawFn) -> CalendarRep:
    """A rep working some weekdays (Saturday possible), with a few days off."""
    days = draw(st.frozensets(st.integers(0, 5), min_size=1, max_size=6))
    caps = tuple(draw(st.sampled_from([4 * H, 8 * H, 9 * H])) if d in days else 0 for d in range(7))
    off = draw(st.frozensets(st.integers(0, 27), max_size=3))
    return CalendarRep(BASE, MON, caps, frozenset(MON + dt.timedelta(days=k) for k in off))


@st.composite
def customers(draw: st.DrawFn) -> list[CalendarCustomer]:
    """Up to nine customers a few km apart, some pinned to a random slot of their cadence."""
    n = draw(st.integers(1, 9))
    out = []
    for i in range(n):
        cadence = draw(st.sampled_from(CADENCES))
        pin = draw(st.none() | st.sampled_from(patterns_for(cadence)))
        out.append(
            CalendarCustomer(
                f"c{i}",
                Location(
                    BASE.lat + draw(st.floats(-0.05, 0.05)), BASE.lon + draw(st.floats(-0.05, 0.05))
                ),
                cadence,
                draw(weekday_sets),
                draw(st.sampled_from([600, 1200, 2400, 3 * H])),
                draw(st.frozensets(st.integers(0, 6), max_size=2)),
                current=pin,
                pinned=pin is not None and draw(st.booleans()),
            )
        )
    return out


def fast(rule: str, lead: int) -> CalendarSettings:
    """Return deterministic settings with a short budget for tiny portfolios."""
    return CalendarSettings(
        time_limit=dt.timedelta(seconds=5),
        workers=1,
        deterministic=True,
        delivery_rule=rule,  # type: ignore[arg-type]
        lead_time_days=lead,
    )


def check_rules(
    sol: CalendarSolution, portfolio: list[CalendarCustomer], rep: CalendarRep, s: CalendarSettings
) -> None:
    """Assert every hard rule on a calendar the solver accepted."""
    assert set(sol.assignment) == {c.id for c in portfolio}
    for c in portfolio:
        p = sol.assignment[c.id]
        assert p.cadence == c.cadence  # frequency exact
        assert len(sol.visit_dates(c.id)) == VISITS_PER_CYCLE[c.cadence]
        assert p.weekday in c.open_weekdays  # closed days never used
        assert all(rep.works(w, p.weekday) for w in p.weeks)  # working days, time off
        if c.pinned:
            assert p == c.current
        if s.delivery_rule == "hard":
            assert delivery_wait_days(p.weekday, c.delivery_weekdays, s.lead_time_days) == 0
    for day in sol.days:
        assert day.load_s <= day.capacity_s
        assert day.date not in rep.time_off
        assert rep.capacity_s[day.weekday] > 0
    assert sol.best_bound <= sol.objective + 1e-6
    assert 0.0 <= sol.gap <= 1.0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    portfolio=customers(),
    rep=reps(),
    rule=st.sampled_from(["hard", "preferred"]),
    lead=st.integers(0, 2),
)
def test_calendar_respects_every_rule_or_reports_why_not(
    portfolio: list[CalendarCustomer], rep: CalendarRep, rule: str, lead: int
) -> None:
    """Tests that any input gives a calendar keeping all hard rules, or a reported conflict."""
    s = fast(rule, lead)
    sol = solve_calendar(portfolio, rep, s)
    if sol.status in ("optimal", "feasible"):
        check_rules(sol, portfolio, rep, s)
        return
    assert sol.status == "infeasible"
    assert sol.conflicts
    assert sol.assignment == {}
    for conflict in sol.conflicts:
        if conflict.customer_id is None:
            continue
        c = next(x for x in portfolio if x.id == conflict.customer_id)
        open_ok = [
            p
            for p in patterns_for(c.cadence)
            if p.weekday in c.open_weekdays and all(rep.works(w, p.weekday) for w in p.weeks)
        ]
        if conflict.reason == "closed_on_working_days":
            assert open_ok == []
        elif conflict.reason == "pin_not_allowed":
            assert c.pinned


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(portfolio=customers(), rep=reps())
def test_unchanged_portfolio_keeps_its_calendar(
    portfolio: list[CalendarCustomer], rep: CalendarRep
) -> None:
    """Tests that solving again with the calendar in force changes nothing."""
    s = fast("preferred", 1)
    free = [replace(c, current=None, pinned=False) for c in portfolio]
    first = solve_calendar(free, rep, s)
    if first.status not in ("optimal", "feasible"):
        return
    in_force = [replace(c, current=first.assignment[c.id]) for c in free]
    again = solve_calendar(in_force, rep, s)
    assert again.assignment == first.assignment, (portfolio, rep, again)
    assert again.changed == ()
    moved = solve_calendar(in_force, rep, replace(s, reoptimise=True))
    assert moved.status in ("optimal", "feasible")
    check_rules(moved, in_force, rep, s)


@settings(max_examples=15, deadline=None)
@given(rep=reps(), cadence=st.sampled_from(CADENCES), weekday=st.integers(0, 6))
def test_pinned_customer_keeps_its_slot_among_others(
    rep: CalendarRep, cadence: Cadence, weekday: int
) -> None:
    """Tests that a pin on an allowed slot is kept whatever the rest of the portfolio wants."""
    pin = next(p for p in patterns_for(cadence) if p.weekday == weekday)
    if not all(rep.works(w, pin.weekday) for w in pin.weeks):
        return
    others = [
        CalendarCustomer(f"o{i}", BASE, "monthly", frozenset(range(7)), 1200) for i in range(4)
    ]
    pinned = CalendarCustomer(
        "p", Location(-23.6, -46.7), cadence, frozenset(range(7)), 600, current=pin, pinned=True
    )
    sol = solve_calendar([pinned, *others], rep, fast("preferred", 1))
    if sol.status in ("optimal", "feasible"):
        assert sol.assignment["p"] == pin
    else:
        assert sol.conflicts
    assert isinstance(pin, Pattern)
