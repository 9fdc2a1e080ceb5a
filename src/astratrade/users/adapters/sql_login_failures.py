"""Failed logins per login name in SQL: counted, locked with backoff, forgotten in time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.upsert import upsert
from astratrade.users.adapters.tables import login_failures
from astratrade.users.domain import rules


class SqlLoginFailures:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def locked_until(self, login_key: str, now: datetime) -> datetime | None:
        async with self._engine.connect() as conn:
            until = await conn.scalar(
                select(login_failures.c.locked_until).where(login_failures.c.login_key == login_key)
            )
        return until if until is not None and until > now else None

    async def failed(self, login_key: str, now: datetime) -> datetime | None:
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(
                    select(login_failures).where(login_failures.c.login_key == login_key)
                )
            ).first()
            recent = row is not None and now - row.last_failure_at < rules.FAILURE_MEMORY
            failures = (row.failures if recent and row is not None else 0) + 1
            lock = rules.lock_for(failures)
            until = now + lock if lock is not None else None
            counted = {"login_key": login_key, "failures": failures, "last_failure_at": now,
                       "locked_until": until}  # fmt: skip
            await conn.run_sync(lambda sync: upsert(sync, login_failures, [counted], ["login_key"]))
        return until

    async def cleared(self, login_key: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(login_failures).where(login_failures.c.login_key == login_key)
            )
