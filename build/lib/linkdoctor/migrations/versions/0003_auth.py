"""Authentication: the server's API key, password hash and session key; auth_required and allowed_hosts settings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auth_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('api_key', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('session_secret', sa.String(length=128), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth_required', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('allowed_hosts', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('symlink_config', schema=None) as batch_op:
        batch_op.drop_column('allowed_hosts')
        batch_op.drop_column('auth_required')
    op.drop_table('auth_credentials')
