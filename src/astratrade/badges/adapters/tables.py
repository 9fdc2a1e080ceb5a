"""Badges' tables (in the `badges` schema on PostgreSQL): the badges and its read models
of other contexts' events (each trader's level, name, profile visibility, blocks and
wallet), all projections of the audit log (projections.py) that `astratrade projections
rebuild` rebuilds; and the mint queue, the minting round's own state."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, UniqueConstraint

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import UtcDateTime

SCHEMA = "badges"
TOKEN_ID_DIGITS = 78  # 2^256 - 1 in decimal: a uint256 fits no SQL integer type

badges = Table(
    "badges_badges",
    metadata,
    Column("token_id", String(TOKEN_ID_DIGITS), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("holder", String(32), nullable=False),
    Column("achievement", String(40), nullable=False),
    Column("earned_at", UtcDateTime(timezone=True), nullable=False),
    Column("level", Integer, nullable=False),
    Column("revoked_at", UtcDateTime(timezone=True), nullable=True),
    Column("revoked_reason", String(280), nullable=True),
    UniqueConstraint("user_id", "achievement", name="uq_badges_badges_user_achievement"),
    Index("ix_badges_badges_holder", "holder"),
    schema=SCHEMA,
)

# Read model: each trader's level as gamification announces it (a badge's "level then").
levels = Table(
    "badges_levels",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("level", Integer, nullable=False),
    schema=SCHEMA,
)

# Read model: each trader's username (users' sign-ups) and whether others may see their
# badges (social's profile visibility and suspension).
holders = Table(
    "badges_holders",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("username", String(40), nullable=True),  # null until the sign-up arrives
    Column("username_key", String(40), nullable=True, unique=True),  # lower case
    Column("visibility", String(10), nullable=False),
    Column("suspended", Boolean, nullable=False),
    schema=SCHEMA,
)

# Read model: blocks between traders, from social (neither sees the other's profile, its
# badges included).
blocks = Table(
    "badges_blocks",
    metadata,
    Column("blocker_id", String(36), primary_key=True),
    Column("blocked_id", String(36), primary_key=True),
    schema=SCHEMA,
)

# Read model: the wallet each trader's badges are minted to, from users' WalletLinked (the
# first one linked: a token, once minted, stays where it is).
wallets = Table(
    "badges_wallets",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("address", String(66), nullable=False),
    schema=SCHEMA,
)

# The mint queue: one row per badge to mint (domain/minting.py's states), only while a
# chain is configured.
mints = Table(
    "badges_mints",
    metadata,
    Column("token_id", String(TOKEN_ID_DIGITS), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("to_address", String(66), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("tx_hash", String(66), nullable=True),
    Column("reason", String(500), nullable=True),
    Column("due_at", UtcDateTime(timezone=True), nullable=True),
    Column("updated_at", UtcDateTime(timezone=True), nullable=False),
    Index("ix_badges_mints_status", "status", "due_at"),
    Index("ix_badges_mints_user", "user_id"),
    schema=SCHEMA,
)
