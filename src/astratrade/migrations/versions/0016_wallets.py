"""users: Starknet wallet challenges and linked wallets

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 09:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "users_wallet_challenges",
        sa.Column("nonce", sa.String(length=66), nullable=False),
        sa.Column("address", sa.String(length=66), nullable=False),
        sa.Column("chain_id", sa.String(length=31), nullable=False),
        sa.Column("issued_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("expires_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("used_at", _MOMENT(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_users_wallet_challenges")),
    )
    op.create_table(
        "users_wallets",
        sa.Column("address", sa.String(length=66), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.String(length=66), nullable=False),
        sa.Column("linked_at", _MOMENT(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_users_wallets")),
    )
    op.create_index(op.f("ix_users_wallets_user_id"), "users_wallets", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_users_wallets_user_id"), table_name="users_wallets")
    op.drop_table("users_wallets")
    op.drop_table("users_wallet_challenges")
