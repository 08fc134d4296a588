"""supervisor actions: call requests to telesales, lost customers, who booked an appointment

Revision ID: e4f1a7c93b52
Revises: 7b3e9c4d2a10
Create Date: 2026-11-28 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'e4f1a7c93b52'
down_revision = '7b3e9c4d2a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('call_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('seat_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_call_requests_company_id_companies')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_call_requests_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_call_requests_customer_id_customers')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_call_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['seat_id'], ['users.id'], name=op.f('fk_call_requests_seat_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_requests'))
    )
    with op.batch_alter_table('call_requests', schema=None) as batch_op:
        batch_op.create_index('ix_call_requests_customer', ['customer_id'], unique=False)
        batch_op.create_index('ix_call_requests_seat_due', ['seat_id', 'due_date'], unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lost_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lost_reason', sa.String(length=60), nullable=True))

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_appointments_created_by_id_users'), 'users', ['created_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_appointments_created_by_id_users'), type_='foreignkey')
        batch_op.drop_column('created_at')
        batch_op.drop_column('created_by_id')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('lost_reason')
        batch_op.drop_column('lost_on')

    with op.batch_alter_table('call_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_call_requests_seat_due')
        batch_op.drop_index('ix_call_requests_customer')

    op.drop_table('call_requests')
