"""Media servers (Plex/Jellyfin/Emby refresh), Sonarr/Radarr webhooks (imported releases, marked links), blocklist.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('imported_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('instance', sa.String(length=64), nullable=False),
    sa.Column('remote_path', sa.String(length=4096), nullable=False),
    sa.Column('local_path', sa.String(length=4096), nullable=False),
    sa.Column('download_id', sa.String(length=255), nullable=False),
    sa.Column('source_title', sa.String(length=1000), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('episode_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_imported_release_local_path', 'imported_release', ['local_path'])
    op.create_table('marked_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=4096), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_marked_link_path', 'marked_link', ['path'])
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('media_servers', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('media_refresh_coalesce', sa.Integer(), nullable=False, server_default='8'))
        batch_op.add_column(sa.Column('media_refresh_max_requests', sa.Integer(), nullable=False, server_default='12'))
        batch_op.add_column(sa.Column('arr_blocklist', sa.Boolean(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.drop_column('arr_blocklist')
        batch_op.drop_column('media_refresh_max_requests')
        batch_op.drop_column('media_refresh_coalesce')
        batch_op.drop_column('media_servers')
    op.drop_index('ix_marked_link_path', table_name='marked_link')
    op.drop_table('marked_link')
    op.drop_index('ix_imported_release_local_path', table_name='imported_release')
    op.drop_table('imported_release')
