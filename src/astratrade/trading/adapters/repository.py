"""SQL repositories and the trading unit of work.

Reads go through the read engine and land in the account cache; a commit stages what the
unit of work changed, its events and its delivery's tracking row with the group commit,
which writes them in one transaction of the single writer with the other commands of its
batch. State lives in memory, so it never joins a consumer's batch."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.errors import Unavailable
from astratrade.shared.ids import IdFactory
from astratrade.shared.messages import Envelope, number_events
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.cache import AccountCache
from astratrade.trading.adapters.changes import Changes, take_changes
from astratrade.trading.adapters.group_commit import GroupCommit
from astratrade.trading.adapters.held_shards import HeldShards
from astratrade.trading.adapters.pending import PendingWrites
from astratrade.trading.adapters.read_models import SqlLeverageLimits, SqlOrderQueries
from astratrade.trading.adapters.rows import LIVE_STATUSES, load_account
from astratrade.trading.domain.account import Account


class SqlAccountRepository:
    def __init__(
        self,
        read_db: AsyncEngine,
        cache: AccountCache,
        default_leverage: Decimal,
        pending: PendingWrites,
        held: HeldShards,
    ) -> None:
        self._db = read_db
        self._cache = cache
        self._pending = pending
        self._held = held
        self._default_leverage = default_leverage
        self.seen: dict[str, Account] = {}
        self._new: set[str] = set()
        self._stored_version: dict[str, int] = {}

    def add(self, account: Account) -> None:
        self._held.token_for(account.id)  # opened only in a shard this process writes
        self._new.add(account.id)
        self.see(account)

    async def get(self, account_id: str) -> Account | None:
        self._held.token_for(account_id)  # another replica's account is not read here
        account = self._cache.get(account_id)
        if account is None:
            account = await self._load(account_id)
            if account is None:
                return None
            self._cache.put(account)
        return self.see(account)

    async def ids_of_owner(self, owner_id: str) -> list[str]:
        async with self._db.connect() as conn:
            rows = await conn.execute(
                select(t.accounts.c.id)
                .where(t.accounts.c.owner_id == owner_id)
                .order_by(t.accounts.c.created_at, t.accounts.c.id)
            )
            stored = [row.id for row in rows]
        return stored + [i for i in self._pending.accounts_of(owner_id) if i not in stored]

    def active(self) -> list[Account]:
        return list(self._cache.active.values())

    def see(self, account: Account) -> Account:
        if account.id not in self.seen:
            self.seen[account.id] = account
            self._stored_version[account.id] = account.version
        return account

    @property
    def has_changes(self) -> bool:
        return any(account.is_dirty for account in self.seen.values())

    async def load_active(self) -> int:
        """Bring every account with exposure in the held shards into memory: price ticks
        must see them all."""
        async with self._db.connect() as conn:
            rows = await conn.execute(
                select(t.positions.c.account_id).union(
                    select(t.orders.c.account_id).where(t.orders.c.status.in_(LIVE_STATUSES))
                )
            )
            held = self._held.tokens
            ids = [row[0] for row in rows if self._held.shards.of(row[0]) in held]
        for account_id in ids:
            await self.get(account_id)
        return len(ids)

    async def _load(self, account_id: str) -> Account | None:
        async with self._db.connect() as conn:
            return await load_account(conn, account_id, self._default_leverage)

    def take_changes(self) -> Changes:
        """The rows of what changed since the last commit (events numbered already)."""
        changes = take_changes(self.seen.values(), self._new, self._stored_version)
        self._new.clear()
        self._stored_version = {a.id: a.version for a in self.seen.values()}
        return changes


class SqlTradingUnitOfWork:
    """A command's unit of work: it reads through the account cache and, on commit, stages
    its rows with the group commit (`durable` waits for them to be written)."""

    def __init__(
        self,
        read_db: AsyncEngine,
        group: GroupCommit,
        held: HeldShards,
        clock: Clock,
        ids: IdFactory,
        cache: AccountCache,
        default_leverage: Decimal,
        default_unlocked: Decimal,
        delivery: Delivery | None = None,
    ) -> None:
        self._db = read_db
        self._delivery = delivery  # of the event whose effects it commits, if any
        self._group = group
        self._epoch = group.epoch
        self._clock = clock
        self._ids = ids
        self._cache = cache
        self._held = held
        self.accounts = SqlAccountRepository(read_db, cache, default_leverage, group.pending, held)
        self.orders = SqlOrderQueries(read_db, group.pending)
        self.limits = SqlLeverageLimits(read_db, cache.leverage_limits, default_unlocked)
        self._fundings: list[dict[str, Any]] = []
        self._written: asyncio.Future[None] | None = None

    async def __aenter__(self) -> Self:
        self._cache.open_units += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc is not None:
                await self.rollback()
        finally:
            self._cache.open_units -= 1

    def held_shards(self) -> list[int]:
        return sorted(self._held.tokens)

    async def record_funding(
        self,
        market: str,
        at: datetime,
        rate: Decimal,
        mark: Decimal,
        accounts_paid: int,
        shard: int = 0,
    ) -> bool:
        key = (market, at, shard)
        staged = any((f["market"], f["funding_time"], f["shard"]) == key for f in self._fundings)
        if staged or self._group.pending.funding_paid(market, at, shard):
            return False
        f = t.funding_payments
        async with self._db.connect() as conn:
            paid = await conn.scalar(
                select(f.c.market).where(
                    and_(f.c.market == market, f.c.funding_time == at, f.c.shard == shard)
                )
            )
        if paid is not None:
            return False
        self._fundings.append(
            {
                "market": market,
                "funding_time": at,
                "shard": shard,
                "rate": rate,
                "mark": mark,
                "accounts_paid": accounts_paid,
            }
        )
        return True

    async def commit(self) -> list[Envelope]:
        """Stage what changed (memory already holds it) for the next group commit."""
        delivery = self._delivery
        if delivery is not None and (not delivery.pending or self._written is not None):
            delivery = None  # recorded, or staged with this handler's first commit
        changed = self.accounts.has_changes or self.limits.staged or self._fundings
        if not changed and delivery is None:
            return []  # a quiet tick touches no database
        if self._group.epoch != self._epoch:  # decided on state a failed batch evicted
            await self.rollback()
            raise Unavailable("trading could not commit; try again")
        envelopes = number_events(self.accounts.seen.values(), self._clock.now(), self._ids)
        seen = list(self.accounts.seen.values())
        # The leases its rows are written under (lost meanwhile: ShardElsewhere).
        tokens = dict(self._held.token_for(account.id) for account in seen)
        orders = [order for account in seen for order in account.dirty_orders.values()]
        changes = self.accounts.take_changes()
        changes.limits = dict(self.limits.staged)
        changes.fundings, self._fundings = self._fundings, []
        changes.envelopes = envelopes
        changes.deliveries = [] if delivery is None else [delivery]
        owners = list(self.limits.staged)
        self.limits.committed()
        self.limits.staged.clear()
        for account in seen:
            self._cache.put(account)
        self._written = self._group.stage(changes, seen, owners, orders, tokens)
        return envelopes

    async def durable(self) -> None:
        """Wait until what this unit of work committed is written (Unavailable if not)."""
        if self._written is not None:
            await self._written

    async def rollback(self) -> None:
        """Memory back to what the database holds: a command that failed after changing
        an account leaves it to be reloaded, once the commands before it are written."""
        changed = [account for account in self.accounts.seen.values() if account.is_dirty]
        if changed:
            await self._group.settled()
            for account in changed:
                self._cache.evict(account.id)
        self.limits.staged.clear()
        self._fundings = []
