"""The trading engine: the single writer of trading state, one command at a time, its
writes grouped (see adapters/group_commit.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.trading import handlers
from astratrade.trading.adapters.group_commit import GroupCommit
from astratrade.trading.domain.commands import ProcessQuotes
from astratrade.trading.domain.funding import FundingSchedule
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.venue import Venue
from astratrade.trading.ports import TradingUnitOfWork
from astratrade.trading.queries import TradingQueries

logger = logging.getLogger(__name__)
T = TypeVar("T")
UnitOfWorkFactory = Callable[
    [Delivery | None], Any
]  # an async context manager of TradingUnitOfWork


class TradingEngine:
    """Serializes every trading command on one lock: orders, ticks and funding never
    interleave, so each sees the state the previous one decided, as a matching engine
    does. Other parts read trading through `queries`, committed state without this lock."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        venue: Venue,
        clock: Clock,
        insurance_seed: Decimal,
        queries: TradingQueries,
        writes: GroupCommit,
    ) -> None:
        self.venue = venue
        self.writes = writes  # the group commit the units of work stage their rows with
        self.queries = queries
        self.clock = clock
        self._uow_factory = uow_factory
        self._insurance_seed = insurance_seed
        # Told of every processed batch of quotes: the queries (the marks committed state is
        # valued at) first, then the live price channels.
        self.quote_listeners: list[Callable[[list[Quote]], None]] = [queries.quotes_processed]
        self._lock = asyncio.Lock()
        self.schedule = FundingSchedule(venue.rules, clock.now())

    async def start(self) -> None:
        async def prepare(uow: TradingUnitOfWork) -> None:
            for shard in self.venue.shards.all():
                await handlers.ensure_system_accounts(
                    uow, self.venue, self._insurance_seed, self.clock.now(), shard
                )
            loaded = await uow.accounts.load_active()
            logger.info("trading engine holds %d accounts with exposure", loaded)

        await self.run(prepare)

    async def run(
        self,
        use_case: Callable[[TradingUnitOfWork], Awaitable[T]],
        delivery: Delivery | None = None,
    ) -> T:
        """Run one use case alone, in a unit of work of its own; with the delivery of the
        event it answers, its commit records that delivery (exactly once). The next use
        case may start once this one is decided; this one answers once it is durable."""
        async with self._lock, self._uow_factory(delivery) as uow:
            result = await use_case(uow)
        await uow.durable()
        return result

    async def stop(self) -> None:
        """Let what is staged be written before the writer closes."""
        await self.writes.settled()

    async def process_quotes(self, cmd: ProcessQuotes, uow: TradingUnitOfWork) -> None:
        await handlers.process_quotes(cmd, uow, self.venue, self.clock.now())

    async def on_quotes(self, quotes: list[Quote]) -> None:
        """A feed's batch: fills, triggers and liquidations, then any funding now due."""
        command = ProcessQuotes(quotes=tuple(quotes))
        await self.run(lambda uow: self.process_quotes(command, uow))
        for listener in self.quote_listeners:
            listener(quotes)
        await self.on_time()

    async def on_time(self) -> None:
        """Tournament accounts past their end lose the orders that could add exposure;
        premiums are sampled each minute and funding paid for each hour boundary passed."""
        now = self.clock.now()
        await self.run(lambda uow: handlers.end_trading_windows(uow, now))
        due = self.schedule.advance(now, self.venue.quotes)
        if due:
            await self.run(lambda uow: handlers.pay_funding(due, uow, self.venue, now))
