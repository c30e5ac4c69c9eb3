"""The source index, the journal of link repairs, TMDB names on inventory items and the TMDB settings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('source_folder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=4096), nullable=False),
    sa.Column('parent', sa.String(length=4096), nullable=False),
    sa.Column('mtime_ns', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path')
    )
    with op.batch_alter_table('source_folder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_folder_parent'), ['parent'], unique=False)

    op.create_table('source_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=4096), nullable=False),
    sa.Column('folder', sa.String(length=4096), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('season', sa.Integer(), nullable=True),
    sa.Column('episodes', sa.JSON(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mtime_ns', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path')
    )
    with op.batch_alter_table('source_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_file_folder'), ['folder'], unique=False)

    op.create_table('repair_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=4096), nullable=False),
    sa.Column('old_target', sa.String(length=4096), nullable=False),
    sa.Column('new_target', sa.String(length=4096), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('command', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('repair_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repair_entry_path'), ['path'], unique=False)

    with op.batch_alter_table('inventory_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tmdb_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tmdb_title', sa.String(length=1000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('original_title', sa.String(length=1000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tmdb_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('enrich_state', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('enriched_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tmdb_api_key', sa.String(length=4096), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tmdb_base_url', sa.String(length=255), nullable=False,
                                      server_default='https://api.themoviedb.org/3'))


def downgrade() -> None:
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.drop_column('tmdb_base_url')
        batch_op.drop_column('tmdb_api_key')
    with op.batch_alter_table('inventory_item', schema=None) as batch_op:
        for column in ('enriched_at', 'enrich_state', 'tmdb_year', 'original_title', 'tmdb_title', 'tmdb_id'):
            batch_op.drop_column(column)
    op.drop_table('repair_entry')
    op.drop_table('source_file')
    op.drop_table('source_folder')
