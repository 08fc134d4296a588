"""visit flags and corrections: check-out without check-in, phone clock off, corrected at

Revision ID: 5d2c8e1f4a7b
Revises: d9a90fbed8c0
Create Date: 2026-11-28 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2c8e1f4a7b'
down_revision = 'd9a90fbed8c0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_check_in', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('time_flagged', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('corrected_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('corrected_at')
        batch_op.drop_column('time_flagged')
        batch_op.drop_column('no_check_in')
