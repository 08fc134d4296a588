"""plans.source, plan_stops.kind, planning_runs.trigger, score_snapshots.purpose become enums

Revision ID: c4e8a1f93b27
Revises: 091c96821b69
Create Date: 2026-11-28 21:00:00

The four columns keep their VARCHAR type and width (the project's enums are stored as their
values, never as native PostgreSQL ENUMs: app/models/base.py ``str_enum``); what changes is that
the ORM now reads them as PlanSource, StopKind, RunTrigger and ScorePurpose and refuses any
other value. This migration checks that every stored row already holds one of those values, so
no page fails later on a row it cannot read. It rewrites nothing: a value outside the enum stops
the upgrade with the table, column and values named, to be corrected by hand.
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a1f93b27"
down_revision = "091c96821b69"
branch_labels = None
depends_on = None

# table, column, allowed values (NULL is allowed where the column is nullable)
ALLOWED = (
    ("plans", "source", ("nightly", "agenda", "manual", "replan", "cover")),
    ("plan_stops", "kind", ("visit", "lunch")),
    ("planning_runs", "trigger", ("schedule", "manual")),
    ("score_snapshots", "purpose", ("sales", "collect_only", "none", "reactivation")),
)


def upgrade():
    conn = op.get_bind()
    wrong = []
    for table, column, values in ALLOWED:
        col = sa.column(column)
        rows = conn.execute(
            sa.select(col)
            .select_from(sa.table(table, col))
            .where(col.is_not(None), col.not_in(values))
            .distinct()
        ).scalars()
        found = sorted(rows)
        if found:
            wrong.append(f"{table}.{column}: {', '.join(repr(v) for v in found)}")
    if wrong:
        raise RuntimeError(
            "values outside the enums (correct them, then upgrade again): " + "; ".join(wrong)
        )


def downgrade():
    pass  # the columns never changed type
