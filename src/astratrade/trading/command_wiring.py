"""Trading's commands, each run by its engine, the single writer: the table the bus and the
subscriptions dispatch on, and how a command reaches the engine (live orders in two steps)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.config import Settings
from astratrade.shared.delivery import Delivery
from astratrade.trading import handlers
from astratrade.trading.adapters.read_models import SqlLiveAccess, SqlOpenOrderLimits
from astratrade.trading.domain.commands import (
    ApplyTransfer,
    CancelLiveOrders,
    CancelOrder,
    ClosePosition,
    OpenLiveAccount,
    OpenPracticeAccount,
    OpenTournamentAccount,
    PlaceOrder,
    ProcessQuotes,
    RecordVenueReports,
    SetDailyLossLimit,
    SetLeverage,
    SetLeverageLimit,
)
from astratrade.trading.domain.copy_commands import (
    CloseCopyAccount,
    CloseCopyPosition,
    CreditProfitShare,
    DebitProfitShare,
    FlattenCopyAccount,
    MarkLeading,
    OpenCopyAccount,
    PlaceCopyOrder,
)
from astratrade.trading.engine import TradingEngine
from astratrade.trading.handlers import copies, venue_reports
from astratrade.trading.handlers.live_steps import LiveDesk
from astratrade.trading.ports import LiveTrading, TradingUnitOfWork


class RunCommand(Protocol):
    """A trading command on the engine: from the bus alone, from a subscription with the
    delivery of the event it answers."""

    async def __call__(self, cmd: Any, delivery: Delivery | None = None) -> Any: ...


UseCase = Callable[[Any, TradingUnitOfWork], Awaitable[Any]]
# A live order's decision: the command, the unit of work, and the rules the desk passes
# (None when cancelling).
Decision = Callable[[Any, TradingUnitOfWork, Any], Awaitable[Any]]


def trading_commands(
    engine: TradingEngine, settings: Settings, read_db: AsyncEngine, live: LiveTrading | None
) -> dict[type[Any], RunCommand]:
    """Every trading command, run by the engine one at a time."""
    desk = LiveDesk(live, engine.clock.now)
    grant = settings.practice_starting_balance
    return {
        **_order_commands(engine, desk, live, SqlOpenOrderLimits(read_db)),
        **_account_commands(engine, grant, SqlLiveAccess(read_db)),
        **_copy_commands(engine),
    }


def _order_commands(
    engine: TradingEngine, desk: LiveDesk, live: LiveTrading | None, limits: SqlOpenOrderLimits
) -> dict[type[Any], RunCommand]:
    venue, now = engine.venue, engine.clock.now
    run, placing = partial(_run, engine), partial(_placing, engine, desk)
    return {
        PlaceOrder: placing(
            lambda c, u, r: handlers.place_order(c, u, venue, now(), limits, live, r)
        ),
        CancelOrder: placing(lambda c, u, _: handlers.cancel_order(c, u, now(), live)),
        CancelLiveOrders: placing(lambda c, u, _: handlers.cancel_live_orders(c, u, live)),
        RecordVenueReports: run(
            lambda c, u: venue_reports.record_venue_reports(c, u, now(), desk.sending)
        ),
        ClosePosition: placing(
            lambda c, u, r: handlers.close_position(c, u, venue, now(), live, r)
        ),
    }


def _account_commands(
    engine: TradingEngine, grant: Decimal, live_access: SqlLiveAccess
) -> dict[type[Any], RunCommand]:
    venue, now = engine.venue, engine.clock.now
    run = partial(_run, engine)
    return {
        SetLeverage: run(lambda c, u: handlers.set_leverage(c, u, venue)),
        SetDailyLossLimit: run(lambda c, u: handlers.set_daily_loss_limit(c, u, now())),
        SetLeverageLimit: run(lambda c, u: handlers.set_leverage_limit(c, u, now())),
        OpenPracticeAccount: run(
            lambda c, u: handlers.open_practice_account(c, u, venue, grant, now())
        ),
        OpenLiveAccount: run(
            lambda c, u: handlers.open_live_account(c, u, venue, live_access, now())
        ),
        OpenTournamentAccount: run(
            lambda c, u: handlers.open_tournament_account(c, u, venue, now())
        ),
        ApplyTransfer: run(lambda c, u: handlers.apply_transfer(c, u, venue, now())),
        ProcessQuotes: run(engine.process_quotes),
    }


def _copy_commands(engine: TradingEngine) -> dict[type[Any], RunCommand]:
    venue, now = engine.venue, engine.clock.now
    run = partial(_run, engine)
    return {
        MarkLeading: run(lambda c, u: copies.mark_leading(c, u, venue)),
        OpenCopyAccount: run(lambda c, u: copies.open_copy_account(c, u, venue, now())),
        PlaceCopyOrder: run(lambda c, u: copies.place_copy_order(c, u, venue, now())),
        CloseCopyPosition: run(lambda c, u: copies.close_copy_position(c, u, venue, now())),
        FlattenCopyAccount: run(lambda c, u: copies.flatten_copy_account(c, u, venue, now())),
        DebitProfitShare: run(lambda c, u: copies.debit_weekly_profit_share(c, u, venue, now())),
        CloseCopyAccount: run(lambda c, u: copies.close_copy_account(c, u, venue, now())),
        CreditProfitShare: run(lambda c, u: copies.credit_profit_share(c, u, now())),
    }


def _run(engine: TradingEngine, use_case: UseCase) -> RunCommand:
    """From the bus, a command alone; from an event's subscription, with its delivery."""

    async def handle(cmd: Any, delivery: Delivery | None = None) -> Any:
        return await engine.run(lambda uow: use_case(cmd, uow), delivery)

    return handle


def _placing(engine: TradingEngine, desk: LiveDesk, decide: Decision) -> RunCommand:
    """A live order's venue I/O happens between two writer commands, never inside one."""

    async def handle(cmd: Any, delivery: Delivery | None = None) -> Any:
        first = [delivery]  # the event's delivery is recorded with the first command

        async def on_engine(use_case: Callable[[TradingUnitOfWork], Awaitable[Any]]) -> Any:
            with_delivery, first[0] = first[0], None
            return await engine.run(use_case, with_delivery)

        if isinstance(cmd, PlaceOrder | ClosePosition):
            return await desk.place(on_engine, lambda uow, rules: decide(cmd, uow, rules))
        return await desk.cancel(on_engine, lambda uow: decide(cmd, uow, None))

    return handle
