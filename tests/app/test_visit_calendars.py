"""Stored visit calendars: compute, read a date, move, pin, and recompute keeping pins.

Every test starts from a company created from scratch (no demo data): a rep who works
Monday to Friday (or Saturday too) and customers with their own cadences and opening days.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CalendarSlot, CalendarStatus, CalendarTrigger, VisitCalendar
from app.services import visit_calendars as vc
from app.services.visit_calendars import CalendarError
from tests.factories import make_customer
from tests.support.scratch import BASE, MON_FRI, MON_SAT, scratch_company

SECONDS = 3.0  # CP-SAT budget per test calendar: tiny portfolios solve to optimality fast
WEEKDAYS_ONLY = {
    "mon": [["08:00", "18:00"]],
    "tue": [["08:00", "18:00"]],
    "wed": [["08:00", "18:00"]],
    "thu": [["08:00", "18:00"]],
    "fri": [["08:00", "18:00"]],
}


def _world(customers: int = 0, work_days: int = MON_FRI):  # type: ignore[no-untyped-def]
    world = scratch_company(reps={"ana": work_days}, customers=customers)
    return world, world.reps["ana"]


def _customer(world, rep, *, frequency: int, hours=None, lat=0.0, lon=0.0, **fields):  # type: ignore[no-untyped-def]
    return make_customer(
        world.company,
        rep,
        visit_frequency_days=frequency,
        opening_hours=WEEKDAYS_ONLY if hours is None else hours,
        latitude=BASE[0] + lat,
        longitude=BASE[1] + lon,
        service_minutes=20,
        **fields,
    )


def _slot(calendar: VisitCalendar, customer_id: int) -> CalendarSlot:
    return next(s for s in calendar.slots if s.customer_id == customer_id)


def test_cadence_follows_visit_frequency() -> None:
    """Tests that frequencies map to weekly, fortnightly and monthly slots."""
    assert [vc.cadence_for(d) for d in (1, 7, 10, 11, 14, 21, 22, 28, 60)] == [
        "weekly",
        "weekly",
        "weekly",
        "fortnightly",
        "fortnightly",
        "fortnightly",
        "monthly",
        "monthly",
        "monthly",
    ]


def test_compute_stores_every_customer_on_an_open_day(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that computing stores one slot per field customer, its cadence exact, its
    weekday open and worked, with the solver's figures and no staleness."""
    world, rep = _world()
    weekly = _customer(world, rep, frequency=7, hours={"wed": [["08:00", "18:00"]]})
    fortnightly = _customer(world, rep, frequency=14, lat=0.01)
    monthly = [_customer(world, rep, frequency=30, lat=-0.01 * i, lon=0.01) for i in range(6)]
    telesales = _customer(world, rep, frequency=7, channel="telesales")
    outcome = vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    calendar = outcome.calendar
    assert outcome.replaced
    assert calendar.status in (CalendarStatus.OPTIMAL, CalendarStatus.FEASIBLE)
    assert calendar.cycle_start.weekday() == 0
    assert calendar.gap is not None
    assert 0.0 <= calendar.gap <= 1.0
    assert calendar.best_bound is not None
    assert calendar.objective is not None
    assert calendar.computed_at is not None
    assert not calendar.stale
    by_customer = {s.customer_id: s for s in calendar.slots}
    assert telesales.id not in by_customer
    assert (by_customer[weekly.id].weekday, by_customer[weekly.id].week_list) == (2, (0, 1, 2, 3))
    assert by_customer[fortnightly.id].week_list in ((0, 2), (1, 3))
    for cust in monthly:
        slot = by_customer[cust.id]
        assert len(slot.week_list) == 1
        assert slot.weekday < 5


