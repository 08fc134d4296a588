"""The typed settings view: one parse with checks, defaults in one place, reading never writes,
renamed keys moved by a data migration."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app.extensions import db
from app.models import CompanySettings
from app.services import company_settings, routing, telesales, visits
from app.services.company_settings import SettingsError
from tests.conftest import build_app, make_database
from tests.factories import make_company

REVISION = "7b3e9c4d2a10"


def _view(planning: dict[str, Any] | None = None, policies: dict[str, Any] | None = None) -> Any:
    return company_settings.parse(
        company_id=1, version=3, scoring={}, planning=planning, policies=policies
    )


def test_missing_keys_take_the_field_defaults() -> None:
    """Tests that an empty version reads as the dataclass defaults."""
    view = _view()
    assert view.planning == company_settings.PlanningSettings()
    assert view.policies == company_settings.Policies()
    assert view.reactivation_policy == view.scoring.reactivation_policy == "telesales_first"


def test_values_are_typed_and_checked_once() -> None:
    """Tests that stored values come back typed, reasons as objects, times normalised."""
    view = _view(
        {
            "nightly_time": "3:05",
            "check_in_radius_m": 150,
            "no_sale_reasons": [{"key": "preco", "label": "Preço", "label_en": "Price"}],
            "telesales_push_skipped": False,
            "osrm_url": "http://127.0.0.1:5000",
        },
        {"collection_policy": "allow", "reactivation_policy": "never"},
    )
    assert view.planning.nightly_time == "03:05"
    assert view.planning.check_in_radius_m == 150.0
    assert view.no_sale_reasons("en") == [("preco", "Price")]
    assert view.no_sale_reasons("pt_BR") == [("preco", "Preço")]
    assert view.planning.telesales_push_skipped is False
    assert (view.planning.capacity_under_pct, view.planning.capacity_over_pct) == (70, 100)
    bands = _view({"capacity_under_pct": 85, "capacity_over_pct": 120.0}).planning
    assert (bands.capacity_under_pct, bands.capacity_over_pct) == (85, 120)
    assert isinstance(bands.capacity_over_pct, int)
    assert view.policies.collection_policy == "allow"
    assert view.reactivation_policy == "never"
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.planning.check_in_radius_m = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("planning", "policies", "key"),
    [
        ({"check_in_radius_m": "300"}, None, "check_in_radius_m"),
        ({"check_in_radius_m": 0}, None, "check_in_radius_m"),
        ({"plan_horizon_days": 2.5}, None, "plan_horizon_days"),
        ({"week_agenda": "yes"}, None, "week_agenda"),
        ({"nightly_time": "25:00"}, None, "nightly_time"),
        ({"telesales_daily_calls": True}, None, "telesales_daily_calls"),
        ({"no_sale_reasons": [{"label": "sem chave"}]}, None, "no_sale_reasons"),
        ({"no_sale_reasons": [{"key": "a"}, {"key": "a"}]}, None, "no_sale_reasons"),
        ({"osrm_url": "ftp://x"}, None, "osrm_url"),
        (None, {"collection_policy": "sometimes"}, "collection_policy"),
        (None, {"overdue_tolerance_days": -1}, "overdue_tolerance_days"),
        ({"checkin_radius_m": 200}, None, "checkin_radius_m"),
        ({"push_skipped_to_telesales": False}, None, "push_skipped_to_telesales"),
        ({"capacity_under_pct": 70.5}, None, "capacity_under_pct"),
        ({"capacity_under_pct": -1}, None, "capacity_under_pct"),
        ({"capacity_under_pct": 101, "capacity_over_pct": 150}, None, "capacity_under_pct"),
        ({"capacity_over_pct": "120"}, None, "capacity_over_pct"),
        ({"capacity_over_pct": 49}, None, "capacity_over_pct"),
        ({"capacity_over_pct": 301}, None, "capacity_over_pct"),
        ({"capacity_under_pct": 90, "capacity_over_pct": 90}, None, "capacity_under_pct"),
        ({"capacity_over_pct": 60}, None, "capacity_under_pct"),  # below the default 70
    ],
)
def test_invalid_or_renamed_values_are_refused(
    planning: dict[str, Any] | None, policies: dict[str, Any] | None, key: str
) -> None:
    """Tests that each bad value is refused with its key named."""
    with pytest.raises(SettingsError) as info:
        _view(planning, policies)
    assert info.value.key == key


def test_every_reader_uses_the_version_in_force_and_reading_writes_nothing(db_session) -> None:
    """Tests routing, telesales and the visit flow read the same newest version, and that a
    company without versions reads the defaults without a row being added."""
    company = make_company()
    assert company_settings.get(company_id=company.id).version == 0
    assert routing.load_config(company_id=company.id).settings_version == 0
    assert telesales.daily_calls(company.id) == 60
    assert visits.get_planning_settings(company_id=company.id).checkin_radius_m == 300.0
    count = sa.select(sa.func.count(CompanySettings.id)).where(
        CompanySettings.company_id == company.id
    )
    assert db.session.scalar(count) == 0
    for version, radius in ((1, 100), (2, 250)):
        db.session.add(
            CompanySettings(
                company_id=company.id,
                version=version,
                planning={
                    "check_in_radius_m": radius,
                    "telesales_daily_calls": 40 + version,
                    "candidates_per_day": 30 + version,
                },
                policies={"collection_policy": "collect_only"},
            )
        )
    db.session.flush()
    config = routing.load_config(company_id=company.id)
    assert (config.settings_version, config.candidates_per_day) == (2, 32)
    assert config.collection_policy == "collect_only"
    assert telesales.daily_calls(company.id) == 42
    assert visits.get_planning_settings(company_id=company.id).checkin_radius_m == 250.0


def test_a_run_on_invalid_settings_is_recorded_as_failed(db_session) -> None:
    """Tests that settings edited by hand into an invalid state fail the company's run with
    the reason on the run record, instead of raising out of the nightly job."""
    from app.jobs import pipeline
    from app.models import PlanningRun, RunStatus

    company = make_company()
    db.session.add(
        CompanySettings(company_id=company.id, version=4, planning={"check_in_radius_m": "x"})
    )
    db.session.flush()
    summary = pipeline.run_company(
        pipeline.RunOptions(company_id=company.id, plan_date=date(2026, 11, 23), score=False)
    )
    assert summary.status == RunStatus.FAILED
    run = db.session.get(PlanningRun, summary.run_id)
    assert run.status == RunStatus.FAILED
    assert run.settings_version == 4
    assert run.error.startswith("invalid settings v4: check_in_radius_m")


def test_data_migration_moves_renamed_keys(backend: str, tmp_path: Path) -> None:
    """Tests that the migration moves each old key to its one name (the value readers used
    first wins when a version stored both) and that every version then parses."""
    url, drop = make_database(backend, tmp_path, "rename")
    app = build_app(url)
    try:
        with app.app_context():
            upgrade(revision="a7c3e91b2d40")
            conn = db.session.connection()
            conn.execute(
                sa.text(
                    "INSERT INTO companies (id, name, slug, timezone, currency, created_at)"
                    " VALUES (1, 'Empresa', 'empresa', 'America/Sao_Paulo', 'BRL', :now)"
                ),
                {"now": datetime(2026, 11, 1)},
            )
            old = [
                {"checkin_radius_m": 120, "push_skipped_to_telesales": False, "other": 1},
                {"checkin_radius_m": 80, "check_in_radius_m": 500},
                {"check_in_radius_m": 300, "telesales_push_skipped": True},
            ]
            table = sa.table(
                "company_settings",
                sa.column("company_id"),
                sa.column("version"),
                sa.column("scoring", sa.JSON),
                sa.column("planning", sa.JSON),
                sa.column("policies", sa.JSON),
                sa.column("created_at"),
            )
            for version, planning in enumerate(old, start=1):
                conn.execute(
                    sa.insert(table).values(
                        company_id=1,
                        version=version,
                        scoring={},
                        planning=planning,
                        policies={},
                        created_at=datetime(2026, 11, 1),
                    )
                )
            db.session.commit()
            upgrade(revision=REVISION)
            stored = {
                row.version: row.planning
                for row in db.session.scalars(
                    sa.select(CompanySettings).order_by(CompanySettings.version)
                )
            }
            assert stored == {
                1: {"check_in_radius_m": 120, "telesales_push_skipped": False, "other": 1},
                2: {"check_in_radius_m": 80},
                3: {"check_in_radius_m": 300, "telesales_push_skipped": True},
            }
            for row in db.session.scalars(sa.select(CompanySettings)):
                company_settings.parse(
                    company_id=1,
                    version=row.version,
                    scoring=row.scoring,
                    planning=row.planning,
                    policies=row.policies,
                )
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()  # type: ignore[operator]
