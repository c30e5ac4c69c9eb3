"""The apply job of each repair, so that the journal groups repairs by batch and one batch can be undone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('repair_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_repair_entry_job_id', ['job_id'])


def downgrade() -> None:
    with op.batch_alter_table('repair_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_repair_entry_job_id')
        batch_op.drop_column('job_id')
