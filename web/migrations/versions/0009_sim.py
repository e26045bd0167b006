"""indexes for the pending-timer and pending-delivery look-ups

Revision ID: 0009_sim
Revises: 0008_channels
Create Date: 2026-11-29 18:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0009_sim'
down_revision: str | None = '0008_channels'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.create_index('ix_timer_status_due_at', ['status', 'due_at'], unique=False)
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_status_next_attempt_at',
                              ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_status_next_attempt_at')
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.drop_index('ix_timer_status_due_at')
