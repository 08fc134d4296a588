"""Score settings admin: versions never edited in place, audited, previewed; admins of their
company only."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, CompanySettings, Role
from app.security.scope import Scope
from app.services import company_settings, scoring, scoring_admin
from app.settings_admin.fields import field_specs
from optimizer.scoring import ScoringSettings
from tests.factories import make_user
from tests.support.scoring import DAY, small_portfolio
from tests.support.web import csrf_token, login

URL = "/admin/configuracoes/"


def form_data(settings: ScoringSettings, **changes: object) -> dict[str, object]:
    """The form as the browser posts it, from a settings object plus changes."""
    data: dict[str, object] = {}
    for spec in field_specs():
        value = changes.get(spec.name, getattr(settings, spec.name))
        if spec.kind == "bool":
            if value:
                data[spec.name] = "y"
        else:
            data[spec.name] = "" if value is None else str(value)
    names = {spec.name for spec in field_specs()}
    data.update({k: v for k, v in changes.items() if k not in names})
    return data


def post(client, data: dict[str, object], action: str):
    token = csrf_token(client, URL)
    return client.post(URL, data={**data, "action": action, "csrf_token": token})


def company_versions(company_id: int) -> list[CompanySettings]:
    return list(
        db.session.scalars(
            sa.select(CompanySettings)
            .where(CompanySettings.company_id == company_id)
            .order_by(CompanySettings.version)
        )
    )


def test_every_settings_field_has_words():
    """Tests that each engine settings field has a label and help (no raw field names
    on the page)."""
    from dataclasses import fields

    from app.settings_admin.fields import SPECIAL, TEXT

    assert {f.name for f in fields(ScoringSettings)} - SPECIAL <= set(TEXT)


def test_page_lists_fields_in_portuguese(client, db_session):
    """Tests the form generated from the dataclass, with Portuguese labels and help."""
    w = small_portfolio()
    login(client, w["admin"].email)
    html = client.get(URL).get_data(as_text=True)
    assert "Configurações da nota" in html
    assert "Pesos da nota" in html
    assert "Tolerância de atraso (dias)" in html
    assert 'name="weight_urgency"' in html
    assert 'name="segment_cycle_days"' not in html
    assert "v1" in html
    nav = client.get("/carteira/").get_data(as_text=True)
    assert URL in nav


def test_page_of_a_company_without_settings_writes_nothing(client, db_session):
    """Tests that a company with no settings version sees the recommended ones, that
    showing them writes no version, and that the first save creates version 1."""
    w = small_portfolio()
    db.session.execute(
        sa.delete(CompanySettings).where(CompanySettings.company_id == w["company"].id)
    )
    login(client, w["admin"].email)
    html = client.get(URL).get_data(as_text=True)
    assert "As configurações recomendadas estão em uso" in html
    assert company_versions(w["company"].id) == []
    post(client, form_data(ScoringSettings(), weight_service=0.5), "save")
    assert [r.version for r in company_versions(w["company"].id)] == [1]


def test_save_creates_next_version_and_audit(client, db_session):
    """Tests that saving never edits a version in place and logs before/after."""
    w = small_portfolio()
    login(client, w["admin"].email)
    client.get(URL)
    response = post(
        client, form_data(ScoringSettings(), weight_service=0.5, note="mais visitas"), "save"
    )
    assert response.status_code == 302
    rows = company_versions(w["company"].id)
    assert [r.version for r in rows] == [1, 2]
    assert rows[0].scoring == ScoringSettings().to_dict()  # untouched
    assert rows[1].scoring["weight_service"] == 0.5
    assert rows[1].note == "mais visitas"
    assert rows[1].created_by_id == w["admin"].id
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.company_id == w["company"].id))
    assert audit.action == "settings.scoring.update"
    assert audit.actor_id == w["admin"].id
    assert audit.details["changed"] == ["weight_service"]
    assert audit.details["before"]["weight_service"] == 0.2
    assert audit.details["after"]["weight_service"] == 0.5
    # the next nightly run uses the new version
    scoring.score_company(session=db.session, company_id=w["company"].id, day=DAY)
    assert company_settings.get(company_id=w["company"].id).version == 2


def test_invalid_values_are_refused(client, db_session):
    """Tests bounds and the engine's own checks: nothing saved, errors shown."""
    w = small_portfolio()
    login(client, w["admin"].email)
    client.get(URL)
    bad = post(client, form_data(ScoringSettings(), overdue_tolerance_days="-3"), "save")
    assert bad.status_code == 200
    zero = {
        f"weight_{k}": "0" for k in ("urgency", "service", "value", "finance", "delivery", "mix")
    }
    bad2 = post(client, form_data(ScoringSettings(), **zero), "save")
    assert bad2.status_code == 200
    assert "Pelo menos um peso deve ser maior que zero." in bad2.get_data(as_text=True)
    assert [r.version for r in company_versions(w["company"].id)] == [1]


