"""Gamification's tables (in the `gamification` schema on PostgreSQL): each trader's
progression, who the players are, the boards."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, String, Table

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

# Its PostgreSQL schema (on SQLite, which has none, the plain table names).
SCHEMA = "gamification"

traders = Table(
    "gamification_traders",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("xp", Integer, nullable=False),
    Column("level", Integer, nullable=False),
    Column("max_leverage", Integer, nullable=False),
    Column("streak", Integer, nullable=False),
    Column("last_streak_day", Date),
    Column("xp_day", Date),
    Column("xp_closes_today", Integer, nullable=False),
    Column("closes", Integer, nullable=False),
    Column("recent_wins", String(64), nullable=False),  # "1" a winner, "0" not; oldest first
    Column("protected_run", Integer, nullable=False),
    Column("markets", JSON, nullable=False),
    Column("first_trade_at", UtcDateTime),
    Column("liquidated", Boolean, nullable=False),
    Column("achievements", JSON, nullable=False),
    Column("practice_xp", Integer, nullable=False, server_default="0"),
    schema=SCHEMA,
)

# Read model of users' sign-ups: the names boards show.
players = Table(
    "gamification_players",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("username", String(40), nullable=False),
    schema=SCHEMA,
)

# A board's standings: board "xp" or "roi", period "all" or a week ("2026-W47"),
# mode "practice", "live" or "all"; ties go to whoever reached the score first.
board_scores = Table(
    "gamification_board_scores",
    metadata,
    Column("board", String(8), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("mode", String(10), primary_key=True),
    Column("user_id", String(36), primary_key=True),
    Column("score", ExactDecimal, nullable=False),
    Column("reached_at", UtcDateTime, nullable=False),
    Column("ranked", Boolean, nullable=False),  # meets the board's rule to rank (roi: 5 closes)
    Column("closes", Integer, nullable=False, server_default="0"),  # roi: the period's closes
    Index("ix_gamification_board_rank", "board", "period", "mode", "score", "reached_at"),
    schema=SCHEMA,
)

tournaments = Table(
    "gamification_tournaments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", String(80), nullable=False),
    Column("markets", JSON, nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False, index=True),
    Column("starting_capital", ExactDecimal, nullable=False),
    Column("max_entrants", Integer, nullable=False),
    Column("min_level", Integer, nullable=False),
    Column("entrants", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    schema=SCHEMA,
)

# Read model: each trader's tournaments per month, as financial's subscription sets it.
plan_limits = Table(
    "gamification_plan_limits",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("plan", String(8), nullable=False),
    Column("tournaments_per_month", Integer, nullable=False),
    schema=SCHEMA,
)

tournament_entries = Table(
    "gamification_tournament_entries",
    metadata,
    Column("tournament_id", String(36), primary_key=True),
    Column("user_id", String(36), primary_key=True),
    Column("account_id", String(36), nullable=False, unique=True),
    Column("joined_at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)

# The frozen standings of a finished tournament (part of the Tournament aggregate).
tournament_results = Table(
    "gamification_tournament_results",
    metadata,
    Column("tournament_id", String(36), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("score", ExactDecimal, nullable=False),
    Column("closes", Integer, nullable=False),
    schema=SCHEMA,
)

# Read model: each entrant's live standing, from TournamentJoined and the tournament
# account's closes (an account's row may come from either first).
tournament_standings = Table(
    "gamification_tournament_standings",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("tournament_id", String(36), index=True),
    Column("user_id", String(36), nullable=False),
    Column("starting_capital", ExactDecimal),
    Column("ends_at", UtcDateTime),
    Column("collateral", ExactDecimal),
    Column("closes", Integer, nullable=False),
    Column("score", ExactDecimal, nullable=False),
    Column("reached_at", UtcDateTime, nullable=False),
    schema=SCHEMA,
)
