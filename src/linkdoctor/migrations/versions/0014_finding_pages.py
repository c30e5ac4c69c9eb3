"""Findings paged without COUNT or OFFSET: per-category counts on the scan, each finished scan's findings
in every order the page offers, in blocks of positions (finding_order), and their texts stored by scan for search (finding_search); the findings' index on (scan, category)
takes `proposed` too, so that a proposal's counts and pages read the index alone.

Scans kept from before are indexed the first time their findings are asked for (linkdoctor.findings).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('finding_order',
    sa.Column('scan_id', sa.Integer(), nullable=False),
    sa.Column('ordering', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('block', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('ids', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['scan_id'], ['symlink_scan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scan_id', 'ordering', 'category', 'block'),
    sqlite_with_rowid=False
    )
    op.create_table('finding_search',
    sa.Column('scan_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('path', sa.String(length=4096), nullable=False),
    sa.Column('target', sa.String(length=4096), nullable=False),
    sa.ForeignKeyConstraint(['scan_id'], ['symlink_scan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scan_id', 'finding_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('symlink_scan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finding_counts', sa.JSON(), nullable=True))
    op.create_index('ix_finding_scan_category_proposed', 'finding', ['scan_id', 'category', 'proposed'])
    op.drop_index('ix_finding_scan_category', table_name='finding')


def downgrade() -> None:
    op.create_index('ix_finding_scan_category', 'finding', ['scan_id', 'category'])
    op.drop_index('ix_finding_scan_category_proposed', table_name='finding')
    with op.batch_alter_table('symlink_scan', schema=None) as batch_op:
        batch_op.drop_column('finding_counts')
    op.drop_table('finding_search')
    op.drop_table('finding_order')
