"""The PACT host's tables: a listing index over filed footprints (log order, lower-cased
identifiers, deprecations by later footprints), lead factories' callback credentials and the
footprint requests they send. Existing footprints are indexed here, so the host lists them too.

Revision ID: 0013_pact_host
Revises: 0012_notification_reminders
Create Date: 2026-11-26 00:40:00.000000+00:00
"""

import json
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013_pact_host'
down_revision: str | None = '0012_notification_reminders'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_APPEND_ONLY = ("footprint_listing", "footprint_keys", "footprint_deprecations")


def upgrade() -> None:
    op.create_table('footprint_listing',
    sa.Column('footprint_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('log_index', _BIGINT, nullable=False),
    sa.ForeignKeyConstraint(['footprint_id'], ['product_footprints.id'], name=op.f('fk_footprint_listing_footprint_id_product_footprints')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_footprint_listing_organization_id_organizations')),
    sa.PrimaryKeyConstraint('footprint_id', name=op.f('pk_footprint_listing'))
    )
    op.create_index('ix_footprint_listing_order', 'footprint_listing', ['log_index', 'footprint_id'])
    op.create_index(op.f('ix_footprint_listing_organization_id'), 'footprint_listing', ['organization_id'])
    op.create_table('footprint_keys',
    sa.Column('footprint_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['footprint_id'], ['product_footprints.id'], name=op.f('fk_footprint_keys_footprint_id_product_footprints')),
    sa.PrimaryKeyConstraint('footprint_id', 'kind', 'value', name=op.f('pk_footprint_keys'))
    )
    op.create_index('ix_footprint_keys_lookup', 'footprint_keys', ['kind', 'value'])
    op.create_table('footprint_deprecations',
    sa.Column('footprint_id', sa.Uuid(), nullable=False),
    sa.Column('successor_id', sa.Uuid(), nullable=False),
    sa.Column('log_index', _BIGINT, nullable=False),
    sa.ForeignKeyConstraint(['footprint_id'], ['product_footprints.id'], name=op.f('fk_footprint_deprecations_footprint_id_product_footprints')),
    sa.ForeignKeyConstraint(['successor_id'], ['product_footprints.id'], name=op.f('fk_footprint_deprecations_successor_id_product_footprints')),
    sa.PrimaryKeyConstraint('footprint_id', name=op.f('pk_footprint_deprecations'))
    )
    op.create_table('pact_callback_credentials',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('base_url', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('secret_ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_pact_callback_credentials_created_by_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_pact_callback_credentials_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_callback_credentials')),
    sa.UniqueConstraint('organization_id', 'base_url', name=op.f('uq_pact_callback_credentials_organization_id_base_url'))
    )
    op.create_index(op.f('ix_pact_callback_credentials_organization_id'), 'pact_callback_credentials', ['organization_id'])
    op.create_table('pact_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('oauth_client_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['oauth_client_id'], ['oauth_clients.id'], name=op.f('fk_pact_requests_oauth_client_id_oauth_clients')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_pact_requests_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pact_requests')),
    sa.UniqueConstraint('organization_id', 'event_id', name=op.f('uq_pact_requests_organization_id_event_id'))
    )
    op.create_index(op.f('ix_pact_requests_organization_id'), 'pact_requests', ['organization_id'])
    op.create_index(op.f('ix_pact_requests_state'), 'pact_requests', ['state'])
    _index_existing_footprints()
    _append_only()


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _json(value: object) -> list[str]:
    return [str(v) for v in (json.loads(value) if isinstance(value, str) else value or [])]


def _index_existing_footprints() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT f.id, f.organization_id, f.product_ids, f.company_ids, f.classifications, "
            "f.preceding_ids, COALESCE(c.log_index, d.log_index) AS log_index "
            "FROM product_footprints f "
            "LEFT JOIN footprint_credentials c ON c.id = f.credential_id "
            "LEFT JOIN disclosures d ON d.id = f.disclosure_id"
        )
    ).all()
    owners = {_uuid(r.id): (_uuid(r.organization_id), r.log_index) for r in rows}
    listing, keys, deprecations = [], [], {}
    for r in sorted(rows, key=lambda r: r.log_index):
        fid = _uuid(r.id)
        listing.append({"footprint_id": fid, "organization_id": owners[fid][0], "log_index": r.log_index})
        for kind, values in (("product", r.product_ids), ("company", r.company_ids), ("class", r.classifications)):
            for value in sorted({v.lower() for v in _json(values)}):
                keys.append({"footprint_id": fid, "kind": kind, "value": value})
        for old in _json(r.preceding_ids):
            old_id = _uuid(old)
            if owners.get(old_id, (None,))[0] == owners[fid][0] and old_id not in deprecations:
                deprecations[old_id] = {"footprint_id": old_id, "successor_id": fid, "log_index": r.log_index}
    meta = sa.MetaData()
    for name, batch in (("footprint_listing", listing), ("footprint_keys", keys), ("footprint_deprecations", list(deprecations.values()))):
        if batch:
            bind.execute(sa.Table(name, meta, autoload_with=bind).insert(), batch)


def _append_only() -> None:
    # Derived from append-only records and never rewritten; the triggers say so.
    for table in _APPEND_ONLY:
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
    for table in _APPEND_ONLY:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    op.drop_index(op.f('ix_pact_requests_state'), table_name='pact_requests')
    op.drop_index(op.f('ix_pact_requests_organization_id'), table_name='pact_requests')
    op.drop_table('pact_requests')
    op.drop_index(op.f('ix_pact_callback_credentials_organization_id'), table_name='pact_callback_credentials')
    op.drop_table('pact_callback_credentials')
    op.drop_table('footprint_deprecations')
    op.drop_index('ix_footprint_keys_lookup', table_name='footprint_keys')
    op.drop_table('footprint_keys')
    op.drop_index(op.f('ix_footprint_listing_organization_id'), table_name='footprint_listing')
    op.drop_index('ix_footprint_listing_order', table_name='footprint_listing')
    op.drop_table('footprint_listing')