def test_preview_shows_rank_changes_without_saving(client, db_session):
    """Tests the preview of one portfolio: old rank → new rank, nothing saved."""
    w = small_portfolio()
    login(client, w["admin"].email)
    client.get(URL)
    data = form_data(ScoringSettings(), weight_urgency=0.0, weight_value=5.0, portfolio=w["rep"].id)
    response = post(client, data, "preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Prévia: carteira de" in html
    assert "Mercado Ciclo" in html
    assert "→" in html
    assert [r.version for r in company_versions(w["company"].id)] == [1]


def test_preview_service_ranks(db_session):
    """Tests the preview's ranks against a direct scoring of the portfolio."""
    w = small_portfolio()
    scope = Scope.of(w["admin"])
    same = scoring_admin.preview(
        session=db.session, scope=scope, owner_id=w["rep2"].id, proposed=ScoringSettings(), day=DAY
    )
    assert same.customers == 3
    assert all(r.old_rank == r.new_rank and r.delta == 0 for r in same.rows)
    assert [r.new_rank for r in same.rows] == [1, 2, 3]
    changed = scoring_admin.preview(
        session=db.session,
        scope=scope,
        owner_id=w["rep2"].id,
        proposed=ScoringSettings(
            weight_urgency=0,
            weight_service=0,
            weight_value=1,
            weight_finance=0,
            weight_delivery=0,
            weight_mix=0,
        ),
        day=DAY,
    )
    assert changed.changed == [
        "weight_delivery",
        "weight_finance",
        "weight_mix",
        "weight_service",
        "weight_urgency",
        "weight_value",
    ]
    # value only: the money at stake ranks; the rescue case (the biggest revenue history of
    # rep2's three) earns no value points for being gone, so it comes last
    assert changed.rows[0].name == "Padaria Nova"
    assert changed.rows[-1].name == "Empório Sumido"
    assert sorted(r.old_rank for r in changed.rows) == [1, 2, 3]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.REP, Role.TELESALES])
def test_only_admins(client, db_session, role):
    """Tests that other roles get 403 and never see the menu entry."""
    w = small_portfolio()
    user = make_user(w["company"], role)
    login(client, user.email)
    assert client.get(URL).status_code == 403
    assert URL not in client.get("/carteira/").get_data(as_text=True)


def test_other_company_unreachable(client, db_session):
    """Tests that an admin edits and previews only their own company."""
    w = small_portfolio()
    other = small_portfolio()
    login(client, other["admin"].email)
    client.get(URL)
    # a portfolio of another company cannot be previewed
    response = post(client, form_data(ScoringSettings(), portfolio=w["rep"].id), "preview")
    assert response.status_code == 404
    post(client, form_data(ScoringSettings(), service_tolerance_days=3), "save")
    assert [r.version for r in company_versions(other["company"].id)] == [1, 2]
    assert [r.version for r in company_versions(w["company"].id)] == [1]
    with pytest.raises(PermissionError):
        scoring_admin.save_settings(
            session=db.session, scope=Scope.of(w["rep"]), proposed=ScoringSettings()
        )


