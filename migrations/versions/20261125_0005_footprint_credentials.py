"""Stand-alone ProductFootprint credentials; a footprint comes from a disclosure or one of them.

Revision ID: 0005_footprint_credentials
Revises: 0004_disclosures
Create Date: 2026-11-25 16:04:05.056601+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_footprint_credentials'
down_revision: str | None = '0004_disclosures'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('footprint_credentials',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('content_id', sa.String(length=64), nullable=False),
    sa.Column('jws', sa.Text(), nullable=False),
    sa.Column('jws_sha256', sa.String(length=64), nullable=False),
    sa.Column('issuer', sa.String(length=120), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('signing_key_id', sa.Uuid(), nullable=False),
    sa.Column('log_index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('footprint_id', sa.Uuid(), nullable=False),
    sa.Column('submitted_by', sa.Uuid(), nullable=True),
    sa.Column('submitted_via', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_footprint_credentials_organization_id_organizations')),
    sa.ForeignKeyConstraint(['signing_key_id'], ['signing_keys.id'], name=op.f('fk_footprint_credentials_signing_key_id_signing_keys')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_footprint_credentials_submitted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_footprint_credentials')),
    sa.UniqueConstraint('content_id', name=op.f('uq_footprint_credentials_content_id')),
    sa.UniqueConstraint('footprint_id', name=op.f('uq_footprint_credentials_footprint_id')),
    sa.UniqueConstraint('jws_sha256', name=op.f('uq_footprint_credentials_jws_sha256')),
    sa.UniqueConstraint('log_index', name=op.f('uq_footprint_credentials_log_index'))
    )
    with op.batch_alter_table('footprint_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_footprint_credentials_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('product_footprints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credential_id', sa.Uuid(), nullable=True))
        batch_op.alter_column('disclosure_id',
               existing_type=sa.Uuid(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_product_footprints_credential_id'), ['credential_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_product_footprints_credential_id_footprint_credentials'), 'footprint_credentials', ['credential_id'], ['id'])
        batch_op.create_check_constraint(
            "one_source", "(disclosure_id IS NULL) <> (credential_id IS NULL)"
        )

    # Filed credentials are history: never rewritten.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER footprint_credentials_append_only BEFORE UPDATE OR DELETE ON "
            "footprint_credentials FOR EACH ROW EXECUTE FUNCTION esgx_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER footprint_credentials_no_{verb.lower()} BEFORE {verb} ON "
                "footprint_credentials BEGIN SELECT RAISE(ABORT, "
                "'footprint_credentials is append-only'); END"
            )



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER footprint_credentials_append_only ON footprint_credentials")
    else:
        op.execute("DROP TRIGGER footprint_credentials_no_update")
        op.execute("DROP TRIGGER footprint_credentials_no_delete")
    with op.batch_alter_table('product_footprints', schema=None) as batch_op:
        batch_op.drop_constraint("one_source", type_="check")
        batch_op.drop_constraint(batch_op.f('fk_product_footprints_credential_id_footprint_credentials'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_product_footprints_credential_id'))
        batch_op.alter_column('disclosure_id',
               existing_type=sa.Uuid(),
               nullable=False)
        batch_op.drop_column('credential_id')

    with op.batch_alter_table('footprint_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_footprint_credentials_organization_id'))

    op.drop_table('footprint_credentials')
