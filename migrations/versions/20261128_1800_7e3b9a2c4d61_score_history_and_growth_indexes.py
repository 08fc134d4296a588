"""score history (compacted snapshots past the full-detail window) and contacts by company day

Revision ID: 7e3b9a2c4d61
Revises: 5d2c8e1f4a7b
Create Date: 2026-11-28 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7e3b9a2c4d61"
down_revision = "5d2c8e1f4a7b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "score_history",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("score_date", sa.Date(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.REAL(), nullable=False),
        sa.Column("flags", sa.SmallInteger(), nullable=False),
        sa.Column("purpose_code", sa.SmallInteger(), nullable=True),
        sa.Column("cycle_days", sa.REAL(), nullable=True),
        sa.Column("monthly_value", sa.REAL(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_score_history_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_score_history_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", "score_date", name=op.f("pk_score_history")),
    )
    op.create_index(
        "ix_score_history_company_day", "score_history", ["company_id", "score_date"], unique=False
    )
    op.create_index(
        "ix_contacts_company_day", "contacts", ["company_id", "contact_date"], unique=False
    )


def downgrade():
    op.drop_index("ix_contacts_company_day", table_name="contacts")
    op.drop_index("ix_score_history_company_day", table_name="score_history")
    op.drop_table("score_history")
