"""A supervisor marks a rep away on his next working day and applies the redistribution.

On the live demo server: the Absences page, the "mark away" form, the proposal (receiving reps
with added km and minutes, calls, what stays unplaced), one line taken out, then "apply"; the
receiving reps' plans of that day hold the covered visits and the removed one is nowhere.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import AbsenceCover, CoverAction, CoverStatus, Plan, PlanStop, Role, User
from app.services import work_calendar
from tests.browser.conftest import browser_login
from tests.support.kpis import ensure_scores

SUPERVISOR = "supervisor1@demo.roteiro.app"
USED_ELSEWHERE = {f"rep{n}@demo.roteiro.app" for n in (1, 3, 4, 6, 7, 8)}


def _password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _absent_rep_and_day(today: date) -> tuple[int, str, date]:
    """A rep of the supervisor's team no other browser test uses, and his next working day."""
    me = db.session.scalar(sa.select(User).where(User.email == SUPERVISOR))
    reps = db.session.scalars(
        sa.select(User)
        .where(User.role == Role.REP, User.team_id == me.team_id, User.active.is_(True))
        .order_by(User.id)
    ).all()
    free = [r for r in reps if r.email not in USED_ELSEWHERE] or list(reps)
    rep = free[-1]
    calendar = work_calendar.load(company_id=rep.company_id, since=today)
    day = today + timedelta(days=1)
    while not calendar.works(rep, day):
        day += timedelta(days=1)
    return rep.id, rep.name, day


def _cover(rep_id: int, day: date) -> dict[str, object] | None:
    cover = db.session.scalar(
        sa.select(AbsenceCover)
        .where(AbsenceCover.absent_user_id == rep_id, AbsenceCover.day == day)
        .order_by(AbsenceCover.id.desc())
    )
    if cover is None:
        return None
    visits = {
        ln.customer_id: ln.receiver_id for ln in cover.lines if ln.action == CoverAction.VISIT
    }
    removed = [ln.customer_id for ln in cover.lines if ln.action == CoverAction.REMOVED]
    planned = {
        (plan_user, cid)
        for plan_user, cid in db.session.execute(
            sa.select(Plan.user_id, PlanStop.customer_id)
            .join(PlanStop, PlanStop.plan_id == Plan.id)
            .where(Plan.plan_date == day)
        )
    }
    return {"status": cover.status, "visits": visits, "removed": removed, "planned": planned}


@pytest.fixture(scope="module")
def scored(live_server):  # type: ignore[no-untyped-def]
    return live_server.run(ensure_scores, live_server.today)


def test_mark_a_rep_away_and_apply_the_redistribution(desk_page, live_server, scored):
    page = desk_page
    rep_id, rep_name, day = live_server.run(_absent_rep_and_day, live_server.today)
    browser_login(page, SUPERVISOR, _password())
    page.get_by_role("link", name="Ausências").click()
    expect(page.locator("h1")).to_have_text("Ausências")

    form = page.locator("[data-away-form]")
    form.get_by_label("Representante").select_option(label=rep_name)
    form.get_by_label("Primeiro dia").fill(day.isoformat())
    form.get_by_label("Último dia").fill(day.isoformat())
    form.get_by_label("Tipo").select_option(label="Licença médica")
    form.get_by_role("button", name="Marcar ausência").click()
    expect(page.locator(".flashes")).to_contain_text(rep_name)

    row = page.locator(f'[data-absent-day="{day.isoformat()}"][data-rep="{rep_id}"]')
    expect(row).to_be_visible()
    row.get_by_label("Outras visitas urgentes").fill("4")
    row.get_by_role("button", name="Propor cobertura").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text(f"Cobertura de {rep_name}")
    expect(page.locator("[data-cover-status=proposed]")).to_be_visible()
    receivers = page.locator("[data-receiver]")
    expect(receivers.first).to_be_visible()
    expect(receivers.first.locator("[data-added]")).to_contain_text(re.compile(r"\+.*km"))

    # take one visit out of the proposal before applying it
    line = page.locator("[data-action=visit]").first
    customer_id = int(line.get_attribute("data-line") or 0)
    line.locator("select").select_option(label="Retirar da proposta")
    line.get_by_role("button", name="Reatribuir").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(f'[data-line="{customer_id}"][data-action=removed]')).to_be_visible()

    page.get_by_role("button", name="Aplicar a cobertura").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-cover-status=applied]")).to_be_visible()
    expect(page.locator("[data-apply]")).to_have_count(0)

    state = live_server.run(_cover, rep_id, day)
    assert state is not None
    assert state["status"] == CoverStatus.APPLIED
    assert state["removed"] == [customer_id]
    assert state["visits"]
    for cid, receiver in state["visits"].items():  # type: ignore[union-attr]
        assert (receiver, cid) in state["planned"]  # type: ignore[operator]
    assert all(cid != customer_id for _, cid in state["planned"])  # type: ignore[union-attr]


