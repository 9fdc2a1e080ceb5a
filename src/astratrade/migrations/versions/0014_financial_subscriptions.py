"""financial subscriptions, and trading's and gamification's read models of plan limits

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 09:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "financial_subscriptions",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("plan", sa.String(length=8), nullable=False),
        sa.Column("period_start", _MOMENT(timezone=True), nullable=True),
        sa.Column("period_end", _MOMENT(timezone=True), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("credit", astratrade.infrastructure.types.ExactDecimal(), nullable=False),
        sa.Column("paid_since", _MOMENT(timezone=True), nullable=True),
        sa.Column("ended_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_financial_subscriptions")),
    )
    op.create_index(
        op.f("ix_financial_subscriptions_period_end"), "financial_subscriptions", ["period_end"]
    )
    op.create_table(
        "gamification_plan_limits",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("plan", sa.String(length=8), nullable=False),
        sa.Column("tournaments_per_month", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_gamification_plan_limits")),
    )
    op.create_table(
        "trading_plan_limits",
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("plan", sa.String(length=8), nullable=False),
        sa.Column("open_orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_trading_plan_limits")),
    )


def downgrade() -> None:
    op.drop_table("trading_plan_limits")
    op.drop_table("gamification_plan_limits")
    op.drop_index(
        op.f("ix_financial_subscriptions_period_end"), table_name="financial_subscriptions"
    )
    op.drop_table("financial_subscriptions")
