"""Gamification's read models: who the players are, and the XP boards (CQRS, from events).

Boards rank by score, ties going to whoever reached the score first. Each is rebuildable
from the audit log (`astratrade projections rebuild NAME`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, select

from astratrade.gamification.adapters.tables import board_scores, players
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.messages import Envelope

ALL_TIME = "all"
ANY_MODE = "all"


def week_of(moment: datetime) -> str:
    """The board period of a moment: its ISO week, which starts Monday 00:00 UTC."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


class Players:
    """Usernames, from users' sign-ups: boards show them."""

    name = "gamification.players"
    source = "users"
    event_types = frozenset({"UserRegistered"})
    tables: tuple[Table, ...] = (players,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data = envelope.payload
        row = {"user_id": str(data["user_id"]), "username": str(data["username"])}
        upsert(conn, players, [row], ["user_id"])


class XpBoards:
    """XP all-time (a trader's total) and per week (XP earned in it)."""

    name = "gamification.xp_boards"
    source = "gamification"
    event_types = frozenset({"XpAwarded"})
    tables: tuple[Table, ...] = (board_scores,)

    def apply(self, conn: Connection, envelope: Envelope) -> None:
        data, at = envelope.payload, envelope.occurred_at
        user_id = str(data["user_id"])
        week = week_of(at)
        weekly = _score(conn, "xp", week, user_id) + int(data["amount"])
        rows = [
            _row("xp", ALL_TIME, user_id, Decimal(int(data["total"])), at),
            _row("xp", week, user_id, weekly, at),
        ]
        upsert(conn, board_scores, rows, ["board", "period", "mode", "user_id"])


def _score(conn: Connection, board: str, period: str, user_id: str) -> Decimal:
    found = conn.execute(
        select(board_scores.c.score).where(
            board_scores.c.board == board,
            board_scores.c.period == period,
            board_scores.c.mode == ANY_MODE,
            board_scores.c.user_id == user_id,
        )
    ).scalar()
    return found if found is not None else Decimal(0)


def _row(board: str, period: str, user_id: str, score: Decimal, at: datetime) -> dict[str, Any]:
    return {
        "board": board,
        "period": period,
        "mode": ANY_MODE,
        "user_id": user_id,
        "score": score,
        "reached_at": at,
        "ranked": True,
    }


PLAYERS, XP_BOARDS = Players(), XpBoards()
PROJECTIONS = (PLAYERS, XP_BOARDS)
