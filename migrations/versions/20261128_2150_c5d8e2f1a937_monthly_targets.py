"""monthly targets: coverage and positivação per rep and per team

Revision ID: c5d8e2f1a937
Revises: c4e8a1f93b27
Create Date: 2026-11-28 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d8e2f1a937'
down_revision = 'c4e8a1f93b27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monthly_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('coverage_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('activation_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (team_id IS NULL)', name=op.f('ck_monthly_targets_one_subject')),
    sa.CheckConstraint('coverage_pct IS NULL OR (coverage_pct >= 0 AND coverage_pct <= 100)', name=op.f('ck_monthly_targets_coverage_pct')),
    sa.CheckConstraint('activation_pct IS NULL OR (activation_pct >= 0 AND activation_pct <= 100)', name=op.f('ck_monthly_targets_activation_pct')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_monthly_targets_company_id_companies')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_monthly_targets_set_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_monthly_targets_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_monthly_targets_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_targets')),
    sa.UniqueConstraint('company_id', 'month', 'team_id', name=op.f('uq_monthly_targets_company_id_month_team_id')),
    sa.UniqueConstraint('company_id', 'month', 'user_id', name=op.f('uq_monthly_targets_company_id_month_user_id'))
    )
    with op.batch_alter_table('monthly_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_targets_company_id'), ['company_id'], unique=False)


def downgrade():
    with op.batch_alter_table('monthly_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_targets_company_id'))

    op.drop_table('monthly_targets')
