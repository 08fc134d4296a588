"""The calendar: national and state holidays, company days off, time off and working weekdays."""

from __future__ import annotations

from datetime import date

import flask_babel
import pytest

from app.models import TimeOffKind
from app.services import companies, people, work_calendar
from app.services.work_calendar import DayOff, OffReason
from tests.support.scratch import MON_FRI, MON_SAT, rep_profile, scratch_company

CHRISTMAS = date(2026, 12, 25)
SP_REVOLUTION = date(2026, 7, 9)  # state holiday of São Paulo only
SATURDAY = date(2026, 12, 5)
MONDAY = date(2026, 12, 7)


def test_national_and_state_holidays_follow_the_company_state() -> None:
    """Tests that 9 July is a holiday in SP and not in RJ, and Christmas everywhere."""
    assert work_calendar.holiday(CHRISTMAS, "RJ", "pt_BR") == (OffReason.NATIONAL_HOLIDAY, "Natal")
    assert work_calendar.holiday(SP_REVOLUTION, "SP", "pt_BR") == (
        OffReason.STATE_HOLIDAY,
        "Revolução Constitucionalista",
    )
    assert work_calendar.holiday(SP_REVOLUTION, "RJ", "pt_BR") is None
    assert work_calendar.holiday(date(2026, 4, 23), "RJ", "pt_BR") == (
        OffReason.STATE_HOLIDAY,
        "São Jorge",
    )
    assert "SP" in work_calendar.states()
    assert all(len(s) == 2 for s in work_calendar.states())


@pytest.mark.parametrize(
    "code",
    [
        "national_holiday:2026-12-25:",
        "state_holiday:2026-07-09:SP",
        "company_day_off:2026-12-08:Dia da cidade: feriado",
        "time_off:2026-12-09:vacation",
        "not_a_working_weekday:2026-12-05:",
    ],
)
def test_day_off_codes_read_back(code: str) -> None:
    """Tests that a stored reason code reads back to the same reason (names may hold colons)."""
    day_off = DayOff.from_code(code)
    assert day_off is not None
    assert day_off.code == code
    assert DayOff.from_code("missing_work_profile") is None


def test_why_off_names_every_reason(app, db_session) -> None:
    """Tests the reasons in their order: holiday, state holiday, company day off, time
    off, weekday."""
    world = scratch_company(reps={"semana": MON_FRI, "sabado": MON_SAT})
    weekday, saturday = world.reps["semana"], world.reps["sabado"]
    companies.add_day_off(
        actor=world.admin,
        company_id=world.company.id,
        first_day=date(2026, 12, 8),
        last_day=None,
        name="Aniversário da cidade",
    )
    people.add_time_off(
        actor=world.admin,
        user=weekday,
        first_day=date(2026, 12, 9),
        last_day=date(2026, 12, 11),
        kind=TimeOffKind.SICK_LEAVE,
    )
    calendar = work_calendar.load(company_id=world.company.id, since=date(2026, 7, 1))
    with app.test_request_context(headers={"Accept-Language": "pt-BR"}):
        assert calendar.why_off(weekday, CHRISTMAS).label() == "Feriado: Natal"
        assert calendar.why_off(weekday, SP_REVOLUTION).reason == OffReason.STATE_HOLIDAY
        assert (
            calendar.why_off(weekday, date(2026, 12, 8)).label()
            == "Folga da empresa: Aniversário da cidade"
        )
        assert calendar.why_off(weekday, date(2026, 12, 10)).label() == "Licença médica"
        assert calendar.why_off(saturday, date(2026, 12, 10)) is None
        assert calendar.why_off(weekday, SATURDAY).label() == "Folga semanal (sábado)"
        assert calendar.why_off(saturday, SATURDAY) is None
        assert (
            calendar.why_off(saturday, date(2026, 12, 6)).reason == OffReason.NOT_A_WORKING_WEEKDAY
        )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        flask_babel.refresh()  # the test's app context cached the Portuguese locale
        assert calendar.why_off(weekday, CHRISTMAS).label() == "Holiday: Christmas Day"
        assert calendar.why_off(weekday, SATURDAY).label() == "Weekly day off (Saturday)"
    assert work_calendar.why_not_working(weekday, date(2026, 12, 9)).reason == OffReason.TIME_OFF
    assert work_calendar.why_not_working(weekday, MONDAY) is None
    assert calendar.working_days_after(weekday, date(2026, 12, 7), 3) == [
        date(2026, 12, 14),
        date(2026, 12, 15),
        date(2026, 12, 16),
    ]
    assert calendar.working_days_after(saturday, date(2026, 12, 7), 3) == [
        date(2026, 12, 9),
        date(2026, 12, 10),
        date(2026, 12, 11),
    ]


def test_next_planning_day_skips_days_nobody_works(app, db_session) -> None:
    """Tests that Saturday is a planning day when one rep works it, and Sunday or a
    holiday are not."""
    world = scratch_company(reps={"semana": MON_FRI, "sabado": MON_SAT})
    company_id = world.company.id
    assert work_calendar.next_planning_day(company_id=company_id, today=SATURDAY) == SATURDAY
    assert work_calendar.next_planning_day(company_id=company_id, today=date(2026, 12, 6)) == MONDAY
    assert work_calendar.next_planning_day(company_id=company_id, today=CHRISTMAS) == date(
        2026, 12, 26
    )
    people.update_work_profile(
        actor=world.admin, user=world.reps["sabado"], values=rep_profile(MON_FRI)
    )
    assert work_calendar.next_planning_day(company_id=company_id, today=SATURDAY) == MONDAY
    assert work_calendar.next_planning_day(company_id=company_id, today=CHRISTMAS) == date(
        2026, 12, 28
    )
