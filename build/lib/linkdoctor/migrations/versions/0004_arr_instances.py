"""Sonarr/Radarr: several instances, path mappings, search and timeout settings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('sonarr_name', sa.String(length=64), 'Sonarr'),
    ('sonarr_scheme', sa.String(length=8), 'http'),
    ('sonarr_url_base', sa.String(length=255), ''),
    ('sonarr_path_mappings', sa.JSON(), '[]'),
    ('radarr_name', sa.String(length=64), 'Radarr'),
    ('radarr_scheme', sa.String(length=8), 'http'),
    ('radarr_url_base', sa.String(length=255), ''),
    ('radarr_path_mappings', sa.JSON(), '[]'),
    ('arr_instances', sa.JSON(), '[]'),
    ('path_mappings', sa.JSON(), '[]'),
    ('arr_search', sa.Boolean(), '1'),
    ('arr_command_timeout', sa.Float(), '300'),
    ('arr_request_timeout', sa.Float(), '10'),
)


def upgrade() -> None:
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        for name, kind, default in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        for name, _kind, _default in reversed(_COLUMNS):
            batch_op.drop_column(name)
