"""Geocoding against a real local HTTP server that answers like Nominatim; corrections by admins."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, GeocodeCache
from app.services import geocoding
from app.services.clock import local_today
from tests.factories import make_contact, make_customer, two_teams
from tests.support.nominatim_server import nominatim_server
from tests.support.web import login, post_form


@pytest.fixture
def nominatim(app):
    places = {
        "Rua Tuiuti 1200": (-23.5401, -46.5763),
        "Avenida Paulista 1000": (-23.5648, -46.6519),
    }
    with nominatim_server(places) as state:
        saved = {k: app.config.get(k) for k in ("GEOCODER", "GEOCODER_URL", "GEOCODER_MIN_DELAY")}
        app.config.update(GEOCODER="nominatim", GEOCODER_URL=state.base_url, GEOCODER_MIN_DELAY=0)
        yield state
        app.config.update(saved)


def _unplaced(company, street, number="1200", **fields):
    return make_customer(
        company, None, street=street, number=number, latitude=None, longitude=None, **fields
    )


def test_geocodes_caches_and_lists_failures(db_session, nominatim):
    """Tests positions found, the user agent, one request per distinct address, failures marked."""
    world = two_teams()
    company = world["company"]
    a = _unplaced(company, "Rua Tuiuti")
    b = _unplaced(company, "Rua Tuiuti")  # same address: answered from the cache
    c = _unplaced(company, "Rua Que Não Existe", "9")
    stats = geocoding.geocode_customers(company_id=company.id, limit=10)
    assert (stats.found, stats.failed, stats.from_cache, stats.errors) == (2, 1, 1, 0)
    assert (a.latitude, a.longitude, a.geocode_status) == (
        pytest.approx(-23.5401),
        pytest.approx(-46.5763),
        "ok",
    )
    assert b.geocode_status == "ok"
    assert c.geocode_status == "failed"
    assert len(nominatim.queries) == 2
    assert nominatim.user_agents[0].startswith("Roteiro/")
    assert "(+" in nominatim.user_agents[0]
    assert nominatim.params[0]["countrycodes"] == ["br"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GeocodeCache)) >= 2
    assert c in geocoding.failed(company_id=company.id)
    again = geocoding.geocode_customers(company_id=company.id, limit=10)
    assert (again.found, again.failed) == (0, 0)
    assert len(nominatim.queries) == 2


def test_server_errors_are_not_cached(db_session, nominatim):
    """Tests that a provider outage leaves the customer pending for the next run."""
    world = two_teams()
    customer = _unplaced(world["company"], "Avenida Paulista", "1000")
    nominatim.status = 503
    stats = geocoding.geocode_customers(company_id=world["company"].id, limit=5)
    assert stats.errors == 1
    assert customer.geocode_status is None
    nominatim.status = 200
    assert geocoding.geocode_customers(company_id=world["company"].id, limit=5).found == 1


def test_cli_geocode(runner, nominatim):
    """Tests `flask geocode --limit N`."""
    world = two_teams()
    _unplaced(world["company"], "Rua Tuiuti")
    result = runner.invoke(args=["geocode", "--limit", "5", "--company", world["company"].slug])
    assert result.exit_code == 0, result.output
    assert "encontrados 1" in result.output


def test_far_check_ins_suggest_and_admin_corrects_on_the_map_page(client, db_session):
    """Tests the suggestion from clustered far check-ins and the audited correction form."""
    world = two_teams()
    customer = world["c_rep1"]
    today = local_today()
    for i in range(3):
        make_contact(
            customer,
            world["rep1"],
            today - timedelta(days=3 * i),
            check_in_flagged=True,
            check_in_lat=-23.5600 + i * 0.0001,
            check_in_lon=-46.6000,
            check_in_distance_m=3000,
        )
    make_contact(
        world["c_rep2"],
        world["rep2"],
        today,
        check_in_flagged=True,
        check_in_lat=-23.6,
        check_in_lon=-46.7,
    )
    found = geocoding.suggestions(company_id=world["company"].id, today=today)
    assert [s.customer.id for s in found] == [customer.id]
    assert found[0].latitude == pytest.approx(-23.5599)
    login(client, world["admin"].email)
    listing = client.get("/admin/posicoes/").get_data(as_text=True)
    assert 'id="suggestions"' in listing
    page = f"/admin/posicoes/clientes/{customer.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="use-suggestion"' in html
    assert "<script>" not in html
    answer = post_form(client, page, {"latitude": "-23.5601", "longitude": "-46.6"}, page=page)
    assert answer.status_code == 302
    db.session.refresh(customer)
    assert (customer.latitude, customer.geocode_status) == (pytest.approx(-23.5601), "manual")
    assert db.session.scalar(
        sa.select(AuditLog.action).where(AuditLog.target == f"customer:{customer.id}")
    )
    assert client.get(f"/admin/posicoes/clientes/{world['c_other'].id}").status_code == 404
