"""The demo data set: deterministic, complete, plausible and internally consistent."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.demo import geography, history, loader, names, stats
from app.demo.people import DEMO_PASSWORD, REPS_PER_TEAM, TEAM_NAMES
from app.extensions import db
from app.models import (
    WEEKDAY_KEYS,
    Channel,
    CompanySettings,
    Contact,
    ContactKind,
    Customer,
    Order,
    OrderLine,
    Outcome,
    Receivable,
    Role,
    User,
    WorkProfile,
)
from app.services import accounts
from app.services.clock import local_today
from optimizer.scoring import ScoringSettings

SMALL = 120
FIXED_TODAY = date(2026, 3, 2)  # the Monday after Carnaval week: a day with edge cases nearby
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@pytest.fixture
def demo(db_session):
    """A small demo company dated relative to the real today, without its visit calendars
    (CP-SAT's budget for them is most of a load's time; the one test of them asks for them)."""
    return loader.load(seed=42, customer_count=SMALL, calendars=False)


@pytest.fixture
def demo_with_calendars(db_session):
    """The same company as `demo`, with every rep's visit calendar computed as `flask demo
    load` does."""
    return loader.load(seed=42, customer_count=SMALL)


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def test_people_profiles_and_settings(db_session):
    """Tests the staff (roles, logins, teams, work profiles) and settings version 1."""
    demo = loader.load(seed=42, customer_count=10)
    _check_roles_and_logins(demo)
    _check_work_profiles(demo)
    _check_settings(demo)


def test_customers_and_their_history(demo):
    """Tests customers, orders, receivables and contacts of one small load."""
    _check_customers(demo)
    _check_owners_match_channels(demo)
    _check_order_totals(demo)
    _check_dates_relative_to_today(demo)
    _check_behaviours(demo)
    _check_contacts(demo)


def _check_roles_and_logins(demo):
    """1 admin, 2 supervisors, 8 reps and 2 telesales seats, who all sign in."""
    users = db.session.scalars(sa.select(User).where(User.company_id == demo.company_id)).all()
    roles = sorted(u.role.value for u in users)
    assert roles.count("admin") == 1
    assert roles.count("supervisor") == len(TEAM_NAMES)
    assert roles.count("rep") == len(TEAM_NAMES) * REPS_PER_TEAM
    assert roles.count("telesales") == len(TEAM_NAMES)
    assert accounts.password_problems(DEMO_PASSWORD) == []
    for login in demo.logins:
        assert accounts.authenticate(email=login.email, password=DEMO_PASSWORD) is not None
    for team_id in {u.team_id for u in users if u.role != Role.ADMIN}:
        assert {u.role for u in users if u.team_id == team_id} == {
            Role.SUPERVISOR,
            Role.REP,
            Role.TELESALES,
        }


def _check_work_profiles(demo):
    """Each field rep has a Mon-Fri (or Sat) 08-18 profile starting inside Greater São Paulo."""
    profiles = db.session.scalars(
        sa.select(WorkProfile).join(User).where(User.company_id == demo.company_id)
    ).all()
    assert len(profiles) == len(TEAM_NAMES) * REPS_PER_TEAM
    assert all(p.user.role == Role.REP for p in profiles)
    for profile in profiles:
        assert geography.in_greater_sp(profile.start_lat, profile.start_lon)
        assert profile.working_weekdays & 0b0011111 == 0b0011111
        assert profile.lunch_minutes == 60
        assert profile.max_working_minutes == 540


def _check_customers(demo):
    """Every customer has a position, opening hours, a valid CNPJ and an owner."""
    customers = db.session.scalars(
        sa.select(Customer).where(Customer.company_id == demo.company_id)
    ).all()
    assert len(customers) == SMALL
    for customer in customers:
        assert geography.in_greater_sp(customer.latitude, customer.longitude)
        assert set(customer.opening_hours) == set(WEEKDAY_KEYS)
        intervals = [pair for day in customer.opening_hours.values() for pair in day]
        assert intervals
        assert all(HHMM.match(a) and HHMM.match(b) and a < b for a, b in intervals)
        assert names.cnpj_is_valid(customer.tax_id)
        assert re.fullmatch(r"\d{5}-\d{3}", customer.postal_code)
        assert customer.visit_frequency_days in (7, 14, 28)
        assert customer.owner_id is not None
        assert customer.delivery_weekdays > 0
        assert customer.credit_limit > 0
    telesales = sum(c.channel == Channel.TELESALES for c in customers)
    assert 0.04 * SMALL <= telesales <= 0.25 * SMALL


def _check_owners_match_channels(demo):
    """Telesales customers belong to a telesales seat and field ones to a rep."""
    rows = db.session.execute(
        sa.select(Customer.channel, User.role)
        .join(User, User.id == Customer.owner_id)
        .where(Customer.company_id == demo.company_id)
    ).all()
    assert {(channel, role) for channel, role in rows} <= {
        (Channel.FIELD, Role.REP),
        (Channel.TELESALES, Role.TELESALES),
    }


def _check_order_totals(demo):
    """Each order's total is the sum of its lines and its invoice's amount."""
    line_sums = (
        sa.select(OrderLine.order_id, sa.func.sum(OrderLine.total).label("lines"))
        .group_by(OrderLine.order_id)
        .subquery()
    )
    mismatched = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Order)
        .join(line_sums, line_sums.c.order_id == Order.id)
        .where(
            Order.company_id == demo.company_id,
            sa.func.abs(Order.total - line_sums.c.lines) > 0.001,
        )
    )
    assert mismatched == 0
    orders = _count(Order, Order.company_id == demo.company_id)
    assert orders == demo.rows["orders"] > SMALL * 10
    assert _count(Receivable, Receivable.company_id == demo.company_id) == orders
    assert db.session.scalar(
        sa.select(sa.func.sum(Order.total)).where(Order.company_id == demo.company_id)
    ) == db.session.scalar(
        sa.select(sa.func.sum(Receivable.amount)).where(Receivable.company_id == demo.company_id)
    )


def _check_dates_relative_to_today(demo):
    """Orders span about 18 months up to yesterday and contacts the last 90 days."""
    today = local_today()
    first, last = db.session.execute(
        sa.select(sa.func.min(Order.order_date), sa.func.max(Order.order_date)).where(
            Order.company_id == demo.company_id
        )
    ).one()
    assert today - timedelta(days=history.HISTORY_DAYS) <= first < today - timedelta(days=500)
    assert today - timedelta(days=7) <= last < today
    c_first, c_last = db.session.execute(
        sa.select(sa.func.min(Contact.contact_date), sa.func.max(Contact.contact_date)).where(
            Contact.company_id == demo.company_id
        )
    ).one()
    assert today - timedelta(days=92) <= c_first
    assert c_last < today


def _check_behaviours(demo):
    """The behaviours the product must find are present in a small demo."""
    figures = stats.compute(company_id=demo.company_id, today=demo.today)
    assert figures.customers == SMALL
    assert figures.lapsing > 0
    assert figures.lost > 0
    assert 0 < figures.overdue_customers < SMALL * 0.3
    assert figures.overdue_amount > 0
    assert figures.visits > 0
    assert figures.calls > 0
    assert 0 < figures.service_gaps < SMALL * 0.5
    first_orders = (
        sa.select(sa.func.min(Order.order_date).label("first"))
        .where(Order.company_id == demo.company_id)
        .group_by(Order.customer_id)
        .subquery()
    )
    new = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(first_orders)
        .where(first_orders.c.first >= demo.today - timedelta(days=60))
    )
    assert new > 0


def _check_contacts(demo):
    """Order contacts carry the order value and no-sale ones a known reason."""
    company = demo.company_id
    linked = db.session.execute(
        sa.select(Contact.order_value, Order.total, Contact.contact_date, Order.order_date)
        .join(Order, Order.contact_id == Contact.id)
        .where(Contact.company_id == company)
    ).all()
    assert linked
    assert all(value == total and day == order_day for value, total, day, order_day in linked)
    settings = db.session.scalar(
        sa.select(CompanySettings).where(CompanySettings.company_id == company)
    )
    reasons = {r["key"] for r in settings.planning["no_sale_reasons"]}
    used = set(
        db.session.scalars(
            sa.select(Contact.no_sale_reason).where(
                Contact.company_id == company, Contact.outcome == Outcome.NO_SALE
            )
        )
    )
    assert used
    assert used <= reasons
    visits = db.session.scalars(
        sa.select(Contact).where(Contact.company_id == company, Contact.kind == ContactKind.VISIT)
    ).all()
    made = [v for v in visits if v.outcome != Outcome.SKIPPED]
    assert all(v.check_in_at < v.check_out_at and v.check_in_distance_m is not None for v in made)
    assert all(v.check_in_flagged == (v.check_in_distance_m > 300) for v in made)
    # A stop the rep skipped is recorded as the phone records it: no check-in, a reason.
    skipped = [v for v in visits if v.outcome == Outcome.SKIPPED]
    assert skipped
    assert all(v.check_in_at is None and v.no_sale_reason in reasons for v in skipped)
    assert all(v.plan_stop_id is not None and v.planned for v in skipped)


def _check_settings(demo):
    """The stored scoring settings round-trip and agree with the policies."""
    settings = db.session.scalar(
        sa.select(CompanySettings).where(CompanySettings.company_id == demo.company_id)
    )
    assert settings.version == 1
    scoring = ScoringSettings.from_dict(settings.scoring)
    assert scoring.collection_policy == settings.policies["collection_policy"] == "collect_only"
    assert scoring.overdue_tolerance_days == settings.policies["overdue_tolerance_days"] == 5
    assert settings.planning["check_in_radius_m"] == 300
    assert settings.planning["osrm_url"] is None


def test_same_seed_gives_the_same_data(db_session):
    """Tests that loading twice with one seed and day yields identical rows; another
    seed differs."""
    prints = []
    for seed in (7, 7, 8):
        # The fingerprint covers the company's data, not the calendars solved from it.
        result = loader.load(seed=seed, today=FIXED_TODAY, customer_count=60, calendars=False)
        db.session.flush()
        prints.append(stats.fingerprint(company_id=result.company_id))
        db.session.rollback()
    assert prints[0] == prints[1] != prints[2]


def test_cli_loads_once_and_prints_logins_and_figures(runner):
    """Tests that `demo load` prints the logins and figures and `--if-empty` leaves data alone."""
    args = ["demo", "load", "--customers", "40", "--seed", "3", "--today", "2026-01-15"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "rep1@demo.roteiro.app" in first.output
    assert DEMO_PASSWORD in first.output
    assert "Clientes: 40" in first.output
    assert "Representante" in first.output  # the role, in the command line's language
    again = runner.invoke(args=[*args, "--if-empty"])
    assert again.exit_code == 0
    assert "já carregados" in again.output
    assert runner.invoke(args=args).exit_code != 0
    shown = runner.invoke(args=["demo", "stats", "--today", "2026-01-15"])
    assert shown.exit_code == 0
    assert "Clientes: 40" in shown.output


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([], None),
        ([date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 21)], None),
        ([date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 21)], "lapsing"),
        ([date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 21)], "lost"),
    ],
)
def test_classify_uses_the_customers_own_cycle(days, expected):
    """Tests the lapse classification: 1.5x the median gap lapses, 4x is lost."""
    today = {None: date(2026, 1, 30), "lapsing": date(2026, 2, 8), "lost": date(2026, 3, 5)}[
        expected
    ]
    assert stats.classify(days, today) == expected


def test_order_days_avoid_sundays_holidays_and_closed_days():
    """Tests that moved order days are working days on which the shop opens, and before today."""
    rng = random.Random(1)
    hours = {
        "mon": [],
        "tue": [["11:00", "23:00"]],
        "wed": [["11:00", "23:00"]],
        "thu": [["11:00", "23:00"]],
        "fri": [["11:00", "23:00"]],
        "sat": [["11:00", "23:00"]],
        "sun": [["11:00", "20:00"]],
    }

    plan = SimpleNamespace(row={"opening_hours": hours}, telesales=False, works_saturday=False)

    today = date(2026, 12, 28)
    for _ in range(300):
        day = today - timedelta(days=rng.randint(0, 400))
        moved = history.open_day(plan, day, before=today)  # type: ignore[arg-type]
        assert moved < today
        assert moved.weekday() in (1, 2, 3, 4)
        assert moved not in (date(2025, 12, 25), date(2026, 1, 1))


def test_cnpj_check_digits():
    """Tests the CNPJ generator against the check-digit rule and a known valid number."""
    rng = random.Random(5)
    assert all(names.cnpj_is_valid(names.cnpj(rng)) for _ in range(200))
    assert names.cnpj_is_valid("11.222.333/0001-81")
    assert not names.cnpj_is_valid("11.222.333/0001-82")


def test_territories_cover_every_neighbourhood_once():
    """Tests that the eight territories partition the bundled neighbourhood table."""
    assigned = [name for territory in geography.TERRITORIES for name in territory]
    assert sorted(assigned) == sorted(n.name for n in geography.neighbourhoods())
    assert set(geography.DELIVERY_WEEKDAYS) == {n.zone for n in geography.neighbourhoods()}
    assert sum(geography.allocate(2500, [n.weight for n in geography.neighbourhoods()])) == 2500


def test_demo_runs_in_calendar_mode_with_a_regular_day_for_everyone(demo_with_calendars):
    """Tests that the demo plans in calendar mode and every field customer of every rep has
    its regular day in a stored, solved calendar (pins none, conflicts listed if any)."""
    demo = demo_with_calendars
    from app.models import CalendarSlot, CalendarStatus, Channel, Customer, VisitCalendar
    from app.services import company_settings
    from app.services import visit_calendars as vc

    settings = company_settings.get(company_id=demo.company_id)
    assert settings.planning.nightly_mode == "calendar"
    calendars = db.session.scalars(
        sa.select(VisitCalendar).where(VisitCalendar.company_id == demo.company_id)
    ).all()
    assert calendars
    for calendar in calendars:
        assert calendar.status in (CalendarStatus.OPTIMAL, CalendarStatus.FEASIBLE)
        assert not calendar.stale
        field = set(
            db.session.scalars(
                sa.select(Customer.id).where(
                    Customer.owner_id == calendar.user_id,
                    Customer.active.is_(True),
                    Customer.channel == Channel.FIELD,
                    Customer.latitude.is_not(None),
                )
            )
        )
        slotted = {
            s.customer_id
            for s in db.session.scalars(
                sa.select(CalendarSlot).where(CalendarSlot.calendar_id == calendar.id)
            )
        }
        left_out = {c["customer_id"] for c in calendar.conflicts}
        assert slotted | left_out == field
        assert not slotted & left_out
    assert demo.rows["calendar_slots"] == sum(len(c.slots) for c in calendars)
    slot = calendars[0].slots[0]
    assert vc.describe_slot(slot)
