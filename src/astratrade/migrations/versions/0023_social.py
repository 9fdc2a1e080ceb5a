"""social: profiles, follows, blocks, posts and their market index, comments, reactions,
reports, and its read models (closed positions, progression, tournament names)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import astratrade.infrastructure.types

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOMENT = astratrade.infrastructure.types.UtcDateTime
_DECIMAL = astratrade.infrastructure.types.ExactDecimal


def _schema() -> str | None:
    # SQLite has no schemas: its tables carry their context's prefix only.
    return "social" if op.get_bind().dialect.name == "postgresql" else None


def upgrade() -> None:
    schema = _schema()
    if schema is not None:
        op.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    op.create_table(
        "social_blocks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("blocker_id", sa.String(length=36), nullable=False),
        sa.Column("blocked_id", sa.String(length=36), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("since", _MOMENT(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_blocks")),
        sa.UniqueConstraint(
            "blocker_id", "blocked_id", name=op.f("uq_social_blocks_blocker_id_blocked_id")
        ),
        schema=schema,
    )
    with op.batch_alter_table("social_blocks", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_social_blocks_blocked", ["blocked_id", "blocker_id"], unique=False
        )

    op.create_table(
        "social_closed_positions",
        sa.Column("position_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("market", sa.String(length=20), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        sa.Column("entry_price", _DECIMAL(), nullable=False),
        sa.Column("exit_price", _DECIMAL(), nullable=False),
        sa.Column("opened_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("closed_at", _MOMENT(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position_id", name=op.f("pk_social_closed_positions")),
        schema=schema,
    )
    with op.batch_alter_table("social_closed_positions", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_social_closed_positions_owner",
            ["owner_id", "closed_at", "position_id"],
            unique=False,
        )

    op.create_table(
        "social_comments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("post_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("deleted_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("moderation", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_comments")),
        schema=schema,
    )
    with op.batch_alter_table("social_comments", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_social_comments_thread", ["post_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "social_follows",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("follower_id", sa.String(length=36), nullable=False),
        sa.Column("followee_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("since", _MOMENT(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_follows")),
        sa.UniqueConstraint(
            "follower_id", "followee_id", name=op.f("uq_social_follows_follower_id_followee_id")
        ),
        schema=schema,
    )
    with op.batch_alter_table("social_follows", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_social_follows_followee", ["followee_id", "status", "since"], unique=False
        )
        batch_op.create_index(
            "ix_social_follows_follower", ["follower_id", "status", "followee_id"], unique=False
        )

    op.create_table(
        "social_open_positions",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("market", sa.String(length=20), nullable=False),
        sa.Column("size", _DECIMAL(), nullable=False),
        sa.Column("closed_size", _DECIMAL(), nullable=False),
        sa.Column("entry_value", _DECIMAL(), nullable=False),
        sa.Column("exit_value", _DECIMAL(), nullable=False),
        sa.Column("entry_price", _DECIMAL(), nullable=False),
        sa.Column("closing", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "market", name=op.f("pk_social_open_positions")),
        schema=schema,
    )
    op.create_table(
        "social_post_markets",
        sa.Column("post_id", sa.String(length=36), nullable=False),
        sa.Column("market", sa.String(length=20), nullable=False),
        sa.Column("created_at", _MOMENT(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("post_id", "market", name=op.f("pk_social_post_markets")),
        schema=schema,
    )
    with op.batch_alter_table("social_post_markets", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_social_post_markets_feed", ["market", "created_at", "post_id"], unique=False
        )

    op.create_table(
        "social_posts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("markets", sa.JSON(), nullable=False),
        sa.Column("trade_share", sa.JSON(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("edited_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("deleted_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("moderation", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_posts")),
        schema=schema,
    )
    with op.batch_alter_table("social_posts", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_social_posts_author_feed", ["author_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "social_profiles",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("username_key", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=8), nullable=False),
        sa.Column("automatic", sa.JSON(), nullable=False),
        sa.Column("moderation", sa.String(length=8), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("created_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_social_profiles")),
        sa.UniqueConstraint("username_key", name=op.f("uq_social_profiles_username_key")),
        schema=schema,
    )
    op.create_table(
        "social_progress",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("xp", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("achievements", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_social_progress")),
        schema=schema,
    )
    with op.batch_alter_table("social_progress", schema=schema) as batch_op:
        batch_op.create_index("ix_social_progress_xp", ["xp"], unique=False)

    op.create_table(
        "social_reactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("post_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("updated_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_reactions")),
        sa.UniqueConstraint("post_id", "user_id", name=op.f("uq_social_reactions_post_id_user_id")),
        schema=schema,
    )
    op.create_table(
        "social_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reporter_id", sa.String(length=36), nullable=False),
        sa.Column("target_type", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=14), nullable=False),
        sa.Column("created_at", _MOMENT(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolution", sa.String(length=10), nullable=True),
        sa.Column("resolved_by", sa.String(length=36), nullable=True),
        sa.Column("resolved_at", _MOMENT(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_reports")),
        sa.UniqueConstraint(
            "reporter_id",
            "target_type",
            "target_id",
            name=op.f("uq_social_reports_reporter_id_target_type_target_id"),
        ),
        schema=schema,
    )
    with op.batch_alter_table("social_reports", schema=schema) as batch_op:
        batch_op.create_index(
            "ix_social_reports_queue", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_social_reports_target", ["target_type", "target_id", "status"], unique=False
        )

    op.create_table(
        "social_tournaments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_tournaments")),
        schema=schema,
    )


def downgrade() -> None:
    schema = _schema()
    op.drop_table("social_tournaments", schema=schema)
    with op.batch_alter_table("social_reports", schema=schema) as batch_op:
        batch_op.drop_index("ix_social_reports_target")
        batch_op.drop_index("ix_social_reports_queue")

    op.drop_table("social_reports", schema=schema)
    op.drop_table("social_reactions", schema=schema)
    with op.batch_alter_table("social_progress", schema=schema) as batch_op:
        batch_op.drop_index("ix_social_progress_xp")

    op.drop_table("social_progress", schema=schema)
    op.drop_table("social_profiles", schema=schema)
    with op.batch_alter_table("social_posts", schema=schema) as batch_op:
        batch_op.drop_index("ix_social_posts_author_feed")

    op.drop_table("social_posts", schema=schema)
    with op.batch_alter_table("social_post_markets", schema=schema) as batch_op:
        batch_op.drop_index("ix_social_post_markets_feed")

    op.drop_table("social_post_markets", schema=schema)
    op.drop_table("social_open_positions", schema=schema)
    with op.batch_alter_table("social_follows", schema=schema) as batch_op:
        batch_op.drop_index("ix_social_follows_follower")
        batch_op.drop_index("ix_social_follows_followee")

    op.drop_table("social_follows", schema=schema)
    with op.batch_alter_table("social_comments", schema=schema) as batch_op:
        batch_op.drop_index("ix_social_comments_thread")

    op.drop_table("social_comments", schema=schema)
    with op.batch_alter_table("social_closed_positions", schema=schema) as batch_op:
        batch_op.drop_index("ix_social_closed_positions_owner")

    op.drop_table("social_closed_positions", schema=schema)
    with op.batch_alter_table("social_blocks", schema=schema) as batch_op:
        batch_op.drop_index("ix_social_blocks_blocked")

    op.drop_table("social_blocks", schema=schema)
