"""Procurement scoring: scoring configurations (versioned), procurement's external ratings of
suppliers and ranking snapshots, all append-only.

Revision ID: 0010_scoring
Revises: 0009_rollups_assessment
Create Date: 2026-11-25 18:57:25.260698+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Records that must never change once written (database triggers refuse UPDATE and DELETE):
# a new configuration or rating is a new version, and a snapshot must reproduce exactly.
APPEND_ONLY = ("ranking_configs", "ranking_snapshots", "supplier_ratings")

revision: str = '0010_scoring'
down_revision: str | None = '0009_rollups_assessment'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ranking_configs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.CheckConstraint('version >= 1', name=op.f('ck_ranking_configs_version_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_ranking_configs_created_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_ranking_configs_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ranking_configs')),
    sa.UniqueConstraint('organization_id', 'version', name=op.f('uq_ranking_configs_organization_id_version'))
    )
    with op.batch_alter_table('ranking_configs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ranking_configs_organization_id'), ['organization_id'], unique=False)

    op.create_table('ranking_snapshots',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('config_version', sa.Integer(), nullable=False),
    sa.Column('config_sha256', sa.String(length=64), nullable=False),
    sa.Column('inputs_sha256', sa.String(length=64), nullable=False),
    sa.Column('result_sha256', sa.String(length=64), nullable=False),
    sa.Column('supplier_count', sa.Integer(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('log_size', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_ranking_snapshots_created_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_ranking_snapshots_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ranking_snapshots'))
    )
    with op.batch_alter_table('ranking_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ranking_snapshots_organization_id'), ['organization_id'], unique=False)

    op.create_table('supplier_ratings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('relationship_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('cdp_score', sa.String(length=2), nullable=True),
    sa.Column('ecovadis_medal', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.CheckConstraint("cdp_score IS NULL OR cdp_score IN ('D-', 'D', 'C-', 'C', 'B-', 'B', 'A-', 'A')", name=op.f('ck_supplier_ratings_cdp_score_known')),
    sa.CheckConstraint("ecovadis_medal IS NULL OR ecovadis_medal IN ('none', 'bronze', 'silver', 'gold', 'platinum')", name=op.f('ck_supplier_ratings_ecovadis_medal_known')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_supplier_ratings_recorded_by_users')),
    sa.ForeignKeyConstraint(['relationship_id'], ['supply_relationships.id'], name=op.f('fk_supplier_ratings_relationship_id_supply_relationships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_ratings')),
    sa.UniqueConstraint('relationship_id', 'version', name=op.f('uq_supplier_ratings_relationship_id_version'))
    )
    with op.batch_alter_table('supplier_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_ratings_relationship_id'), ['relationship_id'], unique=False)

    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION esgx_refuse_change()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade() -> None:
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    for table in ("supplier_ratings", "ranking_snapshots", "ranking_configs"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{_INDEXED[table]}"))
        op.drop_table(table)


_INDEXED = {
    "ranking_configs": "organization_id",
    "ranking_snapshots": "organization_id",
    "supplier_ratings": "relationship_id",
}
