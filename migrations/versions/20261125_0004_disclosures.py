"""Disclosures (append-only, JWS verbatim plus typed figures), heads, allocations, Scope 3,
offset serial ranges and product footprints.

Revision ID: 0004_disclosures
Revises: 0003_ledger_keys
Create Date: 2026-11-25 15:32:52.818363+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Accepted submissions are history: rows are never rewritten (a restatement is a new row).
APPEND_ONLY = ("disclosures", "disclosure_allocations", "disclosure_scope3", "offset_serial_ranges")


revision: str = '0004_disclosures'
down_revision: str | None = '0003_ledger_keys'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('disclosures',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('period_key', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('content_id', sa.String(length=64), nullable=False),
    sa.Column('jws', sa.Text(), nullable=False),
    sa.Column('jws_sha256', sa.String(length=64), nullable=False),
    sa.Column('issuer', sa.String(length=120), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('signing_key_id', sa.Uuid(), nullable=False),
    sa.Column('log_index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('restates_id', sa.Uuid(), nullable=True),
    sa.Column('restatement_reason', sa.Text(), nullable=True),
    sa.Column('submitted_by', sa.Uuid(), nullable=True),
    sa.Column('submitted_via', sa.String(length=80), nullable=False),
    sa.Column('on_time', sa.Boolean(), nullable=False),
    sa.Column('boundary', sa.String(length=24), nullable=False),
    sa.Column('gwp_set', sa.String(length=3), nullable=False),
    sa.Column('scope1_tco2e', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('scope2_location_tco2e', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('scope2_market_tco2e', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('scope3_upstream_tco2e', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('scope3_total_tco2e', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('electricity_mwh', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('total_energy_mwh', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('renewable_electricity_mwh', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('revenue_amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('revenue_currency', sa.String(length=3), nullable=False),
    sa.Column('output_amount', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('output_unit', sa.String(length=20), nullable=False),
    sa.Column('primary_data_share', sa.Numeric(precision=9, scale=4), nullable=True),
    sa.Column('technological_dqr', sa.Numeric(precision=9, scale=4), nullable=True),
    sa.Column('geographical_dqr', sa.Numeric(precision=9, scale=4), nullable=True),
    sa.Column('temporal_dqr', sa.Numeric(precision=9, scale=4), nullable=True),
    sa.Column('verification_level', sa.String(length=12), nullable=False),
    sa.Column('verification_statement_date', sa.Date(), nullable=True),
    sa.Column('best_target_status', sa.String(length=12), nullable=False),
    sa.Column('offsets_tco2e', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_disclosures_organization_id_organizations')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_disclosures_period_id_reporting_periods')),
    sa.ForeignKeyConstraint(['restates_id'], ['disclosures.id'], name=op.f('fk_disclosures_restates_id_disclosures')),
    sa.ForeignKeyConstraint(['signing_key_id'], ['signing_keys.id'], name=op.f('fk_disclosures_signing_key_id_signing_keys')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_disclosures_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures')),
    sa.UniqueConstraint('content_id', name=op.f('uq_disclosures_content_id')),
    sa.UniqueConstraint('jws_sha256', name=op.f('uq_disclosures_jws_sha256')),
    sa.UniqueConstraint('log_index', name=op.f('uq_disclosures_log_index'))
    )
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosures_period_key'), ['period_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosures_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosures_period_id'), ['period_id'], unique=False)

    op.create_table('disclosure_allocations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('disclosure_id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('customer_scope3_category', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('customer_quantity', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('total_quantity', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('allocated_tco2e', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('product_footprint_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['organizations.id'], name=op.f('fk_disclosure_allocations_customer_id_organizations')),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_disclosure_allocations_disclosure_id_disclosures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_allocations'))
    )
    with op.batch_alter_table('disclosure_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_allocations_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_allocations_disclosure_id'), ['disclosure_id'], unique=False)

    op.create_table('disclosure_heads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('disclosure_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_disclosure_heads_disclosure_id_disclosures')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_disclosure_heads_organization_id_organizations')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_disclosure_heads_period_id_reporting_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_heads')),
    sa.UniqueConstraint('disclosure_id', name=op.f('uq_disclosure_heads_disclosure_id')),
    sa.UniqueConstraint('organization_id', 'period_id', name=op.f('uq_disclosure_heads_organization_id_period_id'))
    )
    op.create_table('disclosure_scope3',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('disclosure_id', sa.Uuid(), nullable=False),
    sa.Column('category', sa.Integer(), nullable=False),
    sa.Column('tco2e', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_disclosure_scope3_disclosure_id_disclosures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_scope3')),
    sa.UniqueConstraint('disclosure_id', 'category', name=op.f('uq_disclosure_scope3_disclosure_id_category'))
    )
    with op.batch_alter_table('disclosure_scope3', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_scope3_disclosure_id'), ['disclosure_id'], unique=False)

    op.create_table('offset_serial_ranges',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('prefix', sa.String(length=200), nullable=False),
    sa.Column('first', sa.Numeric(precision=40, scale=0), nullable=False),
    sa.Column('last', sa.Numeric(precision=40, scale=0), nullable=False),
    sa.Column('serial', sa.String(length=200), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('disclosure_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_offset_serial_ranges_disclosure_id_disclosures')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_offset_serial_ranges_organization_id_organizations')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_offset_serial_ranges_period_id_reporting_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offset_serial_ranges'))
    )
    with op.batch_alter_table('offset_serial_ranges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offset_serial_ranges_disclosure_id'), ['disclosure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offset_serial_ranges_prefix'), ['prefix'], unique=False)

    op.create_table('product_footprints',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('disclosure_id', sa.Uuid(), nullable=False),
    sa.Column('spec_version', sa.String(length=16), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('product_ids', sa.JSON(), nullable=False),
    sa.Column('company_ids', sa.JSON(), nullable=False),
    sa.Column('classifications', sa.JSON(), nullable=False),
    sa.Column('preceding_ids', sa.JSON(), nullable=False),
    sa.Column('geography_country', sa.String(length=2), nullable=True),
    sa.Column('geography_subdivision', sa.String(length=6), nullable=True),
    sa.Column('geography_region', sa.String(length=40), nullable=True),
    sa.Column('reference_period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reference_period_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('validity_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('validity_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declared_unit', sa.String(length=20), nullable=False),
    sa.Column('pcf_excluding_biogenic', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_product_footprints_disclosure_id_disclosures')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_product_footprints_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_footprints'))
    )
    with op.batch_alter_table('product_footprints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_footprints_disclosure_id'), ['disclosure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_footprints_organization_id'), ['organization_id'], unique=False)


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
    with op.batch_alter_table('product_footprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_footprints_organization_id'))
        batch_op.drop_index(batch_op.f('ix_product_footprints_disclosure_id'))

    op.drop_table('product_footprints')
    with op.batch_alter_table('offset_serial_ranges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offset_serial_ranges_prefix'))
        batch_op.drop_index(batch_op.f('ix_offset_serial_ranges_disclosure_id'))

    op.drop_table('offset_serial_ranges')
    with op.batch_alter_table('disclosure_scope3', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_scope3_disclosure_id'))

    op.drop_table('disclosure_scope3')
    op.drop_table('disclosure_heads')
    with op.batch_alter_table('disclosure_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_allocations_disclosure_id'))
        batch_op.drop_index(batch_op.f('ix_disclosure_allocations_customer_id'))

    op.drop_table('disclosure_allocations')
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosures_period_key'))
        batch_op.drop_index(batch_op.f('ix_disclosures_period_id'))
        batch_op.drop_index(batch_op.f('ix_disclosures_organization_id'))

    op.drop_table('disclosures')
