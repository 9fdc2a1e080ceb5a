"""SQL repositories and the trading unit of work (write-through to the account cache)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Self

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from astratrade.infrastructure.unit_of_work import SqlUnitOfWork
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.ids import IdFactory
from astratrade.shared.messages import Envelope
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.cache import AccountCache
from astratrade.trading.adapters.rows import (
    fill_row,
    fills_of,
    order_from_row,
    order_row,
    position_from_row,
    position_row,
    upsert,
)
from astratrade.trading.domain.account import Account, AccountKind, LeverageSettings
from astratrade.trading.domain.orders import Order, OrderStatus


class SqlAccountRepository:
    def __init__(self, uow: SqlUnitOfWork, cache: AccountCache, default_leverage: Decimal) -> None:
        self._uow = uow
        self._cache = cache
        self._default_leverage = default_leverage
        self.seen: dict[str, Account] = {}
        self._new: set[str] = set()
        self._stored_version: dict[str, int] = {}
        uow.on_commit(self._flush)

    def add(self, account: Account) -> None:
        self._new.add(account.id)
        self._see(account)

    async def get(self, account_id: str) -> Account | None:
        account = self._cache.get(account_id)
        if account is None:
            account = await self._load(account_id)
            if account is None:
                return None
            self._cache.put(account)
        return self._see(account)

    async def ids_of_owner(self, owner_id: str) -> list[str]:
        conn = await self._uow.connection()
        rows = await conn.execute(
            select(t.accounts.c.id)
            .where(t.accounts.c.owner_id == owner_id)
            .order_by(t.accounts.c.created_at, t.accounts.c.id)
        )
        return [row.id for row in rows]

    def active(self) -> list[Account]:
        return list(self._cache.active.values())

    def see(self, account: Account) -> Account:
        return self._see(account)

    async def load_active(self) -> int:
        """Bring every account with exposure into memory: price ticks must see them all."""
        conn = await self._uow.connection()
        rows = await conn.execute(
            select(t.positions.c.account_id).union(
                select(t.orders.c.account_id).where(t.orders.c.status == OrderStatus.OPEN.value)
            )
        )
        ids = [row[0] for row in rows]
        for account_id in ids:
            await self.get(account_id)
        return len(ids)

    def _see(self, account: Account) -> Account:
        if account.id not in self.seen:
            self.seen[account.id] = account
            self._stored_version[account.id] = account.version
        self._uow.track(account)
        return account

    async def _load(self, account_id: str) -> Account | None:
        conn = await self._uow.connection()
        row = (await conn.execute(select(t.accounts).where(t.accounts.c.id == account_id))).first()
        if row is None:
            return None
        leverage_rows = await conn.execute(
            select(t.leverage).where(t.leverage.c.account_id == account_id)
        )
        position_rows = await conn.execute(
            select(t.positions).where(t.positions.c.account_id == account_id)
        )
        order_rows = await conn.execute(
            select(t.orders)
            .where(and_(t.orders.c.account_id == account_id, t.orders.c.status == "open"))
            # Oldest first: the order margin lets a position cover its oldest orders first.
            .order_by(t.orders.c.created_at, t.orders.c.id)
        )
        return Account(
            row.id,
            owner_id=row.owner_id,
            kind=AccountKind(row.kind),
            currency=row.currency,
            collateral=row.collateral,
            leverage=LeverageSettings(
                self._default_leverage, {r.market: r.leverage for r in leverage_rows}
            ),
            created_at=row.created_at,
            positions=[position_from_row(r) for r in position_rows],
            open_orders=[order_from_row(r) for r in order_rows],
            version=row.version,
        )

    async def _flush(self, conn: AsyncConnection) -> None:
        for account in self.seen.values():
            await self._write(conn, account)

    async def _write(self, conn: AsyncConnection, account: Account) -> None:
        if account.id in self._new:
            await conn.execute(insert(t.accounts).values(_account_row(account)))
        elif account.balance_changed or account.version != self._stored_version[account.id]:
            await conn.execute(
                update(t.accounts)
                .where(t.accounts.c.id == account.id)
                .values(collateral=account.collateral, version=account.version)
            )
        await self._write_positions(conn, account)
        await upsert(conn, t.orders, [order_row(o) for o in account.dirty_orders.values()], ["id"])
        if account.new_fills:
            await conn.execute(insert(t.fills), [fill_row(f) for f in account.new_fills])
        await upsert(
            conn,
            t.leverage,
            [
                {"account_id": account.id, "market": m, "leverage": account.leverage[m]}
                for m in sorted(account.dirty_leverage)
            ],
            ["account_id", "market"],
        )
        account.dirty_orders.clear()
        account.dirty_positions.clear()
        account.dirty_leverage.clear()
        account.new_fills.clear()
        account.balance_changed = False

    async def _write_positions(self, conn: AsyncConnection, account: Account) -> None:
        flat = [m for m in account.dirty_positions if m not in account.positions]
        if flat:
            await conn.execute(
                t.positions.delete().where(
                    and_(t.positions.c.account_id == account.id, t.positions.c.market.in_(flat))
                )
            )
        open_rows = [
            position_row(account.id, account.positions[m])
            for m in sorted(account.dirty_positions)
            if m in account.positions
        ]
        await upsert(conn, t.positions, open_rows, ["account_id", "market"])


def _account_row(account: Account) -> dict[str, object]:
    return {
        "id": account.id,
        "owner_id": account.owner_id,
        "kind": account.kind.value,
        "currency": account.currency,
        "collateral": account.collateral,
        "version": account.version,
        "created_at": account.created_at,
    }


class SqlOrderQueries:
    """Orders that are no longer in memory: finished ones, looked up by id or client id."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def account_of(self, order_id: str) -> str | None:
        conn = await self._uow.connection()
        row = (
            await conn.execute(select(t.orders.c.account_id).where(t.orders.c.id == order_id))
        ).first()
        return None if row is None else str(row.account_id)

    async def by_client_id(self, account_id: str, client_order_id: str) -> Order | None:
        conn = await self._uow.connection()
        row = (
            await conn.execute(
                select(t.orders).where(
                    and_(
                        t.orders.c.account_id == account_id,
                        t.orders.c.client_order_id == client_order_id,
                    )
                )
            )
        ).first()
        if row is None:
            return None
        fills = await fills_of(conn, [row.id])
        return order_from_row(row, fills.get(row.id, []))


