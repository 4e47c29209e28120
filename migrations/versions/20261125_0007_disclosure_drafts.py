"""Drafts of disclosures being prepared in the supplier portal.

Revision ID: 0007_disclosure_drafts
Revises: 0006_one_cosignature_per_witness
Create Date: 2026-11-25 16:35:31.729270+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007_disclosure_drafts'
down_revision: str | None = '0006_one_cosignature_per_witness'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('disclosure_drafts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('period_key', sa.String(length=7), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_disclosure_drafts_organization_id_organizations')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_disclosure_drafts_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_drafts')),
    sa.UniqueConstraint('organization_id', 'period_key', name=op.f('uq_disclosure_drafts_organization_id_period_key'))
    )


def downgrade() -> None:
    op.drop_table('disclosure_drafts')
