"""Customer edit page: opening hours and delivery days with the import grammar, in
scope, never lost."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, Channel, Role
from app.services.opening_hours import format_opening_hours
from tests.factories import make_customer, make_team, make_user, two_teams
from tests.support.scratch import MON_FRI, scratch_company
from tests.support.web import csrf_from, login

# Three intervals on Monday: the grammar cannot write it back, so an untouched save must keep it.
LEGACY_HOURS = {"mon": [["07:00", "09:00"], ["10:00", "12:00"], ["14:00", "18:00"]]}


def _form(client, customer_id: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The edit form as the browser would send it untouched (every field with its shown value)."""
    import re

    html = client.get(f"/carteira/clientes/{customer_id}/editar").get_data(as_text=True)
    data: dict[str, object] = {"csrf_token": csrf_from(html)}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html):
        if name in ("delivery_weekdays", "csrf_token"):
            continue
        data[name] = value.replace("&#34;", '"').replace("&amp;", "&")
    data["delivery_weekdays"] = re.findall(
        r'name="delivery_weekdays"[^>]*value="(\d)"[^>]*checked', html
    ) or re.findall(r'checked[^>]*name="delivery_weekdays"[^>]*value="(\d)"', html)
    for name in ("channel", "owner_id"):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
        data[name] = (
            re.search(
                r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select
            ).group(1)
            or ""
        )
    return data


def _post(client, customer_id: int, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(f"/carteira/clientes/{customer_id}/editar", data=data)


def test_admin_edits_hours_and_delivery_days(client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests typing hours and ticking delivery days; the card shows them; an error
    keeps everything."""
    world = scratch_company(reps={"ana": MON_FRI})
    customer = world.customers[world.reps["ana"].id][0]
    login(client, world.admin.email)
    data = _form(client, customer.id)
    data.update(
        opening_hours="seg-sex 08:00-12:00 14:00-18:00; sáb 08:00-12:00",
        delivery_weekdays=["1", "3"],
        service_minutes="35",
        visit_frequency_days="14",
        credit_limit="2.500,00",
    )
    answer = _post(client, customer.id, data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.opening_hours["mon"] == [["08:00", "12:00"], ["14:00", "18:00"]]
    assert customer.opening_hours["sat"] == [["08:00", "12:00"]]
    assert customer.opening_hours["sun"] == []
    assert (
        customer.delivery_weekdays,
        customer.service_minutes,
        customer.visit_frequency_days,
    ) == (0b1010, 35, 14)
    assert customer.credit_limit == Decimal("2500.00")
    card = client.get(f"/carteira/clientes/{customer.id}").get_data(as_text=True)
    assert "08:00–12:00, 14:00–18:00" in card
    assert "dom: fechado" in card
    assert "ter, qui" in card
    data = _form(client, customer.id)
    data["opening_hours"] = "seg-sex 08:00-12:00 10:00-18:00"
    data["service_minutes"] = "50"
    bad = _post(client, customer.id, data)
    assert bad.status_code == 200
    assert "intervalos se sobrepõem" in bad.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.service_minutes == 35, "nothing is saved while a field is wrong"
    entry = db.session.scalar(
        sa.select(AuditLog).where(
            AuditLog.action == "customer.update", AuditLog.target == f"customer:{customer.id}"
        )
    )
    assert entry.details["service_minutes"] == [20, 35]


def test_saving_untouched_never_changes_hours_and_clearing_means_no_restriction(
    client, db_session
) -> None:  # type: ignore[no-untyped-def]
    """Tests that an untouched save keeps a document the grammar cannot write, and clearing
    removes limits."""
    world = scratch_company(reps={"ana": MON_FRI})
    customer = world.customers[world.reps["ana"].id][0]
    customer.opening_hours = LEGACY_HOURS
    db.session.flush()
    login(client, world.admin.email)
    data = _form(client, customer.id)
    assert data["opening_hours"] == format_opening_hours(LEGACY_HOURS)
    data["visit_frequency_days"] = "21"
    answer = _post(client, customer.id, data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    db.session.refresh(customer)
    assert customer.opening_hours == LEGACY_HOURS
    assert customer.visit_frequency_days == 21
    untouched = _post(client, customer.id, _form(client, customer.id))
    assert untouched.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "customer.update", AuditLog.target == f"customer:{customer.id}"
            )
        )
        == 1
    )
    data = _form(client, customer.id)
    data["opening_hours"] = ""
    _post(client, customer.id, data)
    db.session.refresh(customer)
    assert customer.opening_hours == {}
    assert "Sem restrição" in client.get(f"/carteira/clientes/{customer.id}").get_data(as_text=True)


def test_owner_and_channel_rules(client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests that a field customer goes to a field rep, and that telesales needs a
    telesales owner."""
    world = scratch_company(reps={"ana": MON_FRI, "bia": MON_FRI})
    customer = world.customers[world.reps["ana"].id][0]
    seat = make_user(world.company, Role.TELESALES)
    login(client, world.admin.email)
    data = _form(client, customer.id)
    data["owner_id"] = str(world.reps["bia"].id)
    assert _post(client, customer.id, data).status_code == 302
    db.session.refresh(customer)
    assert customer.owner_id == world.reps["bia"].id
    data = _form(client, customer.id)
    data["owner_id"] = str(seat.id)
    refused = _post(client, customer.id, data)
    assert "pertence a um representante" in refused.get_data(as_text=True)
    data["channel"] = "telesales"
    assert _post(client, customer.id, data).status_code == 302
    db.session.refresh(customer)
    assert (customer.owner_id, customer.channel) == (seat.id, Channel.TELESALES)


def test_supervisor_edits_only_within_the_team(client, db_session) -> None:  # type: ignore[no-untyped-def]
    """Tests scope: a supervisor edits the team's customers, not others; reps and telesales
    cannot edit."""
    world = two_teams()
    own, other = world["c_rep1"], world["c_rep2"]
    login(client, world["sup1"].email)
    assert client.get(f"/carteira/clientes/{other.id}/editar").status_code == 404
    page = client.get(f"/carteira/clientes/{own.id}/editar").get_data(as_text=True)
    assert world["rep1"].name in page
    assert world["rep2"].name not in page, "another team's rep is not offered as owner"
    data = _form(client, own.id)
    data["opening_hours"] = "seg,qua,sex 09:00-17:00"
    assert _post(client, own.id, data).status_code == 302
    db.session.refresh(own)
    assert own.opening_hours["wed"] == [["09:00", "17:00"]]
    assert own.opening_hours["tue"] == []
    data = _form(client, own.id)
    data["owner_id"] = str(world["rep2"].id)
    refused = _post(client, own.id, data)
    assert refused.status_code == 200
    assert "field-error" in refused.get_data(as_text=True)
    db.session.refresh(own)
    assert own.owner_id == world["rep1"].id
    for who in ("rep1", "tel1"):
        rep_client = client.application.test_client()
        login(rep_client, world[who].email)
        assert rep_client.get(f"/carteira/clientes/{own.id}/editar").status_code == 403
    team = make_team(world["company"])
    lonely = make_customer(world["company"], make_user(world["company"], Role.REP, team))
    assert client.get(f"/carteira/clientes/{lonely.id}/editar").status_code == 404
