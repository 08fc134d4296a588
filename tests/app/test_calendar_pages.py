"""The visit calendar pages: scope, moving, pinning, re-optimising; the regular day shown on
the customer card and the rep's week; the admin's delivery rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    AuditLog,
    CalendarSlot,
    CalendarTrigger,
    CompanySettings,
    Plan,
    PlanStop,
)
from app.services import calendar_requests, company_defaults, company_settings, visit_calendars
from app.services.clock import local_today
from tests.conftest import savepoint_session, shared_data
from tests.factories import make_customer, two_teams
from tests.support.web import csrf_token, login

MON_TO_FRI = {k: [["08:00", "18:00"]] for k in ("mon", "tue", "wed", "thu", "fri")}
TUE_THU = {k: [["08:00", "18:00"]] for k in ("tue", "thu")}


def _url(rep, suffix: str = "") -> str:
    return f"/supervisor/calendario/{rep.id}{suffix}"


def _build_world():
    """Two teams; rep1 has a computed calendar of six customers, rep2 one of one."""
    w = two_teams()
    rep1 = w["rep1"]
    spots = [(-23.54, -46.58), (-23.56, -46.60), (-23.53, -46.62), (-23.57, -46.65)]
    w["weekly"] = make_customer(
        w["company"], rep1, trade_name="Empório Semanal", visit_frequency_days=7
    )
    w["fortnightly"] = make_customer(
        w["company"], rep1, trade_name="Bar Quinzenal", visit_frequency_days=14
    )
    w["tue_thu"] = make_customer(
        w["company"],
        rep1,
        trade_name="Adega Terça e Quinta",
        visit_frequency_days=30,
        opening_hours=TUE_THU,
    )
    for k, (lat, lon) in enumerate(spots):
        make_customer(
            w["company"],
            rep1,
            trade_name=f"Mercado Mensal {k}",
            visit_frequency_days=30,
            latitude=lat,
            longitude=lon,
        )
    w["c_rep1"].visit_frequency_days = 30
    for rep in (rep1, w["rep2"]):
        visit_calendars.compute(rep=rep, trigger=CalendarTrigger.SETUP, seconds=2)
    db.session.flush()
    return w


@pytest.fixture(scope="module")
def shared_world(app):
    """The world with its solved calendars, built once per backend for the module: the tests
    read and change it, each in its own SAVEPOINT (rolled back), so none sees another's."""
    with shared_data(app, _build_world) as shared:
        yield shared


@pytest.fixture
def db_session(app, shared_world):
    """This module's tests start from the shared world; their changes are rolled back."""
    with savepoint_session(app, shared_world) as session:
        yield session


@pytest.fixture
def world(db_session, shared_world):
    """The shared world's rows, loaded in the test's own session."""
    return shared_world.fresh()


def _slot(customer) -> CalendarSlot:
    slot = visit_calendars.slot_for_customer(customer_id=customer.id)
    assert slot is not None
    db.session.refresh(slot)
    return slot


def _move(client, rep, customer, weekday, weeks: str, pin: bool = True):
    token = csrf_token(client, _url(rep, f"?cliente={customer.id}"))
    data = {"csrf_token": token, "customer_id": customer.id, "weekday": weekday, "weeks": weeks}
    if pin:
        data["pin"] = "y"
    return client.post(_url(rep, "/mover"), data=data)


