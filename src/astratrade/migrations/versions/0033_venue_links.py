"""trading: live accounts' links to their Extended sub-accounts (API key and Stark private
key sealed)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 23:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0033"
down_revision: str | Sequence[str] | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "trading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "trading_venue_links",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("venue", sa.String(length=16), nullable=False),
        sa.Column("vault_id", sa.BigInteger(), nullable=False),
        sa.Column("venue_account_id", sa.BigInteger(), nullable=False),
        sa.Column("stark_public_key", sa.String(length=66), nullable=False),
        sa.Column("api_key_sealed", sa.Text(), nullable=False),
        sa.Column("stark_private_key_sealed", sa.Text(), nullable=False),
        sa.Column("connected_at", astratrade.infrastructure.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_trading_venue_links")),
        schema=schema,
    )
    op.create_index(
        op.f("ix_trading_venue_links_owner_id"),
        "trading_venue_links",
        ["owner_id"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = _schema()
    op.drop_index(
        op.f("ix_trading_venue_links_owner_id"), table_name="trading_venue_links", schema=schema
    )
    op.drop_table("trading_venue_links", schema=schema)
