"""position protection facts: equity at open, time without a stop-loss, risk at the stop

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    types = astratrade.infrastructure.types
    with op.batch_alter_table("trading_positions") as table:
        table.add_column(
            sa.Column("equity_at_open", types.ExactDecimal(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("unprotected_since", types.UtcDateTime(), nullable=True))
        table.add_column(
            sa.Column("longest_unprotected_us", sa.BigInteger(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("risk_at_stop", types.ExactDecimal(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("trading_positions") as table:
        table.drop_column("risk_at_stop")
        table.drop_column("longest_unprotected_us")
        table.drop_column("unprotected_since")
        table.drop_column("equity_at_open")
