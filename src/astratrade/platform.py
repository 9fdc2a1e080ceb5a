"""The platform one process runs: what `bootstrap` builds, started and stopped as a whole."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.config import CONTEXTS, Settings
from astratrade.financial.adapters.trading_funds import HttpTrading
from astratrade.financial.ports import FundsQuery
from astratrade.gamification.adapters.board_index import BoardIndex
from astratrade.infrastructure.backbone import EventBackbone
from astratrade.infrastructure.migrations import migrate
from astratrade.infrastructure.projections import Projection
from astratrade.infrastructure.tokens import TokenCodec
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock, SystemClock
from astratrade.trading.engine import TradingEngine
from astratrade.trading.ports import PriceFeed
from astratrade.users.adapters.sessions import SessionGuard

logger = logging.getLogger(__name__)


@dataclass
class Platform:
    """Everything one process runs; `start()` migrates, recovers and starts the feed."""

    settings: Settings
    clock: Clock
    db: AsyncEngine
    read_db: AsyncEngine
    writer: Writer
    bus: MessageBus
    dispatcher: EventBackbone
    tokens: TokenCodec
    trading: TradingEngine
    feed: PriceFeed | None
    projections: tuple[Projection, ...] = ()
    boards: BoardIndex | None = None  # the boards' Redis index, when Redis is configured
    # Besides trading's, as time moves: (context, job).
    timers: tuple[tuple[str, Callable[[], Awaitable[None]]], ...] = ()
    sessions: SessionGuard | None = None  # every authenticated request's session check
    contexts: tuple[str, ...] = CONTEXTS  # what this process serves (one, as a service)
    funds_of: FundsQuery | None = None  # trading's answer for an account's funds, here
    remote_trading: HttpTrading | None = None  # financial's questions, trading elsewhere
    # Clients of other services this process built (closed at stop).
    closers: tuple[Callable[[], Awaitable[None]], ...] = ()
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    async def start(self) -> None:
        if self.settings.service is None:  # services wait for `astratrade migrate`
            await migrate(self.db)
        if self.boards is not None and "gamification" in self.contexts:
            await self.boards.start()  # Redis unreachable: loaded once it answers
        await self.dispatcher.start()
        if "trading" in self.contexts:  # the one writer of trading state, and its prices
            await self.trading.start()
            if self.feed is not None:
                self._tasks.append(asyncio.create_task(self.feed.run(self.trading.on_quotes)))
        if isinstance(self.clock, SystemClock):
            self._tasks.append(asyncio.create_task(self._keep_time()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self.dispatcher.stop()
        if self.boards is not None:
            await self.boards.close()
        for close in self.closers:
            await close()
        await self.writer.close()
        await self.db.dispose()
        await self.read_db.dispose()

    async def on_time(self) -> None:
        """What is due as time moves here: funding, the tournaments that ended, renewals."""
        if "trading" in self.contexts:
            await self.trading.on_time()
        for context, timer in self.timers:
            if context in self.contexts:
                await timer()

    async def _keep_time(self) -> None:
        # Funding samples each minute and pays each hour even when no quote arrives;
        # tournaments end on time even when nobody trades.
        while True:
            await asyncio.sleep(1)
            try:
                await self.on_time()
            except Exception:
                logger.exception("a timed job failed")
