"""events: each shard replica's address, so requests for a shard reach its holder

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    # Beside the backbone's tables, owned by no context (0017); SQLite has no schemas.
    return "events" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    with op.batch_alter_table("shard_replicas", schema=_schema()) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shard_replicas", schema=_schema()) as batch_op:
        batch_op.drop_column("address")
