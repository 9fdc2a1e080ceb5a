"""trading: leading practice accounts, and copy accounts' copy (id, equity floor, state)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 04:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("copy_state", "copy_floor", "copy_id", "leading")


def _schema() -> str | None:
    return "trading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    """Upgrade schema."""
    money = astratrade.infrastructure.types.ExactDecimal
    with op.batch_alter_table("trading_accounts", schema=_schema()) as table:
        table.add_column(
            sa.Column("leading", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        table.add_column(sa.Column("copy_id", sa.String(length=36), nullable=True))
        table.add_column(sa.Column("copy_floor", money(), nullable=True))
        table.add_column(sa.Column("copy_state", sa.String(length=12), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("trading_accounts", schema=_schema()) as table:
        for column in COLUMNS:
            table.drop_column(column)
