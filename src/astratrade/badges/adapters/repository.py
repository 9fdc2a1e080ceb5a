"""Badges' unit of work: revocations through a SqlUnitOfWork (the audit log and outbox in
its transaction), reading the badge from the same transaction."""

from __future__ import annotations

from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.badges.adapters.tables import badges
from astratrade.badges.domain.badges import Badge
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory
from astratrade.shared.messages import Aggregate


def badge_of(row: Any) -> Badge:
    return Badge(
        token_id=int(row["token_id"]),
        user_id=row["user_id"],
        holder=row["holder"],
        achievement=row["achievement"],
        earned_at=row["earned_at"],
        level=row["level"],
        revoked_at=row["revoked_at"],
        revoked_reason=row["revoked_reason"],
    )


class SqlBadgesUnitOfWork:
    def __init__(
        self, engine: AsyncEngine, publisher: EventPublisher, clock: Clock, ids: IdFactory
    ) -> None:
        self._sql = SqlUnitOfWork(engine, publisher, clock, ids)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._sql.rollback()

    async def badge(self, token_id: int) -> Badge | None:
        conn = await self._sql.connection()
        found = (
            await conn.execute(select(badges).where(badges.c.token_id == str(token_id)))
        ).first()
        if found is None:
            return None
        return badge_of(found._mapping)

    def track(self, aggregate: Aggregate) -> None:
        self._sql.track(aggregate)

    async def commit(self) -> None:
        await self._sql.commit_refusing_races()
