"""Transparency log (entries, subtree hashes, state, checkpoints, log keys) and signing keys.

Revision ID: 0003_ledger_keys
Revises: 0002_machine_access
Create Date: 2026-11-25 15:30:25.580530+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

APPEND_ONLY = ("log_entries", "log_subtrees", "log_checkpoints", "key_events")
# SHA-256 of the empty string: the root of the empty tree (RFC 9162).
EMPTY_ROOT = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


revision: str = '0003_ledger_keys'
down_revision: str | None = '0002_machine_access'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('log_entries',
    sa.Column('index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('leaf_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('index', name=op.f('pk_log_entries'))
    )
    op.create_table('log_keys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('verifier_key', sa.String(length=300), nullable=False),
    sa.Column('encrypted_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_keys')),
    sa.UniqueConstraint('verifier_key', name=op.f('uq_log_keys_verifier_key'))
    )
    op.create_table('log_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('size', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('frontier', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_state'))
    )
    op.create_table('log_subtrees',
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('level', 'index', name=op.f('pk_log_subtrees'))
    )
    op.create_table('key_challenges',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_key_challenges_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_challenges')),
    sa.UniqueConstraint('nonce', name=op.f('uq_key_challenges_nonce'))
    )
    with op.batch_alter_table('key_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_challenges_organization_id'), ['organization_id'], unique=False)

    op.create_table('key_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('envelope', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('log_index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_key_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_key_events_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_events')),
    sa.UniqueConstraint('digest', name=op.f('uq_key_events_digest')),
    sa.UniqueConstraint('log_index', name=op.f('uq_key_events_log_index'))
    )
    with op.batch_alter_table('key_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_events_kid'), ['kid'], unique=False)
        batch_op.create_index(batch_op.f('ix_key_events_organization_id'), ['organization_id'], unique=False)

    op.create_table('log_checkpoints',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('size', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('log_key_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['log_key_id'], ['log_keys.id'], name=op.f('fk_log_checkpoints_log_key_id_log_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_checkpoints')),
    sa.UniqueConstraint('size', 'log_key_id', name=op.f('uq_log_checkpoints_size_log_key_id'))
    )
    with op.batch_alter_table('log_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_checkpoints_size'), ['size'], unique=False)

    op.create_table('signing_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('alg', sa.String(length=16), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=True),
    sa.Column('registered_index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('not_after', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rotated_index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('revoked_index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('revoked_effective', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_signing_keys_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_signing_keys_kid'))
    )
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_keys_organization_id'), ['organization_id'], unique=False)

    op.create_table('log_cosignatures',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('checkpoint_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('witness_name', sa.String(length=200), nullable=False),
    sa.Column('signature_line', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['log_checkpoints.id'], name=op.f('fk_log_cosignatures_checkpoint_id_log_checkpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_cosignatures'))
    )
    with op.batch_alter_table('log_cosignatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_cosignatures_checkpoint_id'), ['checkpoint_id'], unique=False)


    # The log's single state row exists from the start, so appends only ever lock it.
    state = sa.table("log_state", sa.column("id", sa.Integer), sa.column("size", sa.BigInteger),
                     sa.column("root", sa.LargeBinary), sa.column("frontier", sa.JSON),
                     sa.column("updated_at", sa.DateTime(timezone=True)))
    now = sa.func.current_timestamp()
    op.execute(state.insert().values(id=1, size=0, root=EMPTY_ROOT, frontier=[], updated_at=now))
    # Log entries, subtree hashes, checkpoints and key events are history: never rewritten.
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
    with op.batch_alter_table('log_cosignatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_cosignatures_checkpoint_id'))

    op.drop_table('log_cosignatures')
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_keys_organization_id'))

    op.drop_table('signing_keys')
    with op.batch_alter_table('log_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_checkpoints_size'))

    op.drop_table('log_checkpoints')
    with op.batch_alter_table('key_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_events_organization_id'))
        batch_op.drop_index(batch_op.f('ix_key_events_kid'))

    op.drop_table('key_events')
    with op.batch_alter_table('key_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_challenges_organization_id'))

    op.drop_table('key_challenges')
    op.drop_table('log_subtrees')
    op.drop_table('log_state')
    op.drop_table('log_keys')
    op.drop_table('log_entries')
