"""Phase 2 with verdict levels and a decode: the phase2_decode and decode_timeout settings, the
decoded and suspicious counters of a scan, and the level and check of each remembered verdict.

Verdicts remembered before (no checked_by) are checked again: some called doubtful files corrupted.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase2_decode', sa.String(length=16), nullable=False,
                                      server_default='suspicious'))
        batch_op.add_column(sa.Column('decode_timeout', sa.Float(), nullable=False, server_default='60'))
    with op.batch_alter_table('symlink_scan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase2_decoded', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('phase2_suspicious', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('probe_verdict_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), nullable=False, server_default='ok'))
        batch_op.add_column(sa.Column('checked_by', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('probe_verdict_entry', schema=None) as batch_op:
        batch_op.drop_column('checked_by')
        batch_op.drop_column('level')
    with op.batch_alter_table('symlink_scan', schema=None) as batch_op:
        batch_op.drop_column('phase2_suspicious')
        batch_op.drop_column('phase2_decoded')
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.drop_column('decode_timeout')
        batch_op.drop_column('phase2_decode')
