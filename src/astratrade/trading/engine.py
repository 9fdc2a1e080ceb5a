"""The trading engine: the single writer of trading state, one command at a time, its
writes grouped (see adapters/group_commit.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from astratrade.infrastructure.shard_leases import ShardLeasing
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.trading import handlers
from astratrade.trading.adapters.cache import AccountCache
from astratrade.trading.adapters.group_commit import GroupCommit
from astratrade.trading.adapters.held_shards import HeldShards
from astratrade.trading.adapters.price_metrics import quotes_applied
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
        held: HeldShards,
        cache: AccountCache,
    ) -> None:
        self.venue = venue
        self.writes = writes  # the group commit the units of work stage their rows with
        self.held = held  # the shards this process writes, filled by its leases
        self.leases: ShardLeasing | None = None  # set by the wiring, started with the engine
        self._cache = cache
        self._taking: list[asyncio.Task[None]] = []
        self._stopping = False
        self.queries = queries
        self.clock = clock
        self._uow_factory = uow_factory
        self._insurance_seed = insurance_seed
        # Told of every processed batch of quotes: the queries (the marks committed state is
        # valued at) first, then /metrics, then the live price channels.
        self.quote_listeners: list[Callable[[list[Quote]], None]] = [
            queries.quotes_processed,
            quotes_applied,
        ]
        self._lock = asyncio.Lock()
        self.schedule = FundingSchedule(venue.rules, clock.now())

    async def start(self) -> None:
        """Take this process's share of the shards (all of them, embedded) and load them."""
        if self.leases is None:
            raise RuntimeError("the trading engine starts with its shard leases")
        await self.leases.start()
        await asyncio.gather(*self._taking)

    def shard_acquired(self, shard: int, token: int) -> None:
        """A lease's listener: load the shard once its acquisition is committed."""
        self._taking.append(asyncio.create_task(self._take(shard, token)))
        self._taking = [task for task in self._taking if not task.done()]

    def shard_lost(self, shard: int) -> None:
        """A lease's listener: stop writing the shard at once; another replica may now.
        Commands already staged for it fail at their write (the lease is fenced there)."""
        self.held.tokens.pop(shard, None)
        for account_id in [a for a in self._cache.accounts if self.held.shards.of(a) == shard]:
            self._cache.evict(account_id)
        level = logging.INFO if self._stopping else logging.WARNING
        logger.log(level, "trading shard %d is no longer written here", shard)

    async def _take(self, shard: int, token: int) -> None:
        async def prepare(uow: TradingUnitOfWork) -> int:
            await handlers.ensure_system_accounts(
                uow, self.venue, self._insurance_seed, self.clock.now(), shard
            )
            return await uow.accounts.load_active()

        self.held.tokens[shard] = token
        try:
            loaded = await self.run(prepare)
        except Exception:
            logger.exception("trading shard %d could not be loaded", shard)
            self.shard_lost(shard)
            return
        if self.held.tokens.get(shard) != token:  # lost while loading
            self.shard_lost(shard)
            return
        logger.info("trading shard %d written here (%d accounts with exposure)", shard, loaded)

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
        """Let what is staged be written before the writer closes, then give the shards up
        so other replicas take them at once."""
        await self.writes.settled()
        self._stopping = True
        if self.leases is not None:
            await self.leases.stop()

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
