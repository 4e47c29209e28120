"""Sign-in throttle and sign-in session records: failed sign-ins counted per account (an HMAC
of the e-mail) and per client address, with the end of the lock a failure started; and a
record per sign-in whose id the session cookie carries, so signing out ends the session on
the server. New tables only: the previous code version keeps working (it ignores them).

Revision ID: 0016_sign_in_throttle
Revises: 0015_rollup_snapshots
Create Date: 2026-11-26 01:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0016_sign_in_throttle'
down_revision: str | None = '0015_rollup_snapshots'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locks_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    op.create_index('ix_sign_in_failures_lookup', 'sign_in_failures', ['scope', 'key', 'failed_at'])
    op.create_table('login_sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions'))
    )
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_login_sessions_user_id'), table_name='login_sessions')
    op.drop_table('login_sessions')
    op.drop_index('ix_sign_in_failures_lookup', table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
