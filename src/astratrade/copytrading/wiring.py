"""Copy trading's module: the leaders' and copies' commands of its API, the worker that
follows trading's events about leaders and copies, its read models of other contexts'
events (names, levels, practice accounts, their closed positions and the statistics kept
of them, blocks, plans), and its timed jobs (statistics whose windows moved, the weekly
profit share)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from astratrade.copytrading.adapters import statistics
from astratrade.copytrading.adapters.repository import SqlCopyTradingUnitOfWork
from astratrade.copytrading.adapters.tables import copies
from astratrade.copytrading.api import copies as copies_api
from astratrade.copytrading.api import leader_equity
from astratrade.copytrading.api import leaders as leaders_api
from astratrade.copytrading.api.live import LiveCopies
from astratrade.copytrading.domain import commands as c
from astratrade.copytrading.domain.profit_share import week_start
from astratrade.copytrading.domain.rules import DEFAULT_RULES, MarketRules
from astratrade.copytrading.handlers import copies as copying
from astratrade.copytrading.handlers import following, leaders, settlement
from astratrade.copytrading.handlers.common import NoCopyAccounts, Tools, retrying
from astratrade.copytrading.ports import CopyAccounts
from astratrade.copytrading.projections import PROJECTIONS
from astratrade.modules import Infrastructure, Module
from astratrade.shared.bus import Subscription, ahead_of_read_models
from astratrade.shared.delivery import Delivery
from astratrade.shared.errors import Conflict, Unavailable
from astratrade.shared.messages import Envelope

logger = logging.getLogger(__name__)
ROUTERS: tuple[APIRouter, ...] = (leaders_api.router, copies_api.router, leader_equity.router)
CONSUMER = "copytrading"

Handler = Callable[[Any, Tools], Awaitable[Any]]
COMMANDS: dict[type[Any], Handler] = {
    c.OptInAsLeader: leaders.lead,
    c.StopLeading: leaders.stop_leading,
    c.StartCopy: copying.start_copy,
    c.StopCopy: copying.stop_copy,
}


def wire(
    infra: Infrastructure,
    *,
    accounts: CopyAccounts | None = None,
    markets: Mapping[str, MarketRules] | None = None,
) -> Module:
    """`accounts`: trading's copy accounts (in-process or over HTTP); `markets`: what sizing
    needs of trading's markets."""
    engine, publisher, clock, ids = infra.db, infra.publisher, infra.clock, infra.ids

    def new_uow(delivery: Delivery | None = None) -> SqlCopyTradingUnitOfWork:
        return SqlCopyTradingUnitOfWork(engine, publisher, clock, ids, delivery=delivery)

    tools = Tools(
        new_uow,
        clock,
        DEFAULT_RULES,
        accounts or NoCopyAccounts(),  # type: ignore[arg-type]
        dict(markets or {}),
        ids,
        infra.settings.trading_shards,
    )

    async def refresh_statistics() -> None:
        """The statistics whose windows have moved (a close leaving one): each second, as
        the clock moves. Looked for on the read side first, so that a second with nothing
        due takes no turn of the single writer."""
        now = clock.now()
        if await statistics.any_due(infra.read_db, now):
            await infra.writer.run(lambda conn: statistics.refresh_due(conn, now))

    settle_weeks = _weekly_settlement(infra, new_uow, tools)

    return Module(
        "copytrading",
        routers=ROUTERS,
        commands={kind: _bound(handler, tools) for kind, handler in COMMANDS.items()},
        subscriptions=_subscriptions(new_uow, tools),
        projections=PROJECTIONS,
        on_time=(refresh_statistics, settle_weeks),
        provides={"copytrading": tools, "copy_live": LiveCopies(infra.read_db, tools)},
    )


def _weekly_settlement(
    infra: Infrastructure, new_uow: Callable[[], SqlCopyTradingUnitOfWork], tools: Tools
) -> Callable[[], Awaitable[None]]:
    clock = infra.clock

    async def settle_weeks() -> None:
        """Monday 00:00 UTC's profit share, as the platform's clock passes it: looked for on
        the read side first (one indexed read a second when none is due)."""
        due = (copies.c.status == "active", copies.c.last_settled_at < week_start(clock.now()))
        async with infra.read_db.connect() as conn:
            if await conn.scalar(select(copies.c.copy_id).where(*due).limit(1)) is None:
                return
        try:
            while await settlement.settle_due(new_uow, tools) == settlement.BATCH:
                pass
        except Conflict:
            return  # another replica settled one of them meanwhile: the next second goes on
        except Unavailable as error:
            # Trading cannot say what the copy accounts hold: nothing settled, the next
            # second asks again (the week's settlement waits, it is not skipped).
            logger.warning("weekly profit share waits for trading: %s", error)

    return settle_weeks


def _subscriptions(
    new_uow: Callable[[Delivery], SqlCopyTradingUnitOfWork], tools: Tools
) -> tuple[Subscription, ...]:
    """Trading's leader fills and copy-account events, and social's blocks: each copy's
    decisions, exactly once with the delivery."""

    async def on_leader_filled(envelope: Envelope, delivery: Delivery) -> None:
        await retrying(
            lambda: following.on_leader_filled(envelope, new_uow(delivery), tools),
            alone=delivery.batch is None,
        )

    async def on_copy_event(envelope: Envelope, delivery: Delivery) -> None:
        await retrying(
            lambda: following.on_copy_event(envelope, new_uow(delivery)),
            alone=delivery.batch is None,
        )

    async def on_block(envelope: Envelope, delivery: Delivery) -> None:
        await retrying(
            lambda: following.on_block(envelope, new_uow(delivery)), alone=delivery.batch is None
        )

    # Ahead of the read models, all of them (a consumer's events stay in order): copiers
    # wait on these decisions, which read only copy trading's own state and trading's.
    return (
        Subscription("LeaderFilled", "trading", CONSUMER, ahead_of_read_models(on_leader_filled)),
        *(
            Subscription(kind, "trading", CONSUMER, ahead_of_read_models(on_copy_event))
            for kind in following.COPY_EVENTS
        ),
        Subscription("UserBlocked", "social", CONSUMER, ahead_of_read_models(on_block)),
    )


def _bound(handler: Handler, tools: Tools) -> Callable[[Any], Awaitable[Any]]:
    async def handle(command: Any) -> Any:
        return await handler(command, tools)

    handle.__name__ = handler.__name__
    return handle