def test_supervisor_sees_the_four_weeks_of_a_team_rep(client, world):
    """Tests the list of calendars (team only) and the grid: weeks, days, figures, customers."""
    login(client, world["sup1"].email)
    listing = client.get("/supervisor/calendario").get_data(as_text=True)
    assert world["rep1"].name in listing
    assert world["rep2"].name not in listing
    page = client.get(_url(world["rep1"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for n in (1, 2, 3, 4):
        assert f"Semana {n}" in html
    assert html.count('class="cal-day ') == 20  # four weeks × Monday to Friday
    assert "Empório Semanal" in html
    assert "Mercado Mensal 3" in html
    assert html.count(">Empório Semanal</a>") == 4  # weekly: once in each week
    assert html.count(">Bar Quinzenal</a>") == 2
    assert re.search(r"\d+,\d km", html)
    assert "visitas" in html
    assert "deslocamento" in html
    assert 'id="cal-data"' in html  # the day maps' points for the script


@pytest.mark.parametrize(
    ("who", "rep", "status"),
    [
        ("sup1", "rep2", 404),  # another team
        ("other_admin", "rep1", 404),  # another company
        ("sup1", "tel1", 404),  # not a field rep
        ("rep1", "rep1", 403),  # reps do not manage calendars
        ("tel1", "rep1", 403),
        ("admin", "rep2", 200),  # the admin sees the whole company
    ],
)
def test_calendar_pages_are_scoped(client, world, who, rep, status):
    """Tests role and ownership on the page and on every action."""
    login(client, world[who].email)
    target = world[rep]
    assert client.get(_url(target)).status_code == status
    if status == 200:
        return
    token = csrf_token(client, "/auth/me")
    customer = world["c_rep2"] if rep == "rep2" else world["weekly"]
    before = (_slot(customer).weekday, _slot(customer).weeks, _slot(customer).pinned)
    for action, data in (
        ("/mover", {"customer_id": customer.id, "weekday": 0, "weeks": "0", "pin": "y"}),
        ("/fixar", {"customer_id": customer.id, "pinned": "1"}),
        ("/reotimizar", {}),
    ):
        response = client.post(_url(target, action), data={"csrf_token": token, **data})
        assert response.status_code == status, action
    assert (_slot(customer).weekday, _slot(customer).weeks, _slot(customer).pinned) == before
    calendar = visit_calendars.calendar_for(rep_id=target.id)
    assert calendar is None or calendar.stale_reason != CalendarTrigger.SUPERVISOR


def test_a_customer_of_another_rep_cannot_be_moved_through_this_rep(client, world):
    """Tests that the customer must be in the rep's field portfolio (404, nothing written)."""
    login(client, world["admin"].email)
    before = _slot(world["c_rep2"]).weekday
    response = _move(client, world["rep1"], world["c_rep2"], 1, "0")
    assert response.status_code == 404
    assert _slot(world["c_rep2"]).weekday == before


def test_move_a_customer_to_another_day_pins_it(client, world):
    """Tests a move: the slot changes, is pinned by the supervisor, and the page says so."""
    login(client, world["sup1"].email)
    customer = world["fortnightly"]
    old = _slot(customer)
    weekday = 3 if old.weekday != 3 else 1
    weeks = "1,3" if old.week_list == (0, 2) else "0,2"
    response = _move(client, world["rep1"], customer, weekday, weeks)
    assert response.status_code == 302
    assert f"cliente={customer.id}" in response.headers["Location"]
    slot = _slot(customer)
    assert (slot.weekday, slot.week_list) == (weekday, tuple(int(w) for w in weeks.split(",")))
    assert slot.pinned
    assert slot.pinned_by_id == world["sup1"].id
    assert slot.moved_by_id == world["sup1"].id
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bar Quinzenal" in html
    assert "fixado" in html
    day_name = ("segunda", "terça", "quarta", "quinta", "sexta")[weekday]
    assert f"{day_name}, semanas " in html


def test_move_without_pin_leaves_it_free(client, world):
    """Tests the pin check box left unticked."""
    login(client, world["sup1"].email)
    customer = world["weekly"]
    weekday = 0 if _slot(customer).weekday != 0 else 4
    assert _move(client, world["rep1"], customer, weekday, "0,1,2,3", pin=False).status_code == 302
    slot = _slot(customer)
    assert slot.weekday == weekday
    assert not slot.pinned


@pytest.mark.parametrize(
    ("weekday", "weeks", "field", "message"),
    [
        (0, "0", "weekday", "fechado"),  # the customer opens on Tuesday and Thursday only
        (1, "0,2", "weeks", "inválida"),  # a monthly customer on two weeks: not offered
        (1, "", "weeks", "semanas"),
        (9, "0", "weekday", None),  # not a choice
    ],
)
def test_refused_move_comes_back_next_to_its_field(client, world, weekday, weeks, field, message):
    """Tests the field-level errors of a refused move (422, nothing written)."""
    login(client, world["sup1"].email)
    customer = world["tue_thu"]
    before = (_slot(customer).weekday, _slot(customer).weeks)
    response = _move(client, world["rep1"], customer, weekday, weeks)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = re.search(rf'<div class="field has-error">\s*<label for="{field}".*?</div>', html, re.S)
    assert block, f"no error next to {field}"
    if message:
        assert message in block.group(0).lower()
    assert (_slot(customer).weekday, _slot(customer).weeks) == before


def test_move_without_csrf_is_refused(client, world):
    """Tests that the move form needs its CSRF token."""
    login(client, world["sup1"].email)
    customer = world["weekly"]
    before = _slot(customer).weekday
    response = client.post(
        _url(world["rep1"], "/mover"),
        data={"customer_id": customer.id, "weekday": (before + 1) % 5, "weeks": "0,1,2,3"},
    )
    assert response.status_code in (400, 422)
    assert _slot(customer).weekday == before


def _pin_form(html: str) -> dict[str, str]:
    """The pin form's fields as the browser sends them (the first value of each name)."""
    form = re.search(r'<form[^>]*class="cal-pin-form".*?</form>', html, re.S)
    assert form, "no pin form on the page"
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            data.setdefault(name.group(1), value.group(1) if value else "")
    return data


def test_pin_and_unpin(client, world):
    """Tests pinning a customer where it is, then freeing it."""
    login(client, world["sup1"].email)
    customer = world["weekly"]
    where = (_slot(customer).weekday, _slot(customer).weeks)
    page = _url(world["rep1"], f"?cliente={customer.id}")
    data = _pin_form(client.get(page).get_data(as_text=True))
    assert data["pinned"] == "1"
    assert data["customer_id"] == str(customer.id)
    assert client.post(_url(world["rep1"], "/fixar"), data=data).status_code == 302
    slot = _slot(customer)
    assert slot.pinned
    assert slot.pinned_by_id == world["sup1"].id
    assert (slot.weekday, slot.weeks) == where
    data = _pin_form(client.get(page).get_data(as_text=True))
    assert data["pinned"] == "0"
    assert client.post(_url(world["rep1"], "/fixar"), data=data).status_code == 302
    slot = _slot(customer)
    assert not slot.pinned
    assert slot.pinned_by_id is None


def test_reoptimise_is_queued_then_keeps_the_pins(client, world):
    """Tests re-optimising: the page queues it (audited), the job solves it and keeps pins."""
    login(client, world["sup1"].email)
    rep = world["rep1"]
    pinned = world["fortnightly"]
    old = _slot(pinned)
    weekday = 4 if old.weekday != 4 else 2
    assert _move(client, rep, pinned, weekday, "1,3").status_code == 302
    token = csrf_token(client, _url(rep))
    response = client.post(_url(rep, "/reotimizar"), data={"csrf_token": token})
    assert response.status_code == 302
    calendar = visit_calendars.calendar_for(rep_id=rep.id)
    db.session.refresh(calendar)
    assert calendar.stale
    assert calendar.stale_reason == CalendarTrigger.SUPERVISOR
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "calendar.reoptimise"))
    assert audit is not None
    assert audit.actor_id == world["sup1"].id
    html = client.get(_url(rep)).get_data(as_text=True)
    assert "data-reoptimise-queued" in html
    assert 'http-equiv="refresh"' in html

    done = calendar_requests.run_requested(seconds=2)
    assert [rep_id for rep_id, _outcome in done] == [rep.id]
    db.session.refresh(calendar)
    assert not calendar.stale
    assert calendar.computed_by_id == world["sup1"].id
    slot = _slot(pinned)
    assert (slot.weekday, slot.week_list, slot.pinned) == (weekday, (1, 3), True)
    assert calendar_requests.run_requested(seconds=2) == []  # nothing left in the queue
    assert "data-reoptimise-queued" not in client.get(_url(rep)).get_data(as_text=True)


def test_reoptimise_of_a_rep_without_calendar_computes_the_first(client, world, db_session):
    """Tests the button on a rep with no calendar yet: a pending calendar, then computed."""
    rep = world["rep1"]
    db.session.delete(visit_calendars.calendar_for(rep_id=rep.id))
    db.session.flush()
    login(client, world["sup1"].email)
    assert "Calcular o calendário" in client.get(_url(rep)).get_data(as_text=True)
    token = csrf_token(client, _url(rep))
    assert client.post(_url(rep, "/reotimizar"), data={"csrf_token": token}).status_code == 302
    calendar_requests.run_requested(seconds=2)
    assert _slot(world["weekly"]).week_list == (0, 1, 2, 3)


def test_customer_card_shows_the_regular_day(client, world):
    """Tests "terça, semanas 1 e 3" on the customer card (field customers)."""
    login(client, world["sup1"].email)
    customer = world["fortnightly"]
    assert _move(client, world["rep1"], customer, 1, "0,2").status_code == 302
    html = client.get(f"/carteira/clientes/{customer.id}").get_data(as_text=True)
    assert re.search(r'id="regular-day">terça, semanas 1 e 3', html)
    weekly = client.get(f"/carteira/clientes/{world['weekly'].id}").get_data(as_text=True)
    assert re.search(r'id="regular-day">tod[ao] \w+', weekly)


def test_rep_week_shows_each_customer_regular_day(client, world):
    """Tests the phone's week view: each planned customer with its regular day."""
    rep, customer = world["rep1"], world["fortnightly"]
    slot = _slot(customer)
    slot.weekday, slot.weeks = 2, 0b0101
    day = local_today() + timedelta(days=1)
    plan = Plan(company_id=rep.company_id, user_id=rep.id, plan_date=day, start_s=28800)
    plan.stops.append(
        PlanStop(seq=1, customer_id=customer.id, arrival_s=30000, start_s=30000, departure_s=31200)
    )
    db.session.add(plan)
    db.session.flush()
    login(client, rep.email)
    html = client.get("/semana").get_data(as_text=True)
    assert "Dia regular: quarta, semanas 1 e 3" in html


def _delivery_post(client, **values):
    token = csrf_token(client, "/admin/configuracoes/")
    data = {f"delivery-{k}": v for k, v in values.items()}
    return client.post("/admin/configuracoes/entrega", data={"delivery-csrf_token": token, **data})


def test_admin_edits_delivery_rule_and_lead_time(client, world):
    """Tests the settings form: a new version with the rule and one lead time everywhere, and
    the company's calendars marked for recomputation."""
    db.session.add(  # a real company starts from version 1 (company create, demo)
        company_defaults.new_settings_row(company_id=world["company"].id, note="v1")
    )
    db.session.flush()
    login(client, world["admin"].email)
    html = client.get("/admin/configuracoes/").get_data(as_text=True)
    assert "Calendário de visitas e entrega" in html
    response = _delivery_post(
        client, nightly_mode="calendar", delivery_rule="hard", lead_time_days="2"
    )
    assert response.status_code == 302
    view = company_settings.get(company_id=world["company"].id)
    assert view.planning.delivery_rule == "hard"
    assert view.planning.nightly_mode == "calendar"
    assert view.planning.lead_time_days == 2
    assert view.scoring.lead_time_days == 2
    calendar = visit_calendars.calendar_for(rep_id=world["rep1"].id)
    db.session.refresh(calendar)
    assert calendar.stale
    assert calendar.stale_reason == CalendarTrigger.SETTINGS
    again = client.get("/admin/configuracoes/").get_data(as_text=True)
    assert re.search(r'<option selected value="hard">|<option value="hard" selected>', again)


@pytest.mark.parametrize(("lead", "message"), [("9", "6"), ("", "obrigatório"), ("x", "")])
def test_refused_lead_time_is_explained_next_to_the_field(client, world, lead, message):
    """Tests a refused lead time: 422, the error next to it, no new version."""
    login(client, world["admin"].email)
    versions = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CompanySettings)
        .where(CompanySettings.company_id == world["company"].id)
    )
    response = _delivery_post(
        client, nightly_mode="score", delivery_rule="preferred", lead_time_days=lead
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = re.search(
        r'<div class="field has-error">\s*<label for="delivery-lead_time_days".*?</div>', html, re.S
    )
    assert block
    assert message in block.group(0)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CompanySettings)
            .where(CompanySettings.company_id == world["company"].id)
        )
        == versions
    )


