"""The schema of release 0.1.0, the last one made with db.create_all().

A database of that release has these tables and no alembic_version: linkdoctor.schema
stamps it with this revision before upgrading it.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('probe_verdict_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device', sa.Integer(), nullable=False),
    sa.Column('inode', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('mtime_ns', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.Column('probe_seconds', sa.Float(), nullable=False),
    sa.Column('probed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device', 'inode', 'size', 'mtime_ns', name='uq_probe_identity')
    )
    op.create_table('quarantine_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scan_id', sa.Integer(), nullable=False),
    sa.Column('original_path', sa.String(length=4096), nullable=False),
    sa.Column('quarantine_path', sa.String(length=4096), nullable=False),
    sa.Column('target', sa.String(length=4096), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quarantine_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_entry_scan_id'), ['scan_id'], unique=False)

    op.create_table('symlink_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_path', sa.String(length=4096), nullable=False),
    sa.Column('max_workers', sa.Integer(), nullable=False),
    sa.Column('small_file_threshold', sa.Integer(), nullable=False),
    sa.Column('file_timeout', sa.Float(), nullable=False),
    sa.Column('probe_timeout', sa.Float(), nullable=False),
    sa.Column('scans_to_keep', sa.Integer(), nullable=False),
    sa.Column('include_regular_files', sa.Boolean(), nullable=False),
    sa.Column('source_roots', sa.JSON(), nullable=False),
    sa.Column('broken_share_limit', sa.Float(), nullable=False),
    sa.Column('quarantine_retention_days', sa.Integer(), nullable=False),
    sa.Column('sonarr_enabled', sa.Boolean(), nullable=False),
    sa.Column('sonarr_host', sa.String(length=255), nullable=False),
    sa.Column('sonarr_port', sa.Integer(), nullable=False),
    sa.Column('sonarr_api_key', sa.String(length=255), nullable=False),
    sa.Column('radarr_enabled', sa.Boolean(), nullable=False),
    sa.Column('radarr_host', sa.String(length=255), nullable=False),
    sa.Column('radarr_port', sa.Integer(), nullable=False),
    sa.Column('radarr_api_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('symlink_scan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scan_date', sa.DateTime(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('selected_paths', sa.JSON(), nullable=False),
    sa.Column('verification_depth', sa.String(length=16), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('owner_pid', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('phase', sa.String(length=32), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('total_analyzed', sa.Integer(), nullable=False),
    sa.Column('phase1_ok', sa.Integer(), nullable=False),
    sa.Column('phase1_broken', sa.Integer(), nullable=False),
    sa.Column('phase1_inaccessible', sa.Integer(), nullable=False),
    sa.Column('phase1_small', sa.Integer(), nullable=False),
    sa.Column('phase1_io_error', sa.Integer(), nullable=False),
    sa.Column('phase1_timeout', sa.Integer(), nullable=False),
    sa.Column('phase2_analyzed', sa.Integer(), nullable=False),
    sa.Column('phase2_corrupted', sa.Integer(), nullable=False),
    sa.Column('phase2_cached', sa.Integer(), nullable=False),
    sa.Column('phase2_timeout', sa.Integer(), nullable=False),
    sa.Column('files_deleted', sa.Integer(), nullable=False),
    sa.Column('duration', sa.Float(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('source_stats', sa.JSON(), nullable=False),
    sa.Column('guard', sa.JSON(), nullable=False),
    sa.Column('error_message', sa.String(length=2000), nullable=True),
    sa.Column('confirm_token', sa.String(length=64), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scan_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=4096), nullable=False),
    sa.Column('target', sa.String(length=4096), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.Column('source', sa.String(length=4096), nullable=False),
    sa.Column('proposed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['scan_id'], ['symlink_scan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_scan_category', ['scan_id', 'category'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_scan_category')

    op.drop_table('finding')
    op.drop_table('symlink_scan')
    op.drop_table('symlink_config')
    with op.batch_alter_table('quarantine_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_entry_scan_id'))

    op.drop_table('quarantine_entry')
    op.drop_table('probe_verdict_entry')
