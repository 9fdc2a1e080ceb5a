"""Gamification's tables: each trader's progression, who the players are, the boards."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, String, Table

from astratrade.infrastructure.db import metadata
from astratrade.infrastructure.types import ExactDecimal, UtcDateTime

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
)

# Read model of users' sign-ups: the names boards show.
players = Table(
    "gamification_players",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("username", String(40), nullable=False),
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
)
