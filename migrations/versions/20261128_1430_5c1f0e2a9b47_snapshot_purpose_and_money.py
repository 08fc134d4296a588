"""score snapshots: the contact's purpose, the average ticket and the money at stake

Revision ID: 5c1f0e2a9b47
Revises: 00077cd0d13a
Create Date: 2026-11-28 14:30:00

Older snapshots keep NULL in the new columns; readers derive the purpose from the flags
(rescue -> reactivation) and show no money for them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1f0e2a9b47'
down_revision = '00077cd0d13a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('score_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('avg_ticket', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('monthly_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('value_at_stake', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('score_snapshots', schema=None) as batch_op:
        batch_op.drop_column('value_at_stake')
        batch_op.drop_column('monthly_value')
        batch_op.drop_column('avg_ticket')
        batch_op.drop_column('purpose')
