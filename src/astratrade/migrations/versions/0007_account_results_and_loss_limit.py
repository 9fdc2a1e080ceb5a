"""accounts: the trader's daily loss limit, and the day's and week's results

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 09:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    money = astratrade.infrastructure.types.ExactDecimal
    with op.batch_alter_table("trading_accounts") as table:
        table.add_column(sa.Column("daily_loss_limit", money(), nullable=True))
        table.add_column(sa.Column("results_day", sa.Date(), nullable=True))
        table.add_column(sa.Column("day_pnl", money(), nullable=False, server_default="0"))
        table.add_column(sa.Column("results_week", sa.Date(), nullable=True))
        table.add_column(sa.Column("week_pnl", money(), nullable=False, server_default="0"))
        table.add_column(sa.Column("week_capital", money(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("trading_accounts") as table:
        for column in (
            "week_capital",
            "week_pnl",
            "results_week",
            "day_pnl",
            "results_day",
            "daily_loss_limit",
        ):
            table.drop_column(column)