def test_customers_of_a_date_follow_the_repeating_cycle(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a date's customers are those whose weekday and cycle week match, four
    weeks later too, and that a customer moved to another rep drops out at once."""
    world, rep = _world()
    fortnightly = _customer(world, rep, frequency=14, hours={"tue": [["08:00", "18:00"]]})
    calendar = vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS).calendar
    slot = _slot(calendar, fortnightly.id)
    first_week = slot.week_list[0]
    tuesday = calendar.cycle_start + timedelta(days=7 * first_week + 1)
    assert vc.customers_on(rep_id=rep.id, day=tuesday) == [fortnightly.id]
    assert vc.customers_on(rep_id=rep.id, day=tuesday + timedelta(days=7)) == []
    assert vc.customers_on(rep_id=rep.id, day=tuesday + timedelta(days=14)) == [fortnightly.id]
    assert vc.customers_on(rep_id=rep.id, day=tuesday + timedelta(days=28)) == [fortnightly.id]
    assert vc.customers_on(rep_id=rep.id, day=tuesday - timedelta(days=28)) == [fortnightly.id]
    assert vc.company_day_customers(company_id=world.company.id, day=tuesday) == {
        rep.id: {fortnightly.id}
    }
    fortnightly.owner_id = None
    db.session.flush()
    assert vc.customers_on(rep_id=rep.id, day=tuesday) == []
    assert vc.company_day_customers(company_id=world.company.id, day=tuesday) == {}


def test_move_pins_and_recompute_keeps_the_pin(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a supervisor's move is stored and pinned, and that re-optimising keeps
    it while the rest may move."""
    world, rep = _world()
    customers = [_customer(world, rep, frequency=14, lat=0.003 * i) for i in range(6)]
    vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    target = customers[0]
    slot = vc.move(rep=rep, customer_id=target.id, weekday=4, weeks=[1, 3], by=world.admin)
    assert (slot.weekday, slot.week_list, slot.pinned) == (4, (1, 3), True)
    assert slot.pinned_by_id == world.admin.id
    assert slot.moved_by_id == world.admin.id
    outcome = vc.compute(
        rep=rep,
        trigger=CalendarTrigger.SUPERVISOR,
        by=world.admin,
        reoptimise=True,
        seconds=SECONDS,
    )
    kept = _slot(outcome.calendar, target.id)
    assert (kept.weekday, kept.week_list, kept.pinned) == (4, (1, 3), True)
    assert outcome.calendar.trigger == CalendarTrigger.SUPERVISOR
    assert outcome.calendar.computed_by_id == world.admin.id


def test_unpin_frees_the_slot(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that pinning marks who pinned and unpinning clears it."""
    world, rep = _world()
    cust = _customer(world, rep, frequency=7)
    vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    slot = vc.set_pinned(rep=rep, customer_id=cust.id, pinned=True, by=world.admin)
    assert slot.pinned
    assert slot.pinned_by_id == world.admin.id
    assert slot.pinned_at is not None
    slot = vc.set_pinned(rep=rep, customer_id=cust.id, pinned=False, by=world.admin)
    assert not slot.pinned
    assert slot.pinned_by_id is None
    assert slot.pinned_at is None


@pytest.mark.parametrize(
    ("weekday", "weeks", "code"),
    [
        (1, [0, 2], "wrong_cadence"),  # a weekly customer needs all four weeks
        (5, [0, 1, 2, 3], "rep_off"),  # the rep does not work Saturdays
        (0, [0, 1, 2, 3], "customer_closed"),  # closed on Mondays
        (9, [0], "bad_weekday"),
        (1, [4], "bad_weeks"),
    ],
)
def test_move_refuses_a_slot_breaking_a_rule(db_session, weekday, weeks, code) -> None:  # type: ignore[no-untyped-def]
    """Tests that a move keeping neither cadence, opening days nor working days is refused
    with its reason and changes nothing."""
    world, rep = _world()
    hours = {k: v for k, v in WEEKDAYS_ONLY.items() if k != "mon"}
    cust = _customer(world, rep, frequency=7, hours=hours)
    calendar = vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS).calendar
    before = (_slot(calendar, cust.id).weekday, _slot(calendar, cust.id).weeks)
    with pytest.raises(CalendarError) as caught:
        vc.move(rep=rep, customer_id=cust.id, weekday=weekday, weeks=weeks, by=world.admin)
    assert caught.value.code == code
    assert (_slot(calendar, cust.id).weekday, _slot(calendar, cust.id).weeks) == before


def test_move_refuses_a_customer_of_another_rep(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a rep's calendar cannot take another rep's customer."""
    world = scratch_company(reps={"ana": MON_FRI, "bia": MON_FRI}, customers=1)
    ana, bia = world.reps["ana"], world.reps["bia"]
    vc.compute(rep=ana, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    other = world.customers[bia.id][0]
    with pytest.raises(CalendarError) as caught:
        vc.move(rep=ana, customer_id=other.id, weekday=1, weeks=[0], by=world.admin)
    assert caught.value.code == "not_in_portfolio"


def test_hard_delivery_rule_puts_visits_the_day_before_delivery(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that under the hard delivery rule (lead time 1 day) a customer delivered on
    Thursdays only gets Wednesday, and a move elsewhere is refused."""
    from app.models import CompanySettings

    world, rep = _world()
    cust = _customer(world, rep, frequency=7, delivery_weekdays=0b0001000)
    row = db.session.scalar(
        sa.select(CompanySettings).where(CompanySettings.company_id == world.company.id)
    )
    assert row is not None
    row.planning = {**row.planning, "delivery_rule": "hard"}
    row.scoring = {**row.scoring, "lead_time_days": 1}
    db.session.flush()
    calendar = vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS).calendar
    assert _slot(calendar, cust.id).weekday == 2
    with pytest.raises(CalendarError) as caught:
        vc.move(rep=rep, customer_id=cust.id, weekday=1, weeks=[0, 1, 2, 3], by=world.admin)
    assert caught.value.code == "no_delivery_fit"


def test_a_customer_fitting_no_slot_is_reported_not_blocking(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a customer open only on Sundays is left out with its reason while the
    rest of the portfolio still gets its calendar."""
    world, rep = _world()
    sunday = _customer(world, rep, frequency=7, hours={"sun": [["08:00", "12:00"]]})
    normal = _customer(world, rep, frequency=7)
    calendar = vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS).calendar
    assert calendar.status in (CalendarStatus.OPTIMAL, CalendarStatus.FEASIBLE)
    assert {s.customer_id for s in calendar.slots} == {normal.id}
    assert calendar.conflicts == [{"customer_id": sunday.id, "reason": "closed_on_working_days"}]


def test_saturday_worker_can_get_saturday_slots(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a rep working Saturdays gets a customer open only on Saturdays."""
    world, rep = _world(work_days=MON_SAT)
    cust = _customer(world, rep, frequency=7, hours={"sat": [["08:00", "13:00"]]})
    calendar = vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS).calendar
    assert _slot(calendar, cust.id).weekday == 5


def test_unchanged_portfolio_keeps_its_calendar_and_new_customer_moves_few(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that recomputing an unchanged portfolio moves nobody, and adding one customer
    moves few of the others (the stored calendar is the stability reference)."""
    world, rep = _world()
    customers = [_customer(world, rep, frequency=14, lat=0.004 * i) for i in range(8)]
    first = vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS).calendar
    before = {s.customer_id: (s.weekday, s.weeks) for s in first.slots}
    again = vc.compute(rep=rep, trigger=CalendarTrigger.PORTFOLIO, seconds=SECONDS)
    assert again.changed == 0
    assert {s.customer_id: (s.weekday, s.weeks) for s in again.calendar.slots} == before
    newcomer = _customer(world, rep, frequency=14, lat=0.002)
    after = vc.compute(rep=rep, trigger=CalendarTrigger.PORTFOLIO, seconds=SECONDS)
    assert newcomer.id in {s.customer_id for s in after.calendar.slots}
    assert after.changed <= 2
    assert len(customers) + 1 == len(after.calendar.slots)


def test_mark_stale_and_reps_to_compute(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that reps without a calendar or with a stale one are the ones to compute, and
    that the first stale reason is kept until the next computation."""
    world = scratch_company(reps={"ana": MON_FRI, "bia": MON_FRI}, customers=2)
    ana, bia = world.reps["ana"], world.reps["bia"]
    company_id = world.company.id
    assert vc.reps_to_compute(company_id=company_id, rep_ids=[ana.id, bia.id]) == sorted(
        [ana.id, bia.id]
    )
    vc.compute(rep=ana, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    assert vc.reps_to_compute(company_id=company_id, rep_ids=[ana.id, bia.id]) == [bia.id]
    assert vc.mark_stale(user_ids=[ana.id], reason=CalendarTrigger.PORTFOLIO) == 1
    assert vc.mark_stale(user_ids=[ana.id], reason=CalendarTrigger.SETTINGS) == 0
    calendar = vc.calendar_for(rep_id=ana.id)
    assert calendar is not None
    assert calendar.stale
    assert calendar.stale_reason == CalendarTrigger.PORTFOLIO
    assert ana.id in vc.reps_to_compute(company_id=company_id, rep_ids=[ana.id])
    vc.compute(rep=ana, trigger=CalendarTrigger.PORTFOLIO, seconds=SECONDS)
    assert not calendar.stale
    assert calendar.stale_reason is None


def test_cycle_days_show_each_days_customers_and_load(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that the four weeks come with real dates, each day's customers and a load
    within the rep's capacity."""
    world, rep = _world()
    customers = [_customer(world, rep, frequency=7, lat=0.002 * i) for i in range(5)]
    calendar = vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS).calendar
    days = vc.cycle_days(rep=rep, first=calendar.cycle_start + timedelta(days=30))
    assert len(days) == 20
    assert days[0].date == calendar.cycle_start + timedelta(days=28)
    visits = sum(len(d.customer_ids) for d in days)
    assert visits == 4 * len(customers)
    assert all(0 <= d.load_s <= d.capacity_s for d in days)
    assert all(d.load.value in ("light", "ok", "full") for d in days)


def test_describe_says_the_regular_day(app) -> None:  # type: ignore[no-untyped-def]
    """Tests that slots read "terça, semanas 1 e 3" in Portuguese and English."""
    with app.test_request_context(headers={"Accept-Language": "pt-BR"}):
        assert vc.describe(1, [0, 2]) == "terça, semanas 1 e 3"
        assert vc.describe(1, [0, 1, 2, 3]) == "toda terça"
        assert vc.describe(4, [3]) == "sexta, semana 4"
        assert vc.describe(5, [0, 1, 2, 3]) == "todo sábado"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert vc.describe(1, [0, 2]) == "Tuesday, weeks 1 and 3"
        assert vc.describe(0, [1]) == "Monday, week 2"


def test_a_rep_without_base_cannot_be_computed(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a rep whose base has no position gets a PlanningError, not a calendar."""
    from app.services.routing import PlanningError

    rep = _world(customers=1)[1]
    assert rep.work_profile is not None
    rep.work_profile.start_lat = None
    db.session.flush()
    with pytest.raises(PlanningError):
        vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    assert vc.calendar_for(rep_id=rep.id) is None


def _stale(rep_id: int) -> tuple[bool, str | None]:
    calendar = vc.calendar_for(rep_id=rep_id)
    assert calendar is not None
    db.session.refresh(calendar)
    return calendar.stale, calendar.stale_reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda c, other: setattr(c, "visit_frequency_days", 30), "portfolio"),
        (lambda c, other: setattr(c, "active", False), "portfolio"),
        (lambda c, other: setattr(c, "owner_id", other.id), "portfolio"),
        (lambda c, other: setattr(c, "opening_hours", {"mon": [["08:00", "12:00"]]}), "portfolio"),
        (lambda c, other: setattr(c.owner.work_profile, "working_weekdays", 0b11), "work_profile"),
    ],
)
def test_portfolio_changes_mark_the_calendar_stale(db_session, change, reason) -> None:  # type: ignore[no-untyped-def]
    """Tests that changing a customer's cadence, status, owner or opening hours, or the
    rep's working week, marks the calendar stale for the nightly run (both reps' calendars
    when a customer moves), without recomputing it in the request."""
    world = scratch_company(reps={"ana": MON_FRI, "bia": MON_FRI}, customers=2)
    ana, bia = world.reps["ana"], world.reps["bia"]
    for rep in (ana, bia):
        vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    assert _stale(ana.id) == (False, None)
    change(world.customers[ana.id][0], bia)
    db.session.flush()
    assert _stale(ana.id) == (True, reason)
    moved = reason == "portfolio" and world.customers[ana.id][0].owner_id == bia.id
    assert _stale(bia.id)[0] is moved


def test_unrelated_customer_edits_and_new_customers(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a phone number edit leaves the calendar alone and a new customer in the
    portfolio marks it stale."""
    world, rep = _world(customers=2)
    vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    world.customers[rep.id][0].phone = "11 99999-0000"
    db.session.flush()
    assert _stale(rep.id) == (False, None)
    _customer(world, rep, frequency=14)
    assert _stale(rep.id) == (True, "portfolio")


def test_a_new_delivery_rule_marks_the_company_calendars_stale(db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a settings version changing the delivery rule marks every calendar of
    the company stale, and one changing something else does not."""
    from app.models import CompanySettings

    world, rep = _world(customers=2)
    vc.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=SECONDS)
    row = db.session.scalar(
        sa.select(CompanySettings).where(CompanySettings.company_id == world.company.id)
    )
    assert row is not None
    db.session.add(
        CompanySettings(
            company_id=world.company.id,
            version=row.version + 1,
            scoring=row.scoring,
            planning={**row.planning, "check_in_radius_m": 250},
            policies=row.policies,
        )
    )
    db.session.flush()
    assert _stale(rep.id) == (False, None)
    db.session.add(
        CompanySettings(
            company_id=world.company.id,
            version=row.version + 2,
            scoring=row.scoring,
            planning={**row.planning, "delivery_rule": "hard"},
            policies=row.policies,
        )
    )
    db.session.flush()
    assert _stale(rep.id) == (True, "settings")
    vc.compute(rep=rep, trigger=CalendarTrigger.SETTINGS, seconds=SECONDS)
    db.session.add(
        CompanySettings(
            company_id=world.company.id,
            version=row.version + 3,
            scoring={**row.scoring, "lead_time_days": 2},
            planning={**row.planning, "delivery_rule": "hard"},
            policies=row.policies,
        )
    )
    db.session.flush()
    assert _stale(rep.id) == (True, "settings")