@pytest.mark.parametrize("who", ["sup1", "rep1"])
def test_only_admins_edit_delivery_rules(client, world, who):
    """Tests the role gate of the delivery form."""
    login(client, world[who].email)
    token = csrf_token(client, "/auth/me")
    response = client.post(
        "/admin/configuracoes/entrega",
        data={
            "delivery-csrf_token": token,
            "delivery-nightly_mode": "score",
            "delivery-delivery_rule": "hard",
            "delivery-lead_time_days": "3",
        },
    )
    assert response.status_code == 403
    assert company_settings.get(company_id=world["company"].id).planning.delivery_rule != "hard"


def test_settings_page_of_an_admin_is_its_company_only(client, world):
    """Tests that saving the delivery rules writes the admin's own company only."""
    login(client, world["other_admin"].email)
    assert (
        _delivery_post(
            client, nightly_mode="calendar", delivery_rule="hard", lead_time_days="3"
        ).status_code
        == 302
    )
    assert company_settings.get(company_id=world["other_company"].id).planning.lead_time_days == 3
    assert company_settings.get(company_id=world["company"].id).planning.lead_time_days != 3


def test_cli_runs_the_requested_calendars(world, runner):
    """Tests `flask jobs run-once calendars` (the scheduler's poll): the queue is emptied."""
    settings = company_defaults.new_settings_row(company_id=world["company"].id, note="v1")
    settings.planning = {**settings.planning, "calendar_seconds": 2}
    db.session.add(settings)
    rep = world["rep1"]
    calendar_requests.request_reoptimise(rep=rep, by=world["sup1"])
    result = runner.invoke(args=["jobs", "run-once", "calendars"])
    assert result.exit_code == 0, result.output
    assert f"calendário do vendedor {rep.id}:" in result.output
    calendar = visit_calendars.calendar_for(rep_id=rep.id)
    db.session.refresh(calendar)
    assert not calendar.stale
    assert calendar_requests.requested() == []


