"""Wallet challenges and linked wallets in SQL, inside the users' unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.users.adapters.tables import wallet_challenges, wallets
from astratrade.users.domain.wallets import Challenge


class SqlWalletRepository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def add_challenge(self, challenge: Challenge) -> None:
        conn = await self._uow.connection()
        await conn.execute(
            insert(wallet_challenges).values(
                nonce=challenge.nonce,
                address=challenge.address,
                chain_id=challenge.chain_id,
                issued_at=challenge.issued_at,
                expires_at=challenge.expires_at,
            )
        )

    async def take_challenge(self, nonce: str, at: datetime) -> tuple[Challenge | None, bool]:
        """The challenge, and whether it had been used; it is used from now on."""
        conn = await self._uow.connection()
        row = (
            await conn.execute(select(wallet_challenges).where(wallet_challenges.c.nonce == nonce))
        ).first()
        if row is None:
            return None, False
        taken = await conn.execute(
            update(wallet_challenges)
            .where(wallet_challenges.c.nonce == nonce, wallet_challenges.c.used_at.is_(None))
            .values(used_at=at)
        )  # only one of two concurrent verifications takes it
        challenge = Challenge(row.nonce, row.address, row.chain_id, row.issued_at, row.expires_at)
        return challenge, taken.rowcount != 1

    async def owner_of(self, address: str) -> str | None:
        conn = await self._uow.connection()
        found = await conn.scalar(select(wallets.c.user_id).where(wallets.c.address == address))
        return None if found is None else str(found)

    def link(self, address: str, user_id: str, public_key: str, at: datetime) -> None:
        async def write(conn: AsyncConnection) -> None:
            row = {
                "address": address,
                "user_id": user_id,
                "public_key": public_key,
                "linked_at": at,
            }
            await conn.execute(insert(wallets).values(row))

        self._uow.on_commit(write)
