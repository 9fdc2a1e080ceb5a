"""social: the feeds read each author's shown posts from a partial index that covers them
(deleted posts left out, moderation carried on PostgreSQL), so the home feed's first pass
reads the index alone

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHOWN = sa.text("deleted_at IS NULL")


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "social" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    with op.batch_alter_table("social_posts", schema=_schema()) as batch_op:
        batch_op.drop_index("ix_social_posts_author_feed")
        batch_op.create_index(
            "ix_social_posts_author_shown",
            ["author_id", "created_at", "id"],
            unique=False,
            postgresql_include=["moderation"],
            postgresql_where=SHOWN,
            sqlite_where=SHOWN,
        )


def downgrade() -> None:
    with op.batch_alter_table("social_posts", schema=_schema()) as batch_op:
        batch_op.drop_index("ix_social_posts_author_shown")
        batch_op.create_index(
            "ix_social_posts_author_feed", ["author_id", "created_at", "id"], unique=False
        )
