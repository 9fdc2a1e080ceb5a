"""badges: the badges issued from unlocked achievements, and its read models (traders'
levels, names, profile visibility, blocks and wallets), and the mint queue, in a schema of its own

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 04:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "badges" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    schema = _schema()
    if schema is not None:
        op.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    op.create_table(
        "badges_badges",
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("achievement", sa.String(length=40), nullable=False),
        sa.Column("earned_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("revoked_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=280), nullable=True),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_badges_badges")),
        sa.UniqueConstraint(
            "user_id", "achievement", name=op.f("uq_badges_badges_user_achievement")
        ),
        schema=schema,
    )
    with op.batch_alter_table("badges_badges", schema=schema) as batch_op:
        batch_op.create_index("ix_badges_badges_holder", ["holder"], unique=False)
    op.create_table(
        "badges_levels",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_badges_levels")),
        schema=schema,
    )
    op.create_table(
        "badges_holders",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=True),
        sa.Column("username_key", sa.String(length=40), nullable=True),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_badges_holders")),
        sa.UniqueConstraint("username_key", name=op.f("uq_badges_holders_username_key")),
        schema=schema,
    )
    op.create_table(
        "badges_blocks",
        sa.Column("blocker_id", sa.String(length=36), nullable=False),
        sa.Column("blocked_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_badges_blocks")),
        schema=schema,
    )
    op.create_table(
        "badges_wallets",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("address", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_badges_wallets")),
        schema=schema,
    )
    op.create_table(
        "badges_mints",
        sa.Column("token_id", sa.String(length=78), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("to_address", sa.String(length=66), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("due_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("updated_at", _MOMENT(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_badges_mints")),
        schema=schema,
    )
    with op.batch_alter_table("badges_mints", schema=schema) as batch_op:
        batch_op.create_index("ix_badges_mints_status", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_badges_mints_user", ["user_id"], unique=False)


def downgrade() -> None:
    schema = _schema()
    with op.batch_alter_table("badges_mints", schema=schema) as batch_op:
        batch_op.drop_index("ix_badges_mints_user")
        batch_op.drop_index("ix_badges_mints_status")
    op.drop_table("badges_mints", schema=schema)
    op.drop_table("badges_wallets", schema=schema)
    op.drop_table("badges_blocks", schema=schema)
    op.drop_table("badges_holders", schema=schema)
    with op.batch_alter_table("badges_badges", schema=schema) as batch_op:
        batch_op.drop_index("ix_badges_badges_holder")
    op.drop_table("badges_badges", schema=schema)
    op.drop_table("badges_levels", schema=schema)
    if schema is not None:
        op.execute(f'DROP SCHEMA IF EXISTS "{schema}"')  # refuses if anything else is in it
