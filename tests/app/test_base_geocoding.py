"""A rep's base given only by its address is geocoded by `flask geocode` (local Nominatim)."""

from __future__ import annotations

import pytest

from app.services import people, readiness
from tests.support.nominatim_server import nominatim_server
from tests.support.scratch import MON_FRI, scratch_company


@pytest.fixture
def nominatim(app):  # type: ignore[no-untyped-def]
    places = {"Rua Vergueiro, 1000": (-23.5714, -46.6386)}
    with nominatim_server(places) as state:
        saved = {k: app.config.get(k) for k in ("GEOCODER", "GEOCODER_URL", "GEOCODER_MIN_DELAY")}
        app.config.update(GEOCODER="nominatim", GEOCODER_URL=state.base_url, GEOCODER_MIN_DELAY=0)
        yield state
        app.config.update(saved)


def test_base_address_is_geocoded_and_leaves_readiness(runner, db_session, nominatim) -> None:  # type: ignore[no-untyped-def]
    """Tests that a base with an address only blocks planning until `flask geocode` finds it."""
    world = scratch_company(reps={"end": MON_FRI, "longe": MON_FRI}, customers=1)
    found, lost = world.reps["end"], world.reps["longe"]
    people.update_work_profile(
        actor=world.admin,
        user=found,
        values={
            "base_address": "Rua Vergueiro, 1000 - Liberdade, São Paulo - SP",
            "base_latitude": None,
            "base_longitude": None,
        },
    )
    people.update_work_profile(
        actor=world.admin,
        user=lost,
        values={
            "base_address": "Rua Que Não Existe, 9",
            "base_latitude": None,
            "base_longitude": None,
        },
    )
    keys = {f.key: f.count for f in readiness.check(company_id=world.company.id).findings}
    assert keys["reps_without_base"] == 2
    result = runner.invoke(args=["geocode", "--company", world.company.slug])
    assert result.exit_code == 0, result.output
    assert "bases: encontradas 1, não encontradas 1" in result.output
    assert (found.work_profile.start_lat, found.work_profile.end_lon) == (
        pytest.approx(-23.5714),
        pytest.approx(-46.6386),
    )
    assert lost.work_profile.start_lat is None
    keys = {f.key: f.count for f in readiness.check(company_id=world.company.id).findings}
    assert keys["reps_without_base"] == 1
