"""A witness cosigns a checkpoint once (a race between two posts ends in a clean conflict).

Revision ID: 0006_one_cosignature_per_witness
Revises: 0005_footprint_credentials
Create Date: 2026-11-25 16:26:53.574563+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006_one_cosignature_per_witness'
down_revision: str | None = '0005_footprint_credentials'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('log_cosignatures', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_log_cosignatures_checkpoint_id_witness_name'), ['checkpoint_id', 'witness_name'])



def downgrade() -> None:
    with op.batch_alter_table('log_cosignatures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_log_cosignatures_checkpoint_id_witness_name'), type_='unique')

