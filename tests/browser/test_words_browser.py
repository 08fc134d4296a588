"""The words that were wrong while seven catalogues were merged into one domain, read in a real
browser: the dashboard counts visits as "Planejadas / Visitadas / Puladas" with the "Valor dos
pedidos", and a rep's line on the runs page says "Planejado" (docs/i18n.md, contexts)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import PlanningRun, PlanningRunRep, Role, RunStatus, User, utcnow
from tests.browser.conftest import browser_login

ADMIN = "admin@demo.roteiro.app"


def _password() -> str:
    from app.demo.people import DEMO_PASSWORD

    return DEMO_PASSWORD


def _a_planned_rep(day) -> str:  # type: ignore[no-untyped-def]
    """A run of ``day`` in which the first demo rep was planned; the rep's name."""
    rep = db.session.scalar(sa.select(User).where(User.role == Role.REP).order_by(User.id))
    started = utcnow() - timedelta(minutes=3)
    run = PlanningRun(
        company_id=rep.company_id,
        plan_date=day + timedelta(days=30),
        status=RunStatus.SUCCEEDED,
        started_at=started,
        finished_at=started + timedelta(seconds=20),
        counts={"reps_planned": 1, "stops": 9},
    )
    db.session.add(run)
    db.session.flush()
    db.session.add(
        PlanningRunRep(run_id=run.id, user_id=rep.id, status="planned", stops=9, duration_ms=300)
    )
    return str(rep.name)


def test_dashboard_and_runs_page_say_the_right_word(desk_page, live_server):  # type: ignore[no-untyped-def]
    """Tests the plan-versus-done column headers and a planned rep's status, in pt-BR."""
    page = desk_page
    browser_login(page, ADMIN, _password())
    page.goto("/supervisor/")
    table = page.locator("section[aria-labelledby=pvd-h] table")
    headers = table.get_by_role("columnheader")
    for word in ("Planejadas", "Visitadas", "Puladas", "Valor dos pedidos"):
        expect(headers.filter(has_text=re.compile(f"^{word}$"))).to_have_count(1)
    expect(headers.filter(has_text=re.compile("^Pulado$"))).to_have_count(0)

    rep_name = live_server.run(_a_planned_rep, live_server.today)
    page.goto("/planejamentos/")
    day = (live_server.today + timedelta(days=30)).strftime("%d/%m/%Y")
    run = page.locator("li.run-row").filter(has_text=day)
    run.locator("summary").click()
    line = run.get_by_role("row").filter(has_text=rep_name)
    expect(line).to_contain_text("Planejado")
    expect(line).not_to_contain_text("Planejadas")
