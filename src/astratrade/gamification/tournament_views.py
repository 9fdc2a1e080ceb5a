"""Read-side queries of tournaments: the list, one tournament, its board (live or frozen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.gamification.adapters.repository import ranked_standings, tournament_from_row
from astratrade.gamification.adapters.tables import (
    players,
    tournament_entries,
    tournament_results,
    tournaments,
)
from astratrade.gamification.domain.tournaments import Placing, Tournament
from astratrade.shared.errors import NotFound


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
    shown = [PlacingView(p.rank, p.user_id, names.get(p.user_id, ""), p.score, p.closes)
             for p in placings]  # fmt: skip
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
