"""events: leases on the shards of a sharded writer (trading's accounts), and its replicas

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime


def _schema() -> str | None:
    # Beside the backbone's tables, owned by no context (0017); SQLite has no schemas.
    return "events" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    op.create_table(
        "shard_leases",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=True),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", _MOMENT(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "shard", name=op.f("pk_shard_leases")),
        schema=_schema(),
    )
    op.create_table(
        "shard_replicas",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("seen_at", _MOMENT(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "name", name=op.f("pk_shard_replicas")),
        schema=_schema(),
    )


def downgrade() -> None:
    op.drop_table("shard_replicas", schema=_schema())
    op.drop_table("shard_leases", schema=_schema())
