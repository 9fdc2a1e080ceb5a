"""initial schema: audit log, outbox, users, trading

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:22:27.345112

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    _event_log()
    _outbox()
    _trading_accounts()
    _trading_fills()
    _trading_funding()
    _trading_leverage()
    _trading_leverage_limits()
    _trading_orders()
    _trading_positions()
    _users_progress()
    _users_refresh_tokens()
    _users_users()


def _event_log() -> None:
    op.create_table(
        "event_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("event_version", sa.Integer(), nullable=False),
        sa.Column("context", sa.String(length=20), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("aggregate_version", sa.Integer(), nullable=False),
        sa.Column(
            "occurred_at",
            astratrade.infrastructure.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("causation_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_log")),
        sa.UniqueConstraint(
            "aggregate_id",
            "aggregate_version",
            name=op.f("uq_event_log_aggregate_id_aggregate_version"),
        ),
        sa.UniqueConstraint("event_id", name=op.f("uq_event_log_event_id")),
    )


def _outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("context", sa.String(length=20), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "published_at",
            astratrade.infrastructure.types.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_published_at"), ["published_at"], unique=False)


def _trading_accounts() -> None:
    op.create_table(
        "trading_accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("collateral", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_accounts")),
    )
    with op.batch_alter_table("trading_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trading_accounts_owner_id"), ["owner_id"], unique=False
        )


def _trading_fills() -> None:
    op.create_table(
        "trading_fills",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("size", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("price", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("fee", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("liquidity", sa.String(length=12), nullable=False),
        sa.Column("realized_pnl", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_fills")),
    )
    with op.batch_alter_table("trading_fills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trading_fills_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trading_fills_order_id"), ["order_id"], unique=False)


def _trading_funding() -> None:
    op.create_table(
        "trading_funding",
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column(
            "funding_time",
            astratrade.infrastructure.types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("rate", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("mark", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("accounts_paid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("market", "funding_time", name=op.f("pk_trading_funding")),
    )


def _trading_leverage() -> None:
    op.create_table(
        "trading_leverage",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("leverage", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "market", name=op.f("pk_trading_leverage")),
    )


def _trading_leverage_limits() -> None:
    op.create_table(
        "trading_leverage_limits",
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("max_leverage", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column(
            "updated_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_trading_leverage_limits")),
    )


def _trading_orders() -> None:
    op.create_table(
        "trading_orders",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("size", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("price", astratrade.infrastructure.types.ExactDecimal(), nullable=True),
        sa.Column("trigger_price", astratrade.infrastructure.types.ExactDecimal(), nullable=True),
        sa.Column("reduce_only", sa.Boolean(), nullable=False),
        sa.Column("time_in_force", sa.String(length=4), nullable=False),
        sa.Column("client_order_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("filled_size", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("average_price", astratrade.infrastructure.types.ExactDecimal(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_orders")),
        sa.UniqueConstraint(
            "account_id",
            "client_order_id",
            name=op.f("uq_trading_orders_account_id_client_order_id"),
        ),
    )
    with op.batch_alter_table("trading_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trading_orders_account_status", ["account_id", "status"], unique=False
        )


def _trading_positions() -> None:
    op.create_table(
        "trading_positions",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("size", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("entry_price", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("realized_pnl", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column(
            "opened_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("account_id", "market", name=op.f("pk_trading_positions")),
    )


def _users_progress() -> None:
    op.create_table(
        "users_progress",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("xp", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("max_leverage", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column(
            "updated_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users_progress")),
    )


def _users_refresh_tokens() -> None:
    op.create_table(
        "users_refresh_tokens",
        sa.Column("token_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column(
            "issued_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "used_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("replaced_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_users_refresh_tokens")),
    )
    with op.batch_alter_table("users_refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_refresh_tokens_user_id"), ["user_id"], unique=False
        )


def _users_users() -> None:
    op.create_table(
        "users_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("username_key", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("kyc", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", astratrade.infrastructure.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_users_email")),
        sa.UniqueConstraint("username_key", name=op.f("uq_users_users_username_key")),
    )

    # ### end Alembic commands ###


def downgrade() -> None:
    """Downgrade schema."""
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("users_users")
    with op.batch_alter_table("users_refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_refresh_tokens_user_id"))

    op.drop_table("users_refresh_tokens")
    op.drop_table("users_progress")
    op.drop_table("trading_positions")
    with op.batch_alter_table("trading_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_trading_orders_account_status")

    op.drop_table("trading_orders")
    op.drop_table("trading_leverage_limits")
    op.drop_table("trading_leverage")
    op.drop_table("trading_funding")
    with op.batch_alter_table("trading_fills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_fills_order_id"))
        batch_op.drop_index(batch_op.f("ix_trading_fills_account_id"))

    op.drop_table("trading_fills")
    with op.batch_alter_table("trading_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_accounts_owner_id"))

    op.drop_table("trading_accounts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_published_at"))

    op.drop_table("outbox")
    op.drop_table("event_log")
    # ### end Alembic commands ###
