"""The gamification unit of work: traders' progression rows through a SqlUnitOfWork."""

from __future__ import annotations

from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.gamification.adapters.tables import traders
from astratrade.gamification.domain.progress import Trader
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock


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


class SqlGamificationUnitOfWork:
    def __init__(self, engine: AsyncEngine, publisher: EventPublisher, clock: Clock) -> None:
        self._sql = SqlUnitOfWork(engine, publisher, clock)
        self.traders = SqlTraderRepository(self._sql)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._sql.rollback()

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
        version=row["version"],
    )
