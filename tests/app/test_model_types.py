"""Column types the models promise: every status is an enum, never a free string."""

from __future__ import annotations

import enum

import sqlalchemy as sa

from app.models import Base, Customer, GeocodeStatus, PlanningRunRep, RepRunStatus
from tests.factories import make_company


def _status_columns() -> list[sa.Column]:
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name == "status" or column.name.endswith("_status")
    ]


def test_every_status_column_is_an_enum_of_its_values() -> None:
    columns = _status_columns()
    assert len(columns) >= 5  # plans, plan_stops, planning_runs, planning_run_reps, customers
    free = [
        f"{c.table.name}.{c.name}"
        for c in columns
        if not isinstance(c.type, sa.Enum) or c.type.enum_class is None
    ]
    assert free == []
    for column in columns:
        enum_class = column.type.enum_class
        assert issubclass(enum_class, enum.StrEnum)
        # stored as the enum's values (what the database already holds), not its names
        assert column.type.enums == [m.value for m in enum_class]


KIND_COLUMNS = (
    ("plans", "source"),
    ("plan_stops", "kind"),
    ("planning_runs", "trigger"),
    ("score_snapshots", "purpose"),
)


def _kind_columns() -> list[sa.Column]:
    return [Base.metadata.tables[table].c[name] for table, name in KIND_COLUMNS]


def test_kind_columns_are_enums_of_their_values() -> None:
    """Tests that the columns naming a kind (where a plan came from, what a stop is, who started
    a run, what a contact is for) are enums like the statuses, keeping their stored widths."""
    for column in _kind_columns():
        assert isinstance(column.type, sa.Enum), f"{column.table.name}.{column.name}"
        enum_class = column.type.enum_class
        assert enum_class is not None
        assert issubclass(enum_class, enum.StrEnum)
        assert column.type.enums == [m.value for m in enum_class]
    widths = {f"{c.table.name}.{c.name}": c.type.length for c in _kind_columns()}
    assert widths == {
        "plans.source": 20,
        "plan_stops.kind": 10,
        "planning_runs.trigger": 20,
        "score_snapshots.purpose": 16,
    }


def test_status_columns_read_back_as_members(db_session) -> None:
    company = make_company()
    customer = Customer(
        company_id=company.id,
        erp_code="ENUM-1",
        legal_name="Mercado Enum Ltda",
        trade_name="Mercado Enum",
        segment="Varejo",
        geocode_status="failed",
    )
    db_session.add(customer)
    db_session.flush()
    db_session.expire(customer)
    assert customer.geocode_status is GeocodeStatus.FAILED
    stored = db_session.execute(
        sa.text("SELECT geocode_status FROM customers WHERE id = :id"), {"id": customer.id}
    ).scalar_one()
    assert stored == "failed"
    assert RepRunStatus("kept") is RepRunStatus.KEPT
    assert PlanningRunRep.__table__.c.status.type.length == 20
