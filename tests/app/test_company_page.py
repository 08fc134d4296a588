"""The company page: state (its holidays) and the company's own days off, by an administrator."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, CompanyDayOff
from tests.support.scratch import MON_FRI, scratch_company
from tests.support.web import login, post_form

PAGE = "/admin/empresa/"


def test_admin_sets_state_and_days_off(client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests the state change, adding a range and an optional day, refusing a bad range,
    and removing."""
    world = scratch_company(state="SP", reps={"a": MON_FRI}, customers=1)
    login(client, world.admin.email)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Revolução Constitucionalista" in html or "Natal" in html
    assert (
        post_form(client, PAGE, {"name": "Atacado Renomeado", "state": "RJ"}, page=PAGE).status_code
        == 302
    )
    db.session.refresh(world.company)
    assert (world.company.name, world.company.state) == ("Atacado Renomeado", "RJ")
    assert "(estadual: RJ)" in client.get(PAGE).get_data(as_text=True)
    added = post_form(
        client,
        f"{PAGE}folgas",
        {
            "day_off-name": "Férias coletivas",
            "day_off-first_day": "2099-12-26",
            "day_off-last_day": "2099-12-31",
        },
        page=PAGE,
    )
    assert added.status_code == 302
    reversed_range = post_form(
        client,
        f"{PAGE}folgas",
        {
            "day_off-name": "Errada",
            "day_off-first_day": "2099-05-10",
            "day_off-last_day": "2099-05-01",
        },
        page=PAGE,
    )
    text = reversed_range.get_data(as_text=True)
    assert "O último dia é anterior ao primeiro." in text
    assert 'value="Atacado Renomeado"' in text, "the other form keeps its stored values"
    page = client.get(PAGE).get_data(as_text=True)
    optional = re.search(
        r'name="day_off-name" value="([^"]+)"><input type="hidden" name="day_off-first_day" '
        r'value="([^"]+)"',
        page,
    )
    assert optional is not None, "optional observances are offered"
    post_form(
        client,
        f"{PAGE}folgas",
        {"day_off-name": optional.group(1), "day_off-first_day": optional.group(2)},
        page=PAGE,
    )
    rows = list(
        db.session.scalars(
            sa.select(CompanyDayOff)
            .where(CompanyDayOff.company_id == world.company.id)
            .order_by(CompanyDayOff.first_day)
        )
    )
    assert [(r.name, r.last_day - r.first_day) for r in rows][-1] == (
        "Férias coletivas",
        date(2099, 12, 31) - date(2099, 12, 26),
    )
    assert rows[0].name == optional.group(1)
    post_form(client, f"{PAGE}folgas/{rows[-1].id}/remover", {}, page=PAGE)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(CompanyDayOff.id)).where(
                CompanyDayOff.company_id == world.company.id
            )
        )
        == 1
    )
    actions = set(
        db.session.scalars(
            sa.select(AuditLog.action).where(AuditLog.company_id == world.company.id)
        )
    )
    assert {"company.update", "company.day_off.add", "company.day_off.remove"} <= actions
