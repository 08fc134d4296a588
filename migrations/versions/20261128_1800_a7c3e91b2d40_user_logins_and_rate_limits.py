"""user logins and rate-limit counters: one revocable row per login (its cookies carry its
secret); login-limit counters shared by every worker when no Redis is configured

Revision ID: a7c3e91b2d40
Revises: 7e3b9a2c4d61
Create Date: 2026-11-28 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91b2d40'
down_revision = '7e3b9a2c4d61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_logins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('user_agent', sa.String(length=300), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_logins_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_logins')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_logins_token_hash')),
    )
    with op.batch_alter_table('user_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_logins_user_id'), ['user_id'], unique=False)
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters')),
    )


def downgrade():
    op.drop_table('rate_limit_counters')
    with op.batch_alter_table('user_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_logins_user_id'))
    op.drop_table('user_logins')