def _time_off_rep(today: date) -> tuple[int, str, date]:
    """Another free rep of the supervisor's team than the cover test's, and a working day of his
    a week or more ahead (clear of the cover test's day)."""
    me = db.session.scalar(sa.select(User).where(User.email == SUPERVISOR))
    reps = db.session.scalars(
        sa.select(User)
        .where(User.role == Role.REP, User.team_id == me.team_id, User.active.is_(True))
        .order_by(User.id)
    ).all()
    free = [r for r in reps if r.email not in USED_ELSEWHERE] or list(reps)
    rep = free[0] if len(free) > 1 else reps[0]
    calendar = work_calendar.load(company_id=rep.company_id, since=today)
    day = today + timedelta(days=8)
    while not calendar.works(rep, day):
        day += timedelta(days=1)
    return rep.id, rep.name, day


def _time_off_of(rep_id: int) -> list[tuple[date, date]]:
    from app.models import TimeOff

    return [
        (t.first_day, t.last_day)
        for t in db.session.scalars(sa.select(TimeOff).where(TimeOff.user_id == rep_id))
    ]


def test_change_and_remove_a_reps_time_off(desk_page, live_server):
    """Tests marking a rep away, changing the range (a refused range shows next to its field),
    then removing it after the confirmation page, in Portuguese."""
    page = desk_page
    rep_id, rep_name, day = live_server.run(_time_off_rep, live_server.today)
    browser_login(page, SUPERVISOR, _password())
    page.goto(f"{live_server.url}/supervisor/ausencias/")
    form = page.locator("[data-away-form]")
    form.get_by_label("Representante").select_option(label=rep_name)
    form.get_by_label("Primeiro dia").fill(day.isoformat())
    form.get_by_label("Último dia").fill(day.isoformat())
    form.get_by_role("button", name="Marcar ausência").click()
    row = page.locator("[data-time-off-list] tr", has_text=rep_name).first
    expect(row).to_be_visible()

    row.get_by_role("link", name="Editar").click()
    expect(page.locator("h1")).to_contain_text(f"Alterar ausência · {rep_name}")
    edit = page.locator("[data-time-off-form]")
    edit.get_by_label("Último dia").fill((day - timedelta(days=1)).isoformat())
    edit.get_by_role("button", name="Salvar a ausência").click()
    expect(page.locator(".field-error")).to_be_visible()
    edit = page.locator("[data-time-off-form]")
    edit.get_by_label("Último dia").fill((day + timedelta(days=2)).isoformat())
    edit.get_by_role("button", name="Salvar a ausência").click()
    expect(page.locator(".flashes")).to_contain_text("alterada")
    assert (day, day + timedelta(days=2)) in live_server.run(_time_off_of, rep_id)

    row = page.locator("[data-time-off-list] tr", has_text=rep_name).first
    row.get_by_role("link", name="Remover").click()
    expect(page.locator("[data-remove-confirm]")).to_contain_text("dias de trabalho")
    page.get_by_role("button", name="Remover a ausência").click()
    expect(page.locator(".flashes")).to_contain_text("removida")
    assert (day, day + timedelta(days=2)) not in live_server.run(_time_off_of, rep_id)
