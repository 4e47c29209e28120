"""Roll-ups (spend factors, rates, price indices, purchases, factory settings), suppliers'
tier-2 engagement as typed rows, and assessment models, snapshots, findings and actions.

Revision ID: 0009_rollups_assessment
Revises: 0008_invitations
Create Date: 2026-11-25 17:42:29.418551+00:00
"""

import base64
import json
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

# Records that must never change once written (database triggers refuse UPDATE and DELETE).
APPEND_ONLY = (
    "spend_factor_tables",
    "spend_factors",
    "disclosure_engagement",
    "assessment_models",
    "assessment_snapshots",
    "assessment_findings",
    "improvement_action_events",
)


revision: str = '0009_rollups_assessment'
down_revision: str | None = '0008_invitations'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exchange_rates',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('quote_currency', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rate', sa.Numeric(precision=24, scale=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('currency', 'quote_currency', 'year', name=op.f('uq_exchange_rates_currency_quote_currency_year'))
    )
    op.create_table('price_indices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('index', sa.Numeric(precision=24, scale=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_indices')),
    sa.UniqueConstraint('currency', 'year', name=op.f('uq_price_indices_currency_year'))
    )
    op.create_table('assessment_models',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('model_id', sa.String(length=120), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_assessment_models_organization_id_organizations')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_assessment_models_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_models')),
    sa.UniqueConstraint('organization_id', 'sha256', name=op.f('uq_assessment_models_organization_id_sha256'))
    )
    with op.batch_alter_table('assessment_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_models_organization_id'), ['organization_id'], unique=False)

    op.create_table('assessment_snapshots',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('model_id', sa.String(length=120), nullable=False),
    sa.Column('model_version', sa.String(length=40), nullable=False),
    sa.Column('model_sha256', sa.String(length=64), nullable=False),
    sa.Column('grade', sa.String(length=40), nullable=False),
    sa.Column('total_score', sa.Numeric(precision=9, scale=2), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_assessment_snapshots_created_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_assessment_snapshots_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_snapshots'))
    )
    with op.batch_alter_table('assessment_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_snapshots_organization_id'), ['organization_id'], unique=False)

    op.create_table('spend_factor_tables',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_year', sa.Integer(), nullable=False),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by'], ['users.id'], name=op.f('fk_spend_factor_tables_imported_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_factor_tables')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_spend_factor_tables_name_version'))
    )
    op.create_table('assessment_findings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('snapshot_id', sa.Uuid(), nullable=False),
    sa.Column('indicator_id', sa.String(length=80), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('title_en', sa.Text(), nullable=False),
    sa.Column('title_zh', sa.Text(), nullable=False),
    sa.Column('action_en', sa.Text(), nullable=False),
    sa.Column('action_zh', sa.Text(), nullable=False),
    sa.Column('observed', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['snapshot_id'], ['assessment_snapshots.id'], name=op.f('fk_assessment_findings_snapshot_id_assessment_snapshots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_findings'))
    )
    with op.batch_alter_table('assessment_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_findings_snapshot_id'), ['snapshot_id'], unique=False)

    op.create_table('factory_settings',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('renewable_threshold_pct', sa.Numeric(precision=9, scale=4), nullable=False),
    sa.Column('reporting_currency', sa.String(length=3), nullable=False),
    sa.Column('spend_factor_table_id', sa.Uuid(), nullable=True),
    sa.Column('assessment_model_id', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.CheckConstraint('deadline_days BETWEEN 1 AND 180', name=op.f('ck_factory_settings_deadline_days_range')),
    sa.CheckConstraint('renewable_threshold_pct BETWEEN 0 AND 100', name=op.f('ck_factory_settings_renewable_threshold_range')),
    sa.ForeignKeyConstraint(['assessment_model_id'], ['assessment_models.id'], name=op.f('fk_factory_settings_assessment_model_id_assessment_models')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_factory_settings_organization_id_organizations')),
    sa.ForeignKeyConstraint(['spend_factor_table_id'], ['spend_factor_tables.id'], name=op.f('fk_factory_settings_spend_factor_table_id_spend_factor_tables')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_factory_settings_updated_by_users')),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_factory_settings'))
    )
    op.create_table('relationship_purchases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('relationship_id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('product_id', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=24, scale=6), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_relationship_purchases_quantity_positive')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_relationship_purchases_period_id_reporting_periods')),
    sa.ForeignKeyConstraint(['relationship_id'], ['supply_relationships.id'], name=op.f('fk_relationship_purchases_relationship_id_supply_relationships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relationship_purchases')),
    sa.UniqueConstraint('relationship_id', 'period_id', 'product_id', name=op.f('uq_relationship_purchases_relationship_id_period_id_product_id'))
    )
    with op.batch_alter_table('relationship_purchases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relationship_purchases_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relationship_purchases_relationship_id'), ['relationship_id'], unique=False)

    op.create_table('spend_factors',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('table_id', sa.Uuid(), nullable=False),
    sa.Column('sector_code', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('kgco2e_per_unit', sa.Numeric(precision=24, scale=10), nullable=False),
    sa.ForeignKeyConstraint(['table_id'], ['spend_factor_tables.id'], name=op.f('fk_spend_factors_table_id_spend_factor_tables')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_factors')),
    sa.UniqueConstraint('table_id', 'sector_code', name=op.f('uq_spend_factors_table_id_sector_code'))
    )
    with op.batch_alter_table('spend_factors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spend_factors_table_id'), ['table_id'], unique=False)

    op.create_table('disclosure_engagement',
    sa.Column('disclosure_id', sa.Uuid(), nullable=False),
    sa.Column('reporting_share_by_spend', sa.Numeric(precision=9, scale=4), nullable=True),
    sa.Column('targets_share_by_spend', sa.Numeric(precision=9, scale=4), nullable=True),
    sa.Column('green_factory', sa.String(length=24), nullable=True),
    sa.Column('take_back', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_disclosure_engagement_disclosure_id_disclosures')),
    sa.PrimaryKeyConstraint('disclosure_id', name=op.f('pk_disclosure_engagement'))
    )
    op.create_table('improvement_actions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('finding_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_improvement_actions_created_by_users')),
    sa.ForeignKeyConstraint(['finding_id'], ['assessment_findings.id'], name=op.f('fk_improvement_actions_finding_id_assessment_findings')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_improvement_actions_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_actions'))
    )
    with op.batch_alter_table('improvement_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_actions_organization_id'), ['organization_id'], unique=False)

    op.create_table('improvement_action_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('action_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['improvement_actions.id'], name=op.f('fk_improvement_action_events_action_id_improvement_actions')),
    sa.ForeignKeyConstraint(['by'], ['users.id'], name=op.f('fk_improvement_action_events_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_action_events'))
    )
    with op.batch_alter_table('improvement_action_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_action_events_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('supply_relationships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spend_sector_code', sa.String(length=40), nullable=True))

    _backfill_engagement()
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


def _backfill_engagement() -> None:
    """Disclosures stored before this revision: read the engagement from the signed payload
    (the JWS is the source of truth; it was verified at intake)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, jws FROM disclosures"))
    insert = sa.text(
        "INSERT INTO disclosure_engagement (disclosure_id, reporting_share_by_spend, "
        "targets_share_by_spend, green_factory, take_back) VALUES (:id, :r, :t, :g, :b)"
    )
    for disclosure_id, jws in rows.fetchall():
        payload = jws.split(".")[1]
        doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        found = doc.get("credentialSubject", {}).get("supplyChainEngagement")
        if not found:
            continue
        bind.execute(
            insert,
            {
                "id": disclosure_id,
                "r": _decimal(found.get("reportingShareBySpend")),
                "t": _decimal(found.get("targetsShareBySpend")),
                "g": found.get("greenFactory"),
                "b": found.get("takeBack"),
            },
        )


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def downgrade() -> None:
    for table in APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    with op.batch_alter_table('supply_relationships', schema=None) as batch_op:
        batch_op.drop_column('spend_sector_code')

    with op.batch_alter_table('improvement_action_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_action_events_action_id'))

    op.drop_table('improvement_action_events')
    with op.batch_alter_table('improvement_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_actions_organization_id'))

    op.drop_table('improvement_actions')
    op.drop_table('disclosure_engagement')
    with op.batch_alter_table('spend_factors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spend_factors_table_id'))

    op.drop_table('spend_factors')
    with op.batch_alter_table('relationship_purchases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relationship_purchases_relationship_id'))
        batch_op.drop_index(batch_op.f('ix_relationship_purchases_period_id'))

    op.drop_table('relationship_purchases')
    op.drop_table('factory_settings')
    with op.batch_alter_table('assessment_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_findings_snapshot_id'))

    op.drop_table('assessment_findings')
    op.drop_table('spend_factor_tables')
    with op.batch_alter_table('assessment_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_snapshots_organization_id'))

    op.drop_table('assessment_snapshots')
    with op.batch_alter_table('assessment_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_models_organization_id'))

    op.drop_table('assessment_models')
    op.drop_table('price_indices')
    op.drop_table('exchange_rates')
