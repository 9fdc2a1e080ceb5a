"""The copy-trading unit of work: its leaders through a SqlUnitOfWork (an identity map
that writes back only what is new or changed), and its read models in the same
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.copytrading.adapters import leader_copies
from astratrade.copytrading.adapters.copies import SqlCopies
from astratrade.copytrading.adapters.tables import (
    blocks,
    closed_positions,
    leaders,
    levels,
    plans,
    practice_accounts,
    traders,
)
from astratrade.copytrading.domain.leaders import Leader, TraderRecord
from astratrade.copytrading.domain.rules import DEFAULT_RULES
from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.infrastructure.upsert import upsert
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import IdFactory, new_id


def leader_row(leader: Leader) -> dict[str, Any]:
    return {
        "user_id": leader.leader_id,
        "account_id": leader.account_id,
        "profit_share": leader.profit_share,
        "active": leader.active,
        "version": leader.version,
    }


def leader_of(row: Any) -> Leader:
    return Leader(
        row["user_id"],
        account_id=row["account_id"],
        profit_share=row["profit_share"],
        active=row["active"],
        version=row["version"],
    )


class SqlLeaders:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self._seen: dict[str, Leader] = {}
        self._loaded: dict[str, int] = {}  # version when read: unchanged rows are not written

    async def get(self, user_id: str) -> Leader | None:
        if user_id in self._seen:
            return self._seen[user_id]
        conn = await self._uow.connection()
        row = (await conn.execute(select(leaders).where(leaders.c.user_id == user_id))).first()
        if row is None:
            return None
        leader = leader_of(row._mapping)
        self._loaded[user_id] = leader.version
        self.add(leader)
        return leader

    def add(self, leader: Leader) -> None:
        if not self._seen:
            self._uow.on_commit(self._flush)
        self._seen[leader.leader_id] = leader
        self._uow.track(leader)

    async def _flush(self, conn: AsyncConnection) -> None:
        changed = [a for k, a in self._seen.items() if self._loaded.get(k) != a.version]
        await conn.run_sync(upsert, leaders, [leader_row(a) for a in changed], ["user_id"])
        # The leader's copies added up start at 0 with their first opt-in.
        first = [a.leader_id for a in changed if a.leader_id not in self._loaded]
        await conn.run_sync(leader_copies.ensure, first)


class SqlTraderFacts:
    """Copy trading's read models of other contexts' events, in its transaction."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def practice_account(self, user_id: str) -> str | None:
        conn = await self._uow.connection()
        p = practice_accounts.c
        found = await conn.scalar(select(p.account_id).where(p.owner_id == user_id))
        return None if found is None else str(found)

    async def record(self, user_id: str, account_id: str) -> TraderRecord:
        conn = await self._uow.connection()
        level = await conn.scalar(select(levels.c.level).where(levels.c.user_id == user_id))
        c = closed_positions.c
        closed = await conn.scalar(select(func.count()).where(c.account_id == account_id))
        p = practice_accounts.c
        account = (
            await conn.execute(select(practice_accounts).where(p.account_id == account_id))
        ).first()
        return TraderRecord(
            level=1 if level is None else int(level),
            closed_positions=int(closed or 0),
            last_liquidation_at=None if account is None else account.last_liquidation_at,
            account_kind=DEFAULT_RULES.leader_account_kind,
        )

    async def user_by_username(self, username: str) -> str | None:
        conn = await self._uow.connection()
        key = traders.c.username_key == username.strip().lower()
        found = await conn.scalar(select(traders.c.user_id).where(key))
        return None if found is None else str(found)

    async def plan(self, user_id: str) -> str:
        conn = await self._uow.connection()
        found = await conn.scalar(select(plans.c.plan).where(plans.c.user_id == user_id))
        return "free" if found is None else str(found)

    async def blocked(self, user_a: str, user_b: str) -> bool:
        conn = await self._uow.connection()
        b = blocks.c
        either = or_(
            and_(b.blocker_id == user_a, b.blocked_id == user_b),
            and_(b.blocker_id == user_b, b.blocked_id == user_a),
        )
        return await conn.scalar(select(b.blocker_id).where(either).limit(1)) is not None


class SqlCopyTradingUnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        ids: IdFactory = new_id,
        *,
        delivery: Delivery | None = None,
        deliveries: Sequence[Delivery] = (),
    ) -> None:
        self._sql = SqlUnitOfWork(
            engine, publisher, clock, ids, delivery=delivery, deliveries=deliveries
        )
        self.leaders = SqlLeaders(self._sql)
        self.copies = SqlCopies(self._sql, clock, ids)
        self.facts = SqlTraderFacts(self._sql)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._sql.rollback()

    async def commit(self) -> None:
        await self._sql.commit_refusing_races()
