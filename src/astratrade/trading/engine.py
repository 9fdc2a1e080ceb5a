"""The trading engine: the single writer of trading state, one command at a time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from astratrade.shared.bus import MessageBus
from astratrade.shared.clock import Clock
from astratrade.trading import handlers
from astratrade.trading.domain.commands import (
    ApplyTransfer,
    CancelOrder,
    ClosePosition,
    OpenLiveAccount,
    OpenPracticeAccount,
    OpenTournamentAccount,
    PlaceOrder,
    ProcessQuotes,
    SetDailyLossLimit,
    SetLeverage,
    SetLeverageLimit,
)
from astratrade.trading.domain.funding import FundingSchedule
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.venue import Venue
from astratrade.trading.ports import LiveAccessQuery, OpenOrderLimitQuery, TradingUnitOfWork
from astratrade.trading.queries import TradingQueries

logger = logging.getLogger(__name__)
T = TypeVar("T")
UnitOfWorkFactory = Callable[[], Any]  # returns an async context manager of TradingUnitOfWork


class TradingEngine:
    """Serializes every trading command on one lock: orders, ticks and funding never
    interleave, so each sees the state the previous one committed, as a matching engine
    does. Other parts read trading through `queries`, committed state without this lock."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        venue: Venue,
        clock: Clock,
        practice_grant: Decimal,
        insurance_seed: Decimal,
        live_access: LiveAccessQuery,
        queries: TradingQueries,
        plan_limits: OpenOrderLimitQuery | None = None,
    ) -> None:
        self.venue = venue
        self.queries = queries
        self.clock = clock
        self._uow_factory = uow_factory
        self._grant = practice_grant
        self._insurance_seed = insurance_seed
        self._live_access = live_access
        self._plan_limits = plan_limits
        # Told of every processed batch of quotes: the queries (the marks committed state is
        # valued at) first, then the live price channels.
        self.quote_listeners: list[Callable[[list[Quote]], None]] = [queries.quotes_processed]
        self._lock = asyncio.Lock()
        self.schedule = FundingSchedule(venue.rules, clock.now())

    async def start(self) -> None:
        async def prepare(uow: TradingUnitOfWork) -> None:
            await handlers.ensure_system_accounts(
                uow, self.venue, self._insurance_seed, self.clock.now()
            )
            loaded = await uow.accounts.load_active()
            logger.info("trading engine holds %d accounts with exposure", loaded)

        await self.run(prepare)

    async def run(self, use_case: Callable[[TradingUnitOfWork], Awaitable[T]]) -> T:
        async with self._lock, self._uow_factory() as uow:
            return await use_case(uow)

    def wire(self, bus: MessageBus) -> None:
        now = self.clock.now
        venue = self.venue

        def command(
            kind: type[Any], use_case: Callable[[Any, TradingUnitOfWork], Awaitable[Any]]
        ) -> None:
            async def handle(cmd: Any) -> Any:
                return await self.run(lambda uow: use_case(cmd, uow))

            bus.register(kind, handle)

        command(
            PlaceOrder,
            lambda c, u: handlers.place_order(c, u, venue, now(), self._plan_limits),
        )
        command(CancelOrder, lambda c, u: handlers.cancel_order(c, u, now()))
        command(ClosePosition, lambda c, u: handlers.close_position(c, u, venue, now()))
        command(SetLeverage, lambda c, u: handlers.set_leverage(c, u, venue))
        command(SetDailyLossLimit, lambda c, u: handlers.set_daily_loss_limit(c, u, now()))
        command(SetLeverageLimit, lambda c, u: handlers.set_leverage_limit(c, u, now()))
        command(
            OpenPracticeAccount,
            lambda c, u: handlers.open_practice_account(c, u, venue, self._grant, now()),
        )
        command(
            OpenLiveAccount,
            lambda c, u: handlers.open_live_account(c, u, venue, self._live_access, now()),
        )
        command(
            OpenTournamentAccount,
            lambda c, u: handlers.open_tournament_account(c, u, venue, now()),
        )
        command(ApplyTransfer, lambda c, u: handlers.apply_transfer(c, u, venue, now()))
        command(ProcessQuotes, self._process_quotes)

    async def _process_quotes(self, cmd: ProcessQuotes, uow: TradingUnitOfWork) -> None:
        await handlers.process_quotes(cmd, uow, self.venue, self.clock.now())

    async def on_quotes(self, quotes: list[Quote]) -> None:
        """A feed's batch: fills, triggers and liquidations, then any funding now due."""
        command = ProcessQuotes(quotes=tuple(quotes))
        await self.run(lambda uow: self._process_quotes(command, uow))
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
