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
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from esgx_platform.db import UTCDateTime


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
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
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


def _json(value: object) -> list[str]:
    return [str(v) for v in (json.loads(value) if isinstance(value, str) else value or [])]


def _plus_three_years(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year + 3)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 3, day=28)


_F = sa.table(
    "product_footprints",
    sa.column("id", sa.Uuid()),
    sa.column("organization_id", sa.Uuid()),
    sa.column("disclosure_id", sa.Uuid()),
    sa.column("credential_id", sa.Uuid()),
    sa.column("product_ids", sa.JSON()),
    sa.column("company_ids", sa.JSON()),
    sa.column("classifications", sa.JSON()),
    sa.column("preceding_ids", sa.JSON()),
    sa.column("geography_country", sa.String()),
    sa.column("geography_subdivision", sa.String()),
    sa.column("geography_region", sa.String()),
    sa.column("reference_period_end", UTCDateTime()),
    sa.column("validity_start", UTCDateTime()),
    sa.column("validity_end", UTCDateTime()),
)
_C = sa.table("footprint_credentials", sa.column("id", sa.Uuid()), sa.column("log_index", sa.Integer()))
_D = sa.table("disclosures", sa.column("id", sa.Uuid()), sa.column("log_index", sa.Integer()))
_LISTING = sa.table(
    "footprint_listing",
    sa.column("footprint_id", sa.Uuid()),
    sa.column("organization_id", sa.Uuid()),
    sa.column("log_index", sa.Integer()),
    sa.column("valid_from", UTCDateTime()),
    sa.column("valid_until", UTCDateTime()),
)
_KEYS = sa.table(
    "footprint_keys", sa.column("footprint_id", sa.Uuid()), sa.column("kind", sa.String()), sa.column("value", sa.String())
)
_DEPRECATIONS = sa.table(
    "footprint_deprecations",
    sa.column("footprint_id", sa.Uuid()),
    sa.column("successor_id", sa.Uuid()),
    sa.column("log_index", sa.Integer()),
)


def _index_existing_footprints() -> None:
    """The same rows esgx_platform.pact.index writes for new footprints (kept in step by a test
    that indexes footprints both ways)."""
    bind = op.get_bind()
    log_index = sa.func.coalesce(_C.c.log_index, _D.c.log_index).label("log_index")
    rows = bind.execute(
        sa.select(_F, log_index)
        .outerjoin(_C, _C.c.id == _F.c.credential_id)
        .outerjoin(_D, _D.c.id == _F.c.disclosure_id)
        .order_by(log_index)
    ).all()
    owners = {r.id: r.organization_id for r in rows}
    listing, keys, deprecations = [], [], {}
    for r in rows:
        end = r.reference_period_end
        listing.append({
            "footprint_id": r.id, "organization_id": r.organization_id, "log_index": r.log_index,
            "valid_from": r.validity_start or end, "valid_until": r.validity_end or _plus_three_years(end),
        })
        geo = [g for g in (r.geography_region, r.geography_country, r.geography_subdivision) if g]
        for kind, values in (("product", _json(r.product_ids)), ("company", _json(r.company_ids)), ("class", _json(r.classifications)), ("geo", geo)):
            for value in sorted({v.lower() for v in values}):
                keys.append({"footprint_id": r.id, "kind": kind, "value": value})
        for old in _json(r.preceding_ids):
            old_id = uuid.UUID(old)
            if old_id != r.id and owners.get(old_id) == r.organization_id and old_id not in deprecations:
                deprecations[old_id] = {"footprint_id": old_id, "successor_id": r.id, "log_index": r.log_index}
    for table, batch in ((_LISTING, listing), (_KEYS, keys), (_DEPRECATIONS, list(deprecations.values()))):
        if batch:
            bind.execute(table.insert(), batch)


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
