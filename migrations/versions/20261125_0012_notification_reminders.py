"""Inbox rows know the reminder they announce, so the portal's inbox can show the lead factory,
the period and the deadline as data rather than only in the text. Nullable: key-expiry warnings
and other notifications have no reminder, and the previous code version keeps working.

Revision ID: 0012_notification_reminders
Revises: 0011_scheduler
Create Date: 2026-11-25 21:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012_notification_reminders'
down_revision: str | None = '0011_scheduler'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_notifications_reminder_id_reminders'), 'reminders', ['reminder_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_reminder_id_reminders'), type_='foreignkey')
        batch_op.drop_column('reminder_id')
