"""An admin asks for a re-run on the runs page in a real browser: the page shows it queued
(and refreshes itself) until the scheduler's queue job plans it, then shows it done."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.jobs.executors import InlineExecutor
from app.jobs.reruns import run_queued
from app.models import Plan, PlanningRun, RunStatus
from tests.browser.conftest import browser_login
from tests.factories import PASSWORD
from tests.support.planning import planning_world

MONDAY = date(2026, 11, 23)


def _world() -> tuple[str, int]:
    world = planning_world(reps=2, customers=5, day=MONDAY)
    assert world.admin is not None
    return world.admin.email, world.company.id


def _runs(company_id: int) -> list[tuple[RunStatus, str]]:
    rows = db.session.execute(
        sa.select(PlanningRun.status, PlanningRun.trigger).where(
            PlanningRun.company_id == company_id
        )
    ).all()
    return [(status, trigger) for status, trigger in rows]


def _plans(company_id: int) -> int:
    query = sa.select(sa.func.count(Plan.id)).where(
        Plan.company_id == company_id, Plan.plan_date == MONDAY
    )
    return int(db.session.scalar(query) or 0)


def test_rerun_is_queued_then_shown_done(desk_page, live_server) -> None:  # type: ignore[no-untyped-def]
    """Tests the re-run button end to end: queued (nothing planned by the web server), the
    queue job plans it, the page shows it done."""
    page = desk_page
    admin_email, company_id = live_server.run(_world)
    browser_login(page, admin_email, PASSWORD)

    page.goto("/planejamentos/")
    page.get_by_label("Data a planejar").fill(MONDAY.isoformat())
    page.get_by_role("button", name="Replanejar").click()
    expect(page.locator(".flash-success")).to_contain_text("na fila")
    row = page.locator(".run-row").first
    expect(row).to_contain_text("Na fila")
    expect(row).to_contain_text("aguardando o agendador")
    expect(row).not_to_contain_text("planejado")
    expect(page.get_by_role("button", name="Replanejar")).to_be_disabled()
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    assert live_server.run(_runs, company_id) == [(RunStatus.QUEUED, "manual")]
    assert live_server.run(_plans, company_id) == 0, "the web server planned"
    page.screenshot(path="/tmp/13b-runs-queued.png", full_page=True)

    (summary,) = live_server.run(run_queued, executor=InlineExecutor())
    assert summary.status == RunStatus.SUCCEEDED, summary.counts

    page.reload()
    row = page.locator(".run-row").first
    expect(row).to_contain_text("Concluído")
    expect(row).to_contain_text("2 representantes planejados")
    expect(page.get_by_role("button", name="Replanejar")).to_be_enabled()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    assert live_server.run(_plans, company_id) == 2
    page.screenshot(path="/tmp/13b-runs-page.png", full_page=True)