class SqlLeverageLimits:
    """Trading's read model of each trader's unlocked max leverage."""

    def __init__(self, uow: SqlUnitOfWork, default: Decimal) -> None:
        self._uow = uow
        self._default = default

    async def get(self, owner_id: str | None) -> Decimal:
        if owner_id is None:
            return self._default
        conn = await self._uow.connection()
        row = (
            await conn.execute(
                select(t.leverage_limits.c.max_leverage).where(
                    t.leverage_limits.c.owner_id == owner_id
                )
            )
        ).first()
        return self._default if row is None else Decimal(row.max_leverage)

    async def set(self, owner_id: str, max_leverage: Decimal, at: datetime) -> None:
        conn = await self._uow.connection()
        row = {"owner_id": owner_id, "max_leverage": max_leverage, "updated_at": at}
        await upsert(conn, t.leverage_limits, [row], ["owner_id"])


class SqlFundingLog:
    async def record(
        self, uow: SqlUnitOfWork, market: str, at: datetime, rate: Decimal, mark: Decimal,
        accounts_paid: int,
    ) -> bool:  # fmt: skip
        """Record a funding; False if this market's funding for `at` was already paid."""
        conn = await uow.connection()
        exists = (
            await conn.execute(
                select(t.funding_payments.c.market).where(
                    and_(t.funding_payments.c.market == market,
                         t.funding_payments.c.funding_time == at)
                )
            )
        ).first()  # fmt: skip
        if exists:
            return False
        await conn.execute(
            insert(t.funding_payments).values(
                market=market, funding_time=at, rate=rate, mark=mark, accounts_paid=accounts_paid
            )
        )
        return True


class SqlTradingUnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        ids: IdFactory,
        cache: AccountCache,
        default_leverage: Decimal,
        default_unlocked: Decimal,
    ) -> None:
        self._uow = SqlUnitOfWork(engine, publisher, clock, ids)
        self._cache = cache
        self.accounts = SqlAccountRepository(self._uow, cache, default_leverage)
        self.orders = SqlOrderQueries(self._uow)
        self.limits = SqlLeverageLimits(self._uow, default_unlocked)
        self._funding = SqlFundingLog()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            self._forget(self.accounts.seen.values())
        await self._uow.rollback()

    async def record_funding(
        self, market: str, at: datetime, rate: Decimal, mark: Decimal, accounts_paid: int
    ) -> bool:
        return await self._funding.record(self._uow, market, at, rate, mark, accounts_paid)

    async def commit(self) -> list[Envelope]:
        if not self._uow.is_open and not any(a.is_dirty for a in self.accounts.seen.values()):
            return []  # nothing read or changed: a quiet tick touches no database
        try:
            envelopes = await self._uow.commit()
        except BaseException:
            self._forget(self.accounts.seen.values())
            raise
        for account in self.accounts.seen.values():
            self._cache.put(account)
        return envelopes

    async def rollback(self) -> None:
        self._forget(self.accounts.seen.values())
        await self._uow.rollback()

    def _forget(self, accounts: Iterable[Account]) -> None:
        # Their in-memory state may hold uncommitted changes: reload from the database.
        for account in list(accounts):
            self._cache.evict(account.id)
