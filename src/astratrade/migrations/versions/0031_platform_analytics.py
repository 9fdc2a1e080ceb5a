"""analytics: platform analytics' read models (sign-ups, activity, per market and day
figures, liquidations, copies, tournament entries, MRR)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 20:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime
_DECIMAL = astratrade.infrastructure.types.ExactDecimal
_ID = sa.String(length=64)
_MARKET = sa.String(length=32)


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "analytics" if op.get_bind().dialect.name == "postgresql" else None


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "analytics_platform_signups",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("signed_up_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _pk("analytics_platform_signups", "user_id"),
        schema=schema,
    )
    op.create_index(
        "ix_analytics_platform_signups_day", "analytics_platform_signups", ["day"], schema=schema
    )
    op.create_table(
        "analytics_platform_activity",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _pk("analytics_platform_activity", "user_id", "day"),
        schema=schema,
    )
    op.create_index(
        "ix_analytics_platform_activity_day", "analytics_platform_activity", ["day"], schema=schema
    )
    op.create_table(
        "analytics_platform_copy_accounts",
        sa.Column("account_id", _ID, nullable=False),
        _pk("analytics_platform_copy_accounts", "account_id"),
        schema=schema,
    )
    op.create_table(
        "analytics_platform_market_days",
        sa.Column("market", _MARKET, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("fills", sa.Integer(), nullable=False),
        sa.Column("volume", _DECIMAL(), nullable=False),
        sa.Column("fees", _DECIMAL(), nullable=False),
        sa.Column("copied_volume", _DECIMAL(), nullable=False),
        sa.Column("liquidation_fills", sa.Integer(), nullable=False),
        sa.Column("open_interest_change", _DECIMAL(), nullable=False),
        _pk("analytics_platform_market_days", "market", "day"),
        schema=schema,
    )
    op.create_table(
        "analytics_platform_liquidation_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("liquidations", sa.Integer(), nullable=False),
        sa.Column("liquidation_fees", _DECIMAL(), nullable=False),
        _pk("analytics_platform_liquidation_days", "day"),
        schema=schema,
    )
    op.create_table(
        "analytics_platform_copies",
        sa.Column("copy_id", _ID, nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        _pk("analytics_platform_copies", "copy_id"),
        schema=schema,
    )
    op.create_table(
        "analytics_platform_tournament_entries",
        sa.Column("tournament_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _pk("analytics_platform_tournament_entries", "tournament_id", "user_id"),
        schema=schema,
    )
    op.create_index(
        "ix_analytics_platform_tournament_entries_day",
        "analytics_platform_tournament_entries",
        ["day"],
        schema=schema,
    )
    op.create_table(
        "analytics_platform_subscription_prices",
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("monthly_price", _DECIMAL(), nullable=False),
        _pk("analytics_platform_subscription_prices", "user_id"),
        schema=schema,
    )
    op.create_table(
        "analytics_platform_mrr_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("mrr_change", _DECIMAL(), nullable=False),
        _pk("analytics_platform_mrr_days", "day"),
        schema=schema,
    )


TABLES = (
    "analytics_platform_mrr_days",
    "analytics_platform_subscription_prices",
    "analytics_platform_tournament_entries",
    "analytics_platform_copies",
    "analytics_platform_liquidation_days",
    "analytics_platform_market_days",
    "analytics_platform_copy_accounts",
    "analytics_platform_activity",
    "analytics_platform_signups",
)


def downgrade() -> None:
    schema = _schema()
    for table in TABLES:
        op.drop_table(table, schema=schema)  # their indexes go with them
