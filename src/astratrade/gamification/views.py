"""Read-side queries: a trader's progression, the boards (top N, a trader's neighbours), and
tournaments (the list, one tournament, its board, live or frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.gamification.adapters.board_index import BoardIndex
from astratrade.gamification.adapters.repository import ranked_standings, tournament_from_row
from astratrade.gamification.adapters.standings import Board, Standing
from astratrade.gamification.adapters.tables import (
    board_scores,
    players,
    tournament_entries,
    tournament_results,
    tournaments,
    traders,
)
from astratrade.gamification.domain.rules import ProgressionRules, level_for, max_leverage_for
from astratrade.gamification.domain.tournaments import Placing, Tournament
from astratrade.gamification.projections import ALL_TIME, ANY_MODE, week_of
from astratrade.shared.errors import NotFound, ValidationFailed

__all__ = [
    "Board",
    "ProgressionView",
    "Standing",
    "TournamentView",
    "around",
    "board",
    "choose",
    "list_tournaments",
    "progression_of",
    "top",
    "tournament",
]


@dataclass(frozen=True, slots=True)
class ProgressionView:
    user_id: str
    xp: int
    level: int
    max_leverage: int
    streak: int
    closes: int
    achievements: list[str]


async def progression_of(db: AsyncEngine, user_id: str, rules: ProgressionRules) -> ProgressionView:
    """A trader with no closed position yet is at level 1 with the base leverage."""
    async with db.connect() as conn:
        row = (await conn.execute(select(traders).where(traders.c.user_id == user_id))).first()
    if row is None:
        level = level_for(0, rules)
        return ProgressionView(user_id, 0, level, max_leverage_for(level, rules), 0, 0, [])
    return ProgressionView(
        user_id=user_id,
        xp=row.xp,
        level=row.level,
        max_leverage=row.max_leverage,
        streak=row.streak,
        closes=row.closes,
        achievements=sorted(row.achievements),
    )


def choose(board: str, period: str | None, mode: str | None, now: datetime) -> Board:
    """The board a request names: xp all-time (default) or this week, every mode together;
    roi this week, practice (default) or live."""
    if board == "xp":
        if mode not in (None, ANY_MODE):
            raise ValidationFailed("mode", "the xp boards count every mode together: mode=all")
        return Board(board, week_of(now) if period == "week" else ALL_TIME, ANY_MODE)
    if period not in (None, "week"):
        raise ValidationFailed("period", "the roi boards are weekly: period=week")
    if mode == ANY_MODE:
        raise ValidationFailed("mode", "practice and live ROI are never mixed: mode=practice|live")
    return Board(board, week_of(now), mode or "practice")


async def top(
    db: AsyncEngine, board: Board, limit: int, index: BoardIndex | None = None
) -> list[Standing]:
    """The board's first `limit`, from its Redis index when it can answer, else from SQL."""
    if index is not None and (found := await index.top(board, limit)) is not None:
        return found
    async with db.connect() as conn:
        return await _standings(conn, board, offset=0, limit=limit)


async def around(
    db: AsyncEngine,
    board: Board,
    user_id: str,
    neighbours: int,
    index: BoardIndex | None = None,
) -> list[Standing]:
    """The trader's standing with up to `neighbours` on each side; empty if unranked."""
    if index is not None and (found := await index.around(board, user_id, neighbours)) is not None:
        return found
    async with db.connect() as conn:
        mine = (
            await conn.execute(select(board_scores).where(_on(board), _ranked(), _user(user_id)))
        ).first()
        if mine is None:
            return []
        ahead = await conn.scalar(
            select(func.count())
            .select_from(board_scores)
            .where(_on(board), _ranked(), _ahead_of(conn, mine))
        )
        rank = int(ahead or 0) + 1
        first = max(rank - neighbours, 1)
        return await _standings(conn, board, offset=first - 1, limit=rank + neighbours - first + 1)


async def _standings(
    conn: AsyncConnection, board: Board, offset: int, limit: int
) -> list[Standing]:
    score = _sortable(conn)
    rows = await conn.execute(
        select(board_scores, players.c.username)
        .join(players, players.c.user_id == board_scores.c.user_id, isouter=True)
        .where(_on(board), _ranked())
        .order_by(score.desc(), board_scores.c.reached_at, board_scores.c.user_id)
        .offset(offset)
        .limit(limit)
    )
    return [
        Standing(offset + i + 1, r.user_id, r.username or "", r.score, r.reached_at)
        for i, r in enumerate(rows)
    ]


