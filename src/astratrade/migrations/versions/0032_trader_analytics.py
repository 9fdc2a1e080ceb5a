"""analytics: trader analytics' read model of trading's events (accounts, trades being
traded and closed, their calendar and running totals, each day's collateral and flows,
each day's positions)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 20:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime
_DECIMAL = astratrade.infrastructure.types.ExactDecimal
_ID = sa.String(length=64)
_COUNTS = ("trades", "wins", "losses", "break_evens", "trades_with_stop")
_SUMS = ("gross_profit", "gross_loss", "net_pnl", "r_sum", "hold_seconds", "fees", "funding")


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "analytics" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "analytics_trader_accounts",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("owner_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("collateral", _DECIMAL(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_analytics_trader_accounts")),
        schema=schema,
    )
    op.create_index(
        "ix_analytics_trader_accounts_owner_id",
        "analytics_trader_accounts",
        ["owner_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "analytics_open_trades",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("market", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("opened_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("fees", _DECIMAL(), nullable=False),
        sa.Column("funding", _DECIMAL(), nullable=False),
        sa.Column("closing_side", sa.String(length=8), nullable=True),
        sa.Column("closing_fees", _DECIMAL(), nullable=True),
        sa.Column("closing_funding", _DECIMAL(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "market", name=op.f("pk_analytics_open_trades")),
        schema=schema,
    )
    op.create_table(
        "analytics_closed_trades",
        sa.Column("trade_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("market", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("opened_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("closed_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("realized_pnl", _DECIMAL(), nullable=False),
        sa.Column("fees", _DECIMAL(), nullable=False),
        sa.Column("funding", _DECIMAL(), nullable=False),
        sa.Column("risk_at_stop", _DECIMAL(), nullable=True),
        sa.PrimaryKeyConstraint("trade_id", name=op.f("pk_analytics_closed_trades")),
        schema=schema,
    )
    # One account's journal, read by closing time.
    op.create_index(
        "ix_analytics_closed_trades_account_closed",
        "analytics_closed_trades",
        ["account_id", "closed_at"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "analytics_account_days",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("collateral", _DECIMAL(), nullable=False),
        sa.Column("flows", _DECIMAL(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_analytics_account_days")),
        schema=schema,
    )
    op.create_table(
        "analytics_position_days",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("market", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("size", _DECIMAL(), nullable=False),
        sa.Column("entry_price", _DECIMAL(), nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id", "market", "day", name=op.f("pk_analytics_position_days")
        ),
        schema=schema,
    )
    op.create_table(
        "analytics_trade_calendar",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("trades", sa.Integer(), nullable=False),
        sa.Column("net_pnl", _DECIMAL(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "day", name=op.f("pk_analytics_trade_calendar")),
        schema=schema,
    )
    # Running totals per account, market and side at each day's end: a period's totals are
    # two rows' difference (the key is also the index of "the latest row before a day").
    op.create_table(
        "analytics_trade_totals",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("market", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS],
        *[sa.Column(name, _DECIMAL(), nullable=False) for name in _SUMS],
        sa.PrimaryKeyConstraint(
            "account_id", "market", "side", "day", name=op.f("pk_analytics_trade_totals")
        ),
        schema=schema,
    )


def downgrade() -> None:
    schema = _schema()
    op.drop_table("analytics_trade_totals", schema=schema)
    op.drop_table("analytics_trade_calendar", schema=schema)
    op.drop_table("analytics_position_days", schema=schema)
    op.drop_table("analytics_account_days", schema=schema)
    op.drop_index(
        "ix_analytics_closed_trades_account_closed", "analytics_closed_trades", schema=schema
    )
    op.drop_table("analytics_closed_trades", schema=schema)
    op.drop_table("analytics_open_trades", schema=schema)
    op.drop_index(
        "ix_analytics_trader_accounts_owner_id", "analytics_trader_accounts", schema=schema
    )
    op.drop_table("analytics_trader_accounts", schema=schema)