def test_segment_cycles_saved_by_name(client, db_session):
    """Tests the per-segment cycle fields: stored with the segment names the features map."""
    w = small_portfolio()
    login(client, w["admin"].email)
    html = client.get(URL).get_data(as_text=True)
    assert "Ciclo de compra do segmento “bar” (dias)" in html
    segments = scoring_admin.company_segments(session=db.session, company_id=w["company"].id)
    assert segments == ("bar", "mercearia", "padaria")
    post(client, form_data(ScoringSettings(), segment_cycle__0="10"), "save")
    saved = company_settings.get(company_id=w["company"].id).scoring
    assert saved.extra["segment_names"] == ["bar", "mercearia", "padaria"]
    assert saved.segment_cycle_days == (10.0, 30.0, 30.0)
    again = client.get(URL).get_data(as_text=True)
    assert 'name="segment_cycle__0" type="text" value="10' in again or 'value="10.0"' in again


def test_reactivation_policy_is_set_on_the_page_and_reaches_planning(client, db_session):
    """Tests the reactivation policy field: Portuguese choices, saved in a version, read
    by planning."""
    from app.services import routing

    w = small_portfolio()
    login(client, w["admin"].email)
    html = client.get(URL).get_data(as_text=True)
    assert "Casos de resgate vão para" in html
    assert "Televendas primeiro (visita em campo só quando a ligação pedir)" in html
    assert 'name="reactivation_field_min_value"' in html
    changes = {"reactivation_policy": "field_above_value", "reactivation_field_min_value": "1500"}
    response = post(client, form_data(ScoringSettings(), **changes), "save")
    assert response.status_code == 302
    latest = company_versions(w["company"].id)[-1]
    assert latest.scoring["reactivation_policy"] == "field_above_value"
    assert latest.scoring["reactivation_field_min_value"] == 1500.0
    assert (
        routing.load_config(company_id=w["company"].id).reactivation_policy == "field_above_value"
    )
    bad = post(client, form_data(ScoringSettings(), reactivation_policy="sometimes"), "save")
    assert bad.status_code == 200
    assert company_versions(w["company"].id)[-1].version == latest.version


def _capacity_post(client, **values: str):
    token = csrf_token(client, URL)
    data = {f"capacity-{k}": v for k, v in values.items()}
    return client.post(URL + "capacidade", data={"capacity-csrf_token": token, **data})


def test_admin_sets_the_capacity_bands_blank_keeps_and_crossed_bands_are_refused(
    client, db_session
):
    """Tests the capacity card: 85/120 saved as a new audited version, a blank band keeps
    the one in force, and out-of-range or crossed bands (under >= over) are refused next to
    the field with nothing saved."""
    w = small_portfolio()
    company_id = w["company"].id
    login(client, w["admin"].email)
    html = client.get(URL).get_data(as_text=True)
    assert 'name="capacity-capacity_under_pct"' in html
    assert "Com folga abaixo desta carga (%)" in html
    saved = _capacity_post(client, capacity_under_pct="85", capacity_over_pct="120")
    assert saved.status_code == 302
    view = company_settings.get(company_id=company_id)
    assert (view.planning.capacity_under_pct, view.planning.capacity_over_pct) == (85, 120)
    assert view.version == 2
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.company_id == company_id))
    assert audit.action == "settings.planning.update"
    assert audit.details["changed"] == ["capacity_over_pct", "capacity_under_pct"]
    kept = _capacity_post(client, capacity_under_pct="", capacity_over_pct="130")
    assert kept.status_code == 302
    planning = company_settings.get(company_id=company_id).planning
    assert (planning.capacity_under_pct, planning.capacity_over_pct) == (85, 130)
    refused = [
        ("90", "90", "capacity_under_pct"),
        ("", "80", "capacity_under_pct"),  # the stored 85 is not below 80
        ("101", "", "capacity_under_pct"),
        ("x", "", "capacity_under_pct"),
        ("", "301", "capacity_over_pct"),
        ("", "49", "capacity_over_pct"),
    ]
    for under, over, name in refused:
        response = _capacity_post(client, capacity_under_pct=under, capacity_over_pct=over)
        assert response.status_code == 422, (under, over)
        block = re.search(
            rf'<div class="field has-error">\s*<label for="capacity-{name}".*?</div>',
            response.get_data(as_text=True),
            re.S,
        )
        assert block, (under, over)
    assert [r.version for r in company_versions(company_id)] == [1, 2, 3]
