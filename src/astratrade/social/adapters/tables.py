"""Social's tables (in the `social` schema on PostgreSQL): profiles, follows, blocks, posts
and their market index, comments, reactions, reports; and its read models of other
contexts' events (closed positions for trade shares, progression for profiles, tournament
names for podium items)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

# Its PostgreSQL schema (on SQLite, which has none, the plain table names).
SCHEMA = "social"

profiles = Table(
    "social_profiles",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("username", String(40), nullable=False),
    Column("username_key", String(40), nullable=False, unique=True),  # lower case
    Column("display_name", Text, nullable=False),
    Column("bio", Text, nullable=False),
    Column("visibility", String(8), nullable=False),
    Column("automatic", JSON, nullable=False),
    Column("moderation", String(8), nullable=False),
    Column("suspended", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    schema=SCHEMA,
)

follows = Table(
    "social_follows",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("follower_id", String(36), nullable=False),
    Column("followee_id", String(36), nullable=False),
    Column("status", String(10), nullable=False),  # none, requested, active
    Column("requested_at", UtcDateTime),
    Column("since", UtcDateTime),
    Column("version", Integer, nullable=False),
    UniqueConstraint("follower_id", "followee_id"),
    # The home feed's "whom do I follow" and a profile's followers and requests.
    Index("ix_social_follows_follower", "follower_id", "status", "followee_id"),
    Index("ix_social_follows_followee", "followee_id", "status", "since"),
    schema=SCHEMA,
)

blocks = Table(
    "social_blocks",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("blocker_id", String(36), nullable=False),
    Column("blocked_id", String(36), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("since", UtcDateTime),
    Column("version", Integer, nullable=False),
    UniqueConstraint("blocker_id", "blocked_id"),
    Index("ix_social_blocks_blocked", "blocked_id", "blocker_id"),
    schema=SCHEMA,
)

posts = Table(
    "social_posts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("author_id", String(36), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("text", Text, nullable=False),
    Column("markets", JSON, nullable=False),
    Column("trade_share", JSON),
    Column("details", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("edited_at", UtcDateTime),
    Column("deleted_at", UtcDateTime),
    Column("moderation", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    # The home and profile feeds: each author's posts newest first, read from a cursor;
    # deleted posts are never shown, and with moderation carried (PostgreSQL) the home
    # feed picks its page from the index alone.
    Index(
        "ix_social_posts_author_shown",
        "author_id",
        "created_at",
        "id",
        postgresql_include=["moderation"],
        postgresql_where=text("deleted_at IS NULL"),
        sqlite_where=text("deleted_at IS NULL"),
    ),
    schema=SCHEMA,
)

# The market feeds' index: one row per market a post tags.
post_markets = Table(
    "social_post_markets",
    metadata,
    Column("post_id", String(36), primary_key=True),
    Column("market", String(20), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_social_post_markets_feed", "market", "created_at", "post_id"),
    schema=SCHEMA,
)

comments = Table(
    "social_comments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("post_id", String(36), nullable=False),
    Column("author_id", String(36), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("deleted_at", UtcDateTime),
    Column("moderation", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_social_comments_thread", "post_id", "created_at", "id"),
    schema=SCHEMA,
)

reactions = Table(
    "social_reactions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("post_id", String(36), nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("kind", String(10)),  # null: taken back
    Column("updated_at", UtcDateTime),
    Column("version", Integer, nullable=False),
    UniqueConstraint("post_id", "user_id"),
    schema=SCHEMA,
)

reports = Table(
    "social_reports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reporter_id", String(36), nullable=False),
    Column("target_type", String(10), nullable=False),
    Column("target_id", String(36), nullable=False),
    Column("owner_id", String(36), nullable=False),
    Column("reason", String(14), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("resolution", String(10)),
    Column("resolved_by", String(36)),
    Column("resolved_at", UtcDateTime),
    Column("version", Integer, nullable=False),
    UniqueConstraint("reporter_id", "target_type", "target_id"),
    Index("ix_social_reports_target", "target_type", "target_id", "status"),
    Index("ix_social_reports_queue", "status", "created_at", "id"),
    schema=SCHEMA,
)

# Read model: each trader's closed positions, from trading's fills and closes.
closed_positions = Table(
    "social_closed_positions",
    metadata,
    Column("position_id", String(36), primary_key=True),  # the PositionClosed event's id
    Column("owner_id", String(36), nullable=False),
    Column("market", String(20), nullable=False),
    Column("side", String(5), nullable=False),
    Column("entry_price", ExactDecimal, nullable=False),
    Column("exit_price", ExactDecimal, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=False),
    Index("ix_social_closed_positions_owner", "owner_id", "closed_at", "position_id"),
    schema=SCHEMA,
)

# Read model: the position each account holds in each market, as its fills build it, so
# its close knows its side, and its entry and exit averaged over the parts closed.
open_positions = Table(
    "social_open_positions",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("market", String(20), primary_key=True),
    Column("size", ExactDecimal, nullable=False),  # signed: + long, - short
    Column("closed_size", ExactDecimal, nullable=False),
    Column("entry_value", ExactDecimal, nullable=False),  # Σ closed size x entry then
    Column("exit_value", ExactDecimal, nullable=False),  # Σ closed size x exit price
    Column("entry_price", ExactDecimal, nullable=False),  # the open part's average
    # The position the last fill closed (side, entry and exit), until its PositionClosed
    # (which trading records right after that fill) names it.
    Column("closing", JSON),
    schema=SCHEMA,
)

# Read model: each trader's XP, level and achievements, as gamification announces them.
progress = Table(
    "social_progress",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("xp", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("achievements", JSON, nullable=False),
    Index("ix_social_progress_xp", "xp"),
    schema=SCHEMA,
)

# Read model: tournaments' names, for podium items.
tournaments = Table(
    "social_tournaments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(80), nullable=False),
    schema=SCHEMA,
)