def test_scheduler_polls_the_calendar_queue(app):
    """Tests that the scheduler process runs the calendar queue beside the re-runs."""
    from app.jobs.scheduler import build_scheduler

    ids = {job.id for job in build_scheduler(app).get_jobs()}
    assert {"run_queued", "calendar_requests"} <= ids


def test_admin_sets_the_calendar_budget_and_a_blank_keeps_it(client, world):
    """Tests the calendar budget field: saved as a new version, a blank keeps the value in
    force, and a budget outside 1-600 s is refused next to the field with nothing saved."""
    login(client, world["admin"].email)
    html = client.get("/admin/configuracoes/").get_data(as_text=True)
    assert 'name="delivery-calendar_seconds"' in html
    rules = {"nightly_mode": "calendar", "delivery_rule": "preferred", "lead_time_days": "1"}
    assert _delivery_post(client, **rules, calendar_seconds="45").status_code == 302
    assert company_settings.get(company_id=world["company"].id).planning.calendar_seconds == 45
    blank = {**rules, "lead_time_days": "2", "calendar_seconds": ""}
    assert _delivery_post(client, **blank).status_code == 302
    view = company_settings.get(company_id=world["company"].id)
    assert (view.planning.lead_time_days, view.planning.calendar_seconds) == (2, 45)
    for refused in ("0.5", "601", "x"):
        response = _delivery_post(client, **rules, calendar_seconds=refused)
        assert response.status_code == 422
        block = re.search(
            r'<div class="field has-error">\s*<label for="delivery-calendar_seconds".*?</div>',
            response.get_data(as_text=True),
            re.S,
        )
        assert block, refused
    assert company_settings.get(company_id=world["company"].id).planning.calendar_seconds == 45
