"""Ignore rules, the counters behind `healthy` and `ignored`, phase 2's read errors, job heartbeats, and the last
Sonarr/Radarr connection tests.

Scans kept from before get the phase-2 counters their own counts imply: every media file
judged was a candidate, and those neither corrupted, timed out nor suspicious were ok.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ignore_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=4096), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'value', name='uq_ignore_rule')
    )
    with op.batch_alter_table('symlink_scan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase2_io_error', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('phase2_candidates', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('phase2_ok', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('ignored', sa.Integer(), nullable=False, server_default='0'))
    op.execute(
        "UPDATE symlink_scan SET phase2_candidates = phase2_analyzed, "
        "phase2_ok = MAX(0, phase2_analyzed - phase2_corrupted - phase2_timeout - phase2_suspicious) "
        "WHERE verification_depth = 'full'"
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_tests', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.drop_column('service_tests')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
    with op.batch_alter_table('symlink_scan', schema=None) as batch_op:
        batch_op.drop_column('ignored')
        batch_op.drop_column('phase2_ok')
        batch_op.drop_column('phase2_candidates')
        batch_op.drop_column('phase2_io_error')
    op.drop_table('ignore_rule')
