"""Registers financial's commands on the bus."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.financial import handlers
from astratrade.financial.adapters.transfer_book import SqlTransferBook
from astratrade.financial.domain.commands import RequestTransfer
from astratrade.financial.domain.transfers import Transfer
from astratrade.financial.ports import FundsQuery
from astratrade.shared.bus import EventPublisher, MessageBus
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory


def wire(
    bus: MessageBus,
    *,
    engine: AsyncEngine,
    read_db: AsyncEngine,
    publisher: EventPublisher,
    clock: Clock,
    funds_of: FundsQuery,
    ids: IdFactory,
) -> None:
    book = SqlTransferBook(engine, read_db, publisher, clock)

    async def request_transfer(cmd: RequestTransfer) -> Transfer:
        return await handlers.request_transfer(cmd, book, funds_of, ids(), clock.now())

    bus.register(RequestTransfer, request_transfer)
