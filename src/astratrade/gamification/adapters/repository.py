"""The gamification unit of work: traders' progression and tournaments through a
SqlUnitOfWork."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.gamification.adapters.tables import (
    plan_limits,
    tournament_entries,
    tournament_results,
    tournament_standings,
    tournaments,
    traders,
)
from astratrade.gamification.domain.progress import Trader
from astratrade.gamification.domain.tournaments import Placing, Tournament
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery


class SqlTraderRepository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._seen: dict[str, Trader] = {}

    async def get(self, user_id: str) -> Trader | None:
        conn = await self._uow.connection()
        row = (await conn.execute(select(traders).where(traders.c.user_id == user_id))).first()
        if row is None:
            return None
        trader = trader_from_row(row._mapping)
        self._see(trader)
        return trader

    async def get_many(self, user_ids: Iterable[str]) -> dict[str, Trader]:
        """Those of these traders who have progress, by user id, in one query."""
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        conn = await self._uow.connection()
        found = {}
        for start in range(0, len(wanted), 500):  # within any database's parameter limit
            part = wanted[start : start + 500]
            rows = await conn.execute(select(traders).where(traders.c.user_id.in_(part)))
            for row in rows:
                trader = trader_from_row(row._mapping)
                self._see(trader)
                found[trader.user_id] = trader
        return found

    def add(self, trader: Trader) -> None:
        self._see(trader)

    def _see(self, trader: Trader) -> None:
        if not self._seen:
            self._uow.on_commit(self._flush)
        self._seen[trader.user_id] = trader
        self._uow.track(trader)

    async def _flush(self, conn: AsyncConnection) -> None:
        # Events are numbered (and versions moved on) before the flushes run.
        rows = [trader_row(t) for t in self._seen.values()]
        await conn.run_sync(upsert, traders, rows, ["user_id"])


class SqlTournamentRepository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._seen: dict[str, Tournament] = {}
        self._new: set[str] = set()

    async def get(self, tournament_id: str) -> Tournament | None:
        conn = await self._uow.connection()
        row = (
            await conn.execute(select(tournaments).where(tournaments.c.id == tournament_id))
        ).first()
        if row is None:
            return None
        tournament = tournament_from_row(row._mapping)
        self._see(tournament)
        return tournament

    def add(self, tournament: Tournament) -> None:
        self._new.add(tournament.id)
        self._see(tournament)

    async def entry(self, tournament_id: str, user_id: str) -> str | None:
        """The trader's tournament account, if they joined."""
        conn = await self._uow.connection()
        found = await conn.scalar(
            select(tournament_entries.c.account_id).where(
                tournament_entries.c.tournament_id == tournament_id,
                tournament_entries.c.user_id == user_id,
            )
        )
        return None if found is None else str(found)

    async def joined_since(self, user_id: str, since: datetime) -> int:
        conn = await self._uow.connection()
        found = await conn.scalar(
            select(func.count()).where(
                tournament_entries.c.user_id == user_id, tournament_entries.c.joined_at >= since
            )
        )
        return int(found or 0)

    async def monthly_limit(self, user_id: str) -> tuple[str, int] | None:
        """(plan, tournaments a month) for the trader, if their plan is known."""
        conn = await self._uow.connection()
        row = (
            await conn.execute(select(plan_limits).where(plan_limits.c.user_id == user_id))
        ).first()
        return None if row is None else (str(row.plan), int(row.tournaments_per_month))

    async def due(self, now: datetime) -> list[str]:
        """Tournaments past their end whose standings are not frozen yet."""
        conn = await self._uow.connection()
        rows = await conn.execute(
            select(tournaments.c.id)
            .where(tournaments.c.ends_at <= now, tournaments.c.finished_at.is_(None))
            .order_by(tournaments.c.ends_at)
        )
        return [row.id for row in rows]

    async def standings(self, tournament_id: str, min_closes: int) -> list[Placing]:
        """The live standings read model, ranked: ROI, then who reached it first."""
        conn = await self._uow.connection()
        return await ranked_standings(conn, tournament_id, min_closes)

    def _see(self, tournament: Tournament) -> None:
        if not self._seen:
            self._uow.on_commit(self._flush)
        self._seen[tournament.id] = tournament
        self._uow.track(tournament)

    async def _flush(self, conn: AsyncConnection) -> None:
        rows = [tournament_row(t) for t in self._seen.values()]
        await conn.run_sync(upsert, tournaments, rows, ["id"])
        entries = [
            {"tournament_id": t.id, "user_id": user_id, "account_id": account_id, "joined_at": at}
            for t in self._seen.values()
            for user_id, account_id, at in t.new_entries
        ]
        if entries:
            await conn.execute(insert(tournament_entries), entries)
        results = [
            {
                "tournament_id": t.id,
                "rank": p.rank,
                "user_id": p.user_id,
                "score": p.score,
                "closes": p.closes,
            }
            for t in self._seen.values()
            for p in t.results
        ]
        if results:
            await conn.execute(insert(tournament_results), results)
        for tournament in self._seen.values():
            tournament.new_entries.clear()
            tournament.results = []


class SqlGamificationUnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        delivery: Delivery | None = None,  # the event whose effects it commits, if any
        deliveries: Sequence[Delivery] = (),  # or the events, handed over together
    ) -> None:
        self._sql = SqlUnitOfWork(
            engine, publisher, clock, delivery=delivery, deliveries=deliveries
        )
        self.traders = SqlTraderRepository(self._sql)
        self.tournaments = SqlTournamentRepository(self._sql)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._sql.rollback()

    def seal(self) -> None:
        self._sql.seal()

    async def commit(self) -> None:
        await self._sql.commit()


def trader_row(trader: Trader) -> dict[str, Any]:
    return {
        "user_id": trader.user_id,
        "version": trader.version,
        "xp": trader.xp,
        "level": trader.level,
        "max_leverage": trader.max_leverage,
        "streak": trader.streak,
        "last_streak_day": trader.last_streak_day,
        "xp_day": trader.xp_day,
        "xp_closes_today": trader.xp_closes_today,
        "closes": trader.closes,
        "recent_wins": "".join("1" if won else "0" for won in trader.recent_wins),
        "protected_run": trader.protected_run,
        "markets": sorted(trader.markets),
        "first_trade_at": trader.first_trade_at,
        "liquidated": trader.liquidated,
        "achievements": sorted(trader.achievements),
        "practice_xp": trader.practice_xp,
    }


def trader_from_row(row: Any) -> Trader:
    return Trader(
        row["user_id"],
        xp=row["xp"],
        level=row["level"],
        max_leverage=row["max_leverage"],
        streak=row["streak"],
        last_streak_day=row["last_streak_day"],
        xp_day=row["xp_day"],
        xp_closes_today=row["xp_closes_today"],
        closes=row["closes"],
        recent_wins=[flag == "1" for flag in row["recent_wins"]],
        protected_run=row["protected_run"],
        markets=row["markets"],
        first_trade_at=row["first_trade_at"],
        liquidated=row["liquidated"],
        achievements=row["achievements"],
        practice_xp=row["practice_xp"],
        version=row["version"],
    )


def tournament_row(tournament: Tournament) -> dict[str, Any]:
    return {
        "id": tournament.id,
        "version": tournament.version,
        "name": tournament.name,
        "markets": list(tournament.markets),
        "starts_at": tournament.starts_at,
        "ends_at": tournament.ends_at,
        "starting_capital": tournament.starting_capital,
        "max_entrants": tournament.max_entrants,
        "min_level": tournament.min_level,
        "entrants": tournament.entrants,
        "created_at": tournament.created_at,
        "finished_at": tournament.finished_at,
    }


def tournament_from_row(row: Any) -> Tournament:
    return Tournament(
        row["id"],
        name=row["name"],
        markets=row["markets"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        starting_capital=row["starting_capital"],
        max_entrants=row["max_entrants"],
        min_level=row["min_level"],
        created_at=row["created_at"],
        entrants=row["entrants"],
        finished_at=row["finished_at"],
        version=row["version"],
    )


async def ranked_standings(
    conn: AsyncConnection, tournament_id: str, min_closes: int
) -> list[Placing]:
    s = tournament_standings.c
    rows = await conn.execute(
        select(s.user_id, s.score, s.closes, s.reached_at).where(
            s.tournament_id == tournament_id, s.closes >= min_closes
        )
    )
    # Few entrants per tournament: rank in Python, exactly (scores are exact decimals).
    ordered = sorted(rows, key=lambda r: (-Decimal(r.score), r.reached_at, r.user_id))
    return [Placing(i + 1, r.user_id, Decimal(r.score), r.closes) for i, r in enumerate(ordered)]
