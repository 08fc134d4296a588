"""visit calendars: each rep's four-week cycle and each customer's regular slot in it

Revision ID: 3f6a1c9e8b52
Revises: c5d8e2f1a937
Create Date: 2026-11-28 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '3f6a1c9e8b52'
down_revision = 'c5d8e2f1a937'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
STATUS = ('pending', 'optimal', 'feasible', 'infeasible', 'unknown')
TRIGGER = ('setup', 'portfolio', 'supervisor', 'settings', 'work_profile')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def upgrade():
    op.create_table(
        'visit_calendars',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('cycle_start', sa.Date(), nullable=False),
        sa.Column('status', _enum(STATUS, 'calendarstatus'), nullable=False),
        sa.Column('objective', sa.Float(), nullable=True),
        sa.Column('best_bound', sa.Float(), nullable=True),
        sa.Column('gap', sa.Float(), nullable=True),
        sa.Column('solve_seconds', sa.Float(), nullable=True),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('conflicts', JSON, nullable=False),
        sa.Column('settings_version', sa.Integer(), nullable=False),
        sa.Column('trigger', _enum(TRIGGER, 'calendartrigger'), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=True),
        sa.Column('computed_by_id', sa.Integer(), nullable=True),
        sa.Column('stale', sa.Boolean(), nullable=False),
        sa.Column('stale_reason', _enum(TRIGGER, 'calendartrigger'), nullable=True),
        sa.Column('stale_since', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_visit_calendars_company_id_companies')),
        sa.ForeignKeyConstraint(['computed_by_id'], ['users.id'], name=op.f('fk_visit_calendars_computed_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_visit_calendars_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_calendars')),
        sa.UniqueConstraint('user_id', name=op.f('uq_visit_calendars_user_id')),
    )
    with op.batch_alter_table('visit_calendars', schema=None) as batch_op:
        batch_op.create_index('ix_visit_calendars_company_stale', ['company_id', 'stale'], unique=False)
    op.create_table(
        'visit_calendar_slots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('calendar_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.SmallInteger(), nullable=False),
        sa.Column('weeks', sa.SmallInteger(), nullable=False),
        sa.Column('pinned', sa.Boolean(), nullable=False),
        sa.Column('pinned_by_id', sa.Integer(), nullable=True),
        sa.Column('pinned_at', sa.DateTime(), nullable=True),
        sa.Column('moved_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['calendar_id'], ['visit_calendars.id'], name=op.f('fk_visit_calendar_slots_calendar_id_visit_calendars'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_visit_calendar_slots_customer_id_customers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['moved_by_id'], ['users.id'], name=op.f('fk_visit_calendar_slots_moved_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['pinned_by_id'], ['users.id'], name=op.f('fk_visit_calendar_slots_pinned_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_calendar_slots')),
        sa.UniqueConstraint('calendar_id', 'customer_id', name=op.f('uq_visit_calendar_slots_calendar_id_customer_id')),
    )
    with op.batch_alter_table('visit_calendar_slots', schema=None) as batch_op:
        batch_op.create_index('ix_visit_calendar_slots_calendar_weekday', ['calendar_id', 'weekday'], unique=False)
        batch_op.create_index('ix_visit_calendar_slots_customer', ['customer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_calendar_slots', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_calendar_slots_customer')
        batch_op.drop_index('ix_visit_calendar_slots_calendar_weekday')
    op.drop_table('visit_calendar_slots')
    with op.batch_alter_table('visit_calendars', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_calendars_company_stale')
    op.drop_table('visit_calendars')
