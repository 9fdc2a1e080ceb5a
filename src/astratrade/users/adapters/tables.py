"""The users context's tables (prefixed `users_`, in the `users` schema on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table, false

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

# Its PostgreSQL schema (on SQLite, which has none, the plain table names).
SCHEMA = "users"

users = Table(
    "users_users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("username", String(32), nullable=False),
    # The lowercase username: unique, so "Alice" and "alice" cannot both register.
    Column("username_key", String(32), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("kyc", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("session_epoch", Integer, nullable=False, server_default="0"),
    Column("suspended", Boolean, nullable=False, server_default=false()),
    schema=SCHEMA,
)

refresh_tokens = Table(
    "users_refresh_tokens",
    metadata,
    Column("token_id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False, index=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    Column("replaced_by", String(36)),
    Column("family_id", String(36), index=True),
    Column("revoked_at", UtcDateTime),
    schema=SCHEMA,
)

# Sign-in challenges for Starknet wallets: single use, five minutes.
wallet_challenges = Table(
    "users_wallet_challenges",
    metadata,
    Column("nonce", String(66), primary_key=True),
    Column("address", String(66), nullable=False),
    Column("chain_id", String(31), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
    schema=SCHEMA,
)

# Wallets linked to users: each Starknet account signs in one user.
wallets = Table(
    "users_wallets",
    metadata,
    Column("address", String(66), primary_key=True),
    Column("user_id", String(36), nullable=False, index=True),
    Column("public_key", String(66), nullable=False),
    Column("linked_at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)

# Failed logins per login name (known or not, so a lockout never tells which exists).
login_failures = Table(
    "users_login_failures",
    metadata,
    Column("login_key", String(254), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime),
    schema=SCHEMA,
)

# Failed logins per account, under whichever of its names they were made: five guesses
# split between the username and the email lock the account as five under one name do.
account_login_failures = Table(
    "users_account_login_failures",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime),
    schema=SCHEMA,
)

# Read model for GET /me, written by projections of gamification's events.
progress = Table(
    "users_progress",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("xp", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("max_leverage", ExactDecimal, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)
