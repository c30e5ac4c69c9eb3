"""The outbox of events (library_changed, job_finished), and the job kind "notify" renamed "arr_followup".

An event row is committed in the same transaction as the change it announces and
delivered to its listeners afterwards, so that a crash in between loses no follow-up.
"notify" said nothing of what the job does (tell Sonarr/Radarr); notifications of
another kind are coming.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_outbox_delivered_at'), ['delivered_at'], unique=False)
    op.execute("UPDATE job SET kind = 'arr_followup' WHERE kind = 'notify'")


def downgrade() -> None:
    op.execute("UPDATE job SET kind = 'notify' WHERE kind = 'arr_followup'")
    with op.batch_alter_table('event_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_outbox_delivered_at'))
    op.drop_table('event_outbox')
