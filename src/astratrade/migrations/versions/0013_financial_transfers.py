"""financial transfers: faucet claims per UTC day, and the transfers read model

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "financial_faucet_claims",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_financial_faucet_claims")),
    )
    op.create_table(
        "financial_transfers",
        sa.Column("transfer_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("amount", astratrade.infrastructure.types.ExactDecimal(), nullable=True),
        sa.Column("requested", astratrade.infrastructure.types.ExactDecimal(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column(
            "requested_at",
            astratrade.infrastructure.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "settled_at",
            astratrade.infrastructure.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("transfer_id", name=op.f("pk_financial_transfers")),
    )
    op.create_index(
        op.f("ix_financial_transfers_account_id"), "financial_transfers", ["account_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_financial_transfers_account_id"), table_name="financial_transfers")
    op.drop_table("financial_transfers")
    op.drop_table("financial_faucet_claims")