def _on(board: Board) -> ColumnElement[bool]:
    c = board_scores.c
    return and_(c.board == board.board, c.period == board.period, c.mode == board.mode)


def _ranked() -> ColumnElement[bool]:
    return board_scores.c.ranked.is_(True)


def _user(user_id: str) -> ColumnElement[bool]:
    return board_scores.c.user_id == user_id


def _sortable(conn: AsyncConnection) -> ColumnElement[Any]:
    """Scores are exact text on SQLite: compare them as numbers there."""
    if conn.dialect.name == "sqlite":
        return cast(board_scores.c.score, Float)
    return board_scores.c.score


def _ahead_of(conn: AsyncConnection, mine: Any) -> ColumnElement[bool]:
    """Rows that rank before `mine`: a higher score, or the same reached earlier."""
    c, score = board_scores.c, _sortable(conn)
    value = float(mine.score) if conn.dialect.name == "sqlite" else mine.score
    return or_(
        score > value,
        and_(score == value, c.reached_at < mine.reached_at),
        and_(score == value, c.reached_at == mine.reached_at, c.user_id < mine.user_id),
    )


@dataclass(frozen=True, slots=True)
class TournamentView:
    tournament: Tournament
    status: str
    account_id: str | None  # the caller's tournament account, once joined


@dataclass(frozen=True, slots=True)
class PlacingView:
    rank: int
    user_id: str
    username: str
    score: Decimal
    closes: int


async def list_tournaments(db: AsyncEngine, user_id: str, now: datetime) -> list[TournamentView]:
    """Newest first."""
    async with db.connect() as conn:
        rows = await conn.execute(select(tournaments).order_by(tournaments.c.starts_at.desc()))
        found = [tournament_from_row(r._mapping) for r in rows]
        joined = await _accounts_of(conn, user_id)
    return [TournamentView(t, t.status(now).value, joined.get(t.id)) for t in found]


async def tournament(
    db: AsyncEngine, tournament_id: str, user_id: str, now: datetime
) -> TournamentView:
    async with db.connect() as conn:
        row = (
            await conn.execute(select(tournaments).where(tournaments.c.id == tournament_id))
        ).first()
        if row is None:
            raise NotFound(f"tournament {tournament_id} not found")
        joined = await _accounts_of(conn, user_id)
    found = tournament_from_row(row._mapping)
    return TournamentView(found, found.status(now).value, joined.get(found.id))


async def board(
    db: AsyncEngine, tournament_id: str, min_closes: int, limit: int
) -> tuple[bool, list[PlacingView]]:
    """(frozen, standings): the frozen results once finished, else the live standings."""
    async with db.connect() as conn:
        row = (
            await conn.execute(
                select(tournaments.c.finished_at).where(tournaments.c.id == tournament_id)
            )
        ).first()
        if row is None:
            raise NotFound(f"tournament {tournament_id} not found")
        finished = row.finished_at
        if finished is not None:
            rows = await conn.execute(
                select(tournament_results)
                .where(tournament_results.c.tournament_id == tournament_id)
                .order_by(tournament_results.c.rank)
                .limit(limit)
            )
            placings = [Placing(r.rank, r.user_id, r.score, r.closes) for r in rows]
        else:
            placings = (await ranked_standings(conn, tournament_id, min_closes))[:limit]
        names = await _names(conn, [p.user_id for p in placings])
    shown = [
        PlacingView(p.rank, p.user_id, names.get(p.user_id, ""), p.score, p.closes)
        for p in placings
    ]
    return finished is not None, shown


async def _accounts_of(conn: AsyncConnection, user_id: str) -> dict[str, str]:
    rows = await conn.execute(
        select(tournament_entries.c.tournament_id, tournament_entries.c.account_id).where(
            tournament_entries.c.user_id == user_id
        )
    )
    return {r.tournament_id: r.account_id for r in rows}


async def _names(conn: AsyncConnection, user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = await conn.execute(select(players).where(players.c.user_id.in_(user_ids)))
    return {r.user_id: r.username for r in rows}
