"""trading: funding recorded per shard (each shard's replica pays its own holders)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "trading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    with op.batch_alter_table("trading_funding", schema=_schema()) as batch_op:
        batch_op.add_column(sa.Column("shard", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint("pk_trading_funding", type_="primary")
        batch_op.create_primary_key("pk_trading_funding", ["market", "funding_time", "shard"])


def downgrade() -> None:
    # Only shard 0's rows fit the old key.
    table = "trading.trading_funding" if _schema() else "trading_funding"
    op.execute(f"DELETE FROM {table} WHERE shard <> 0")  # noqa: S608 - names, not input
    with op.batch_alter_table("trading_funding", schema=_schema()) as batch_op:
        batch_op.drop_constraint("pk_trading_funding", type_="primary")
        batch_op.create_primary_key("pk_trading_funding", ["market", "funding_time"])
        batch_op.drop_column("shard")
