"""Failed logins in SQL, per login name and per account: counted, locked with backoff,
forgotten in time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure.upsert import upsert
from astratrade.users.adapters.tables import account_login_failures, login_failures
from astratrade.users.domain import rules

name_key = login_failures.c.login_key
account_key = account_login_failures.c.user_id


class SqlLoginFailures:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def locked_until(self, login_key: str, now: datetime) -> datetime | None:
        return await self._locked_until(name_key, login_key, now)

    async def account_locked_until(self, user_id: str, now: datetime) -> datetime | None:
        return await self._locked_until(account_key, user_id, now)

    async def failed(
        self, login_key: str, now: datetime, *, user_id: str | None = None
    ) -> datetime | None:
        # One transaction for both counts: a known name costs no extra commit over an
        # unknown one (the login timing must not tell them apart).
        async with self._engine.begin() as conn:
            until = await _count(conn, name_key, login_key, now)
            if user_id is not None:
                await _count(conn, account_key, user_id, now)
        return until

    async def cleared(self, login_key: str, *, user_id: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(login_failures).where(name_key == login_key))
            await conn.execute(delete(account_login_failures).where(account_key == user_id))

    async def _locked_until(
        self, key_column: Column[str], key: str, now: datetime
    ) -> datetime | None:
        async with self._engine.connect() as conn:
            until = await conn.scalar(
                select(key_column.table.c.locked_until).where(key_column == key)
            )
        return until if until is not None and until > now else None


async def _count(
    conn: AsyncConnection, key_column: Column[str], key: str, now: datetime
) -> datetime | None:
    table = key_column.table
    row = (await conn.execute(select(table).where(key_column == key))).first()
    recent = row is not None and now - row.last_failure_at < rules.FAILURE_MEMORY
    failures = (row.failures if recent and row is not None else 0) + 1
    lock = rules.lock_for(failures)
    until = now + lock if lock is not None else None
    counted = {
        key_column.name: key,
        "failures": failures,
        "last_failure_at": now,
        "locked_until": until,
    }
    await conn.run_sync(lambda sync: upsert(sync, table, [counted], [key_column.name]))
    return until
