"""trading: what a live venue reported paying or moving on a live account (funding,
deposits, withdrawals), each recorded once by its id

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 00:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0034"
down_revision: str | Sequence[str] | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "trading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    op.create_table(
        "trading_venue_payments",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=True),
        sa.Column("amount", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("at", astratrade.infrastructure.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_venue_payments")),
        schema=_schema(),
    )


def downgrade() -> None:
    op.drop_table("trading_venue_payments", schema=_schema())
