"""Roll-up snapshots: a lead factory's Scope 3 for a period each time the scheduler's refresh
job recomputed it after new verified data (append-only).

Revision ID: 0015_rollup_snapshots
Revises: 0014_webhooks
Create Date: 2026-11-26 01:10:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015_rollup_snapshots'
down_revision: str | None = '0014_webhooks'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rollup_snapshots',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('log_size', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('total_tco2e', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_rollup_snapshots_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_snapshots'))
    )
    op.create_index(op.f('ix_rollup_snapshots_organization_id'), 'rollup_snapshots', ['organization_id'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER rollup_snapshots_append_only BEFORE UPDATE OR DELETE ON "
            "rollup_snapshots FOR EACH ROW EXECUTE FUNCTION esgx_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER rollup_snapshots_no_{verb.lower()} BEFORE {verb} ON "
                "rollup_snapshots BEGIN SELECT RAISE(ABORT, 'rollup_snapshots is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER rollup_snapshots_append_only ON rollup_snapshots")
    else:
        op.execute("DROP TRIGGER rollup_snapshots_no_update")
        op.execute("DROP TRIGGER rollup_snapshots_no_delete")
    op.drop_index(op.f('ix_rollup_snapshots_organization_id'), table_name='rollup_snapshots')
    op.drop_table('rollup_snapshots')
