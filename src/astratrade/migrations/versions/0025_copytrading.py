"""copytrading: leaders, and its read models (traders' names and levels, practice accounts
and their closed positions, blocks) in a schema of its own

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 16:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime
_DECIMAL = astratrade.infrastructure.types.ExactDecimal


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "copytrading" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    schema = _schema()
    if schema is not None:
        op.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    op.create_table(
        "copytrading_leaders",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("profit_share", _DECIMAL(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_copytrading_leaders")),
        schema=schema,
    )
    with op.batch_alter_table("copytrading_leaders", schema=schema) as batch_op:
        batch_op.create_index("ix_copytrading_leaders_active", ["active", "user_id"], unique=False)

    op.create_table(
        "copytrading_traders",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("username_key", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_copytrading_traders")),
        sa.UniqueConstraint("username_key", name=op.f("uq_copytrading_traders_username_key")),
        schema=schema,
    )
    op.create_table(
        "copytrading_levels",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_copytrading_levels")),
        schema=schema,
    )
    op.create_table(
        "copytrading_practice_accounts",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("last_liquidation_at", _MOMENT(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_copytrading_practice_accounts")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_copytrading_practice_accounts_owner_id")),
        schema=schema,
    )
    op.create_table(
        "copytrading_blocks",
        sa.Column("blocker_id", sa.String(length=36), nullable=False),
        sa.Column("blocked_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_copytrading_blocks")),
        schema=schema,
    )
    with op.batch_alter_table("copytrading_blocks", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_copytrading_blocks_blocked", ["blocked_id", "blocker_id"], unique=False
        )
    op.create_table(
        "copytrading_closed_positions",
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("market", sa.String(length=20), nullable=False),
        sa.Column("opened_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("closed_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("realized_pnl", _DECIMAL(), nullable=False),
        sa.Column("equity_at_open", _DECIMAL(), nullable=False),
        sa.Column("liquidated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("position_id", name=op.f("pk_copytrading_closed_positions")),
        schema=schema,
    )
    with op.batch_alter_table("copytrading_closed_positions", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_copytrading_closed_positions_owner",
            ["owner_id", "closed_at", "position_id"],
            unique=False,
        )


def downgrade() -> None:
    schema = _schema()
    with op.batch_alter_table("copytrading_closed_positions", schema=schema) as batch_op:
        batch_op.drop_index("ix_copytrading_closed_positions_owner")
    op.drop_table("copytrading_closed_positions", schema=schema)
    with op.batch_alter_table("copytrading_blocks", schema=schema) as batch_op:
        batch_op.drop_index("ix_copytrading_blocks_blocked")
    op.drop_table("copytrading_blocks", schema=schema)
    op.drop_table("copytrading_practice_accounts", schema=schema)
    op.drop_table("copytrading_levels", schema=schema)
    op.drop_table("copytrading_traders", schema=schema)
    with op.batch_alter_table("copytrading_leaders", schema=schema) as batch_op:
        batch_op.drop_index("ix_copytrading_leaders_active")
    op.drop_table("copytrading_leaders", schema=schema)
    if schema is not None:
        op.execute(f'DROP SCHEMA IF EXISTS "{schema}"')  # refuses if anything else is in it
