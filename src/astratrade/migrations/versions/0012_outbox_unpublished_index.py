"""outbox: a partial index of the unpublished rows, in commit order

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 08:25:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    unpublished = sa.text("published_at IS NULL")
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        unique=False,
        postgresql_where=unpublished,
        sqlite_where=unpublished,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
