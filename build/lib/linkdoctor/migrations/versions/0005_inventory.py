"""The library inventory, the results of integrity checks, and the folder names that tell an item's kind.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inventory_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=4096), nullable=False),
    sa.Column('target', sa.String(length=4096), nullable=False),
    sa.Column('is_link', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('season', sa.Integer(), nullable=True),
    sa.Column('episodes', sa.JSON(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mtime_ns', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=16), nullable=True),
    sa.Column('pending', sa.Boolean(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('path')
    )
    with op.batch_alter_table('inventory_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_item_hash'), ['hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_item_pending'), ['pending'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_item_target'), ['target'], unique=False)

    op.create_table('check_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('path', sa.String(length=4096), nullable=False),
    sa.Column('target', sa.String(length=4096), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.Column('action', sa.String(length=1000), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('check_result', schema=None) as batch_op:
        batch_op.create_index('ix_check_result_job_category', ['job_id', 'category', 'id'], unique=False)

    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('movie_folders', sa.JSON(), nullable=False,
                                      server_default=sa.text('\'["Films", "Movies"]\'')))
        batch_op.add_column(sa.Column('series_folders', sa.JSON(), nullable=False,
                                      server_default=sa.text('\'["Séries", "Series", "TV", "Shows"]\'')))


def downgrade() -> None:
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.drop_column('series_folders')
        batch_op.drop_column('movie_folders')
    with op.batch_alter_table('check_result', schema=None) as batch_op:
        batch_op.drop_index('ix_check_result_job_category')
    op.drop_table('check_result')
    with op.batch_alter_table('inventory_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_item_target'))
        batch_op.drop_index(batch_op.f('ix_inventory_item_pending'))
        batch_op.drop_index(batch_op.f('ix_inventory_item_hash'))
    op.drop_table('inventory_item')
