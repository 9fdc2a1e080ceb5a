"""trading: the funding each position has paid (negative: received) since it opened

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 15:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "trading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    op.add_column(
        "trading_positions",
        sa.Column(
            "funding_paid",
            astratrade.infrastructure.types.ExactDecimal(),
            nullable=False,
            server_default="0",
        ),
        schema=_schema(),
    )


def downgrade() -> None:
    op.drop_column("trading_positions", "funding_paid", schema=_schema())
