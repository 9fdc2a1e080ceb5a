"""Transfers recorded through the platform's unit of work: the request event (audit log
and outbox) and the day's faucet claim commit together."""

from __future__ import annotations

from sqlalchemy import exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.financial.adapters.tables import faucet_claims
from astratrade.financial.domain.transfers import FaucetUsedToday, Transfer
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock


class SqlTransferBook:
    def __init__(
        self, engine: AsyncEngine, read_db: AsyncEngine, publisher: EventPublisher, clock: Clock
    ) -> None:
        self._engine, self._read_db = engine, read_db
        self._publisher, self._clock = publisher, clock

    async def faucet_used(self, account_id: str, day: str) -> bool:
        claimed = exists().where(
            faucet_claims.c.account_id == account_id, faucet_claims.c.day == day
        )
        async with self._read_db.connect() as conn:
            return bool(await conn.scalar(select(claimed)))

    async def record(self, transfer: Transfer, faucet_day: str | None) -> None:
        async def claim(conn: AsyncConnection) -> None:
            claimed = {"account_id": transfer.account_id, "day": faucet_day}
            await conn.execute(insert(faucet_claims).values(claimed))

        async with SqlUnitOfWork(self._engine, self._publisher, self._clock) as uow:
            if faucet_day is not None:
                uow.on_commit(claim)
            uow.track(transfer)
            try:
                await uow.commit()
            except IntegrityError as error:  # the same day's claim, committed meanwhile
                raise FaucetUsedToday("the faucet tops an account up once per UTC day") from error
