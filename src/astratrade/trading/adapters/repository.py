"""SQL repositories and the trading unit of work.

Reads go through the read engine and land in the account cache; a commit writes what
the unit of work changed, its events and its delivery's tracking row as one transaction of
the single writer. State lives in memory, so it never joins a consumer's batch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, and_, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.unit_of_work import record_effects
from astratrade.infrastructure.upsert import upsert
from astratrade.infrastructure.writer import Writer
from astratrade.shared.bus import EventPublisher
from astratrade.shared.clock import Clock
from astratrade.shared.delivery import Delivery
from astratrade.shared.ids import IdFactory
from astratrade.shared.messages import Envelope, number_events
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.cache import AccountCache
from astratrade.trading.adapters.read_models import SqlLeverageLimits, SqlOrderQueries
from astratrade.trading.adapters.rows import fill_row, load_account, order_row, position_row
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.orders import OrderStatus

_UPDATE_ACCOUNT = (
    update(t.accounts)
    .where(t.accounts.c.id == bindparam("b_id"))
    .values(
        collateral=bindparam("b_collateral"),
        version=bindparam("b_version"),
        daily_loss_limit=bindparam("b_daily_loss_limit"),
        results_day=bindparam("b_results_day"),
        day_pnl=bindparam("b_day_pnl"),
        results_week=bindparam("b_results_week"),
        week_pnl=bindparam("b_week_pnl"),
        week_capital=bindparam("b_week_capital"),
    )
)
_DELETE_POSITION = t.positions.delete().where(
    and_(
        t.positions.c.account_id == bindparam("b_account"),
        t.positions.c.market == bindparam("b_market"),
    )
)


class SqlAccountRepository:
    def __init__(self, read_db: AsyncEngine, cache: AccountCache, default_leverage: Decimal):
        self._db = read_db
        self._cache = cache
        self._default_leverage = default_leverage
        self.seen: dict[str, Account] = {}
        self._new: set[str] = set()
        self._stored_version: dict[str, int] = {}

    def add(self, account: Account) -> None:
        self._new.add(account.id)
        self.see(account)

    async def get(self, account_id: str) -> Account | None:
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
            return [row.id for row in rows]

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
        """Bring every account with exposure into memory: price ticks must see them all."""
        async with self._db.connect() as conn:
            rows = await conn.execute(
                select(t.positions.c.account_id).union(
                    select(t.orders.c.account_id).where(t.orders.c.status == OrderStatus.OPEN.value)
                )
            )
            ids = [row[0] for row in rows]
        for account_id in ids:
            await self.get(account_id)
        return len(ids)

    async def _load(self, account_id: str) -> Account | None:
        async with self._db.connect() as conn:
            return await load_account(conn, account_id, self._default_leverage)

    def flush(self, conn: Connection) -> None:
        """Write what changed, a batch per table, inside the writer's transaction."""
        accounts = list(self.seen.values())
        new = [_account_row(a) for a in accounts if a.id in self._new]
        changed = [
            {f"b_{name}": value for name, value in _account_state(a).items()}
            for a in accounts
            if a.id not in self._new and (a.row_changed or a.version != self._stored_version[a.id])
        ]
        flat = [
            {"b_account": a.id, "b_market": m}
            for a in accounts
            for m in sorted(a.dirty_positions)
            if m not in a.positions
        ]
        if new:
            conn.execute(insert(t.accounts), new)
        if changed:
            conn.execute(_UPDATE_ACCOUNT, changed)
        if flat:
            conn.execute(_DELETE_POSITION, flat)
        positions = [
            position_row(a.id, a.positions[m])
            for a in accounts
            for m in sorted(a.dirty_positions)
            if m in a.positions
        ]
        upsert(conn, t.positions, positions, ["account_id", "market"])
        upsert(
            conn,
            t.orders,
            [order_row(o) for a in accounts for o in a.dirty_orders.values()],
            ["id"],
        )
        fills = [fill_row(f) for a in accounts for f in a.new_fills]
        if fills:
            conn.execute(insert(t.fills), fills)
        leverage = [
            {"account_id": a.id, "market": m, "leverage": a.leverage[m]}
            for a in accounts
            for m in sorted(a.dirty_leverage)
        ]
        upsert(conn, t.leverage, leverage, ["account_id", "market"])

    def forget_changes(self) -> None:
        for account in self.seen.values():
            account.dirty_orders.clear()
            account.dirty_positions.clear()
            account.dirty_leverage.clear()
            account.new_fills.clear()
            account.row_changed = False


def _account_row(account: Account) -> dict[str, object]:
    window = account.window
    return {
        **_account_state(account),
        "owner_id": account.owner_id,
        "kind": account.kind.value,
        "currency": account.currency,
        "created_at": account.created_at,
        "markets": None if window is None else list(window.markets),
        "opens_at": None if window is None else window.opens_at,
        "closes_at": None if window is None else window.closes_at,
    }


def _account_state(account: Account) -> dict[str, object]:
    """What changes on an account's own row."""
    results = account.results
    return {
        "id": account.id,
        "collateral": account.collateral,
        "version": account.version,
        "daily_loss_limit": account.daily_loss_limit,
        "results_day": results.day,
        "day_pnl": results.day_pnl,
        "results_week": results.week,
        "week_pnl": results.week_pnl,
        "week_capital": results.week_capital,
    }


class SqlTradingUnitOfWork:
    def __init__(
        self,
        read_db: AsyncEngine,
        writer: Writer,
        publisher: EventPublisher,
        clock: Clock,
        ids: IdFactory,
        cache: AccountCache,
        default_leverage: Decimal,
        default_unlocked: Decimal,
        delivery: Delivery | None = None,
    ) -> None:
        self._db = read_db
        self._delivery = delivery  # of the event whose effects it commits, if any
        self._writer = writer
        self._publisher = publisher
        self._clock = clock
        self._ids = ids
        self._cache = cache
        self.accounts = SqlAccountRepository(read_db, cache, default_leverage)
        self.orders = SqlOrderQueries(read_db)
        self.limits = SqlLeverageLimits(read_db, cache.leverage_limits, default_unlocked)
        self._fundings: list[dict[str, Any]] = []

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

    async def record_funding(
        self, market: str, at: datetime, rate: Decimal, mark: Decimal, accounts_paid: int
    ) -> bool:
        async with self._db.connect() as conn:
            paid = await conn.scalar(
                select(t.funding_payments.c.market).where(
                    and_(
                        t.funding_payments.c.market == market,
                        t.funding_payments.c.funding_time == at,
                    )
                )
            )
        if paid is not None:
            return False
        self._fundings.append(
            {
                "market": market,
                "funding_time": at,
                "rate": rate,
                "mark": mark,
                "accounts_paid": accounts_paid,
            }
        )
        return True

    async def commit(self) -> list[Envelope]:
        delivery = self._delivery
        if delivery is not None and not delivery.pending:
            delivery = None  # written by this handler's first commit
        changed = self.accounts.has_changes or self.limits.staged or self._fundings
        if not changed and delivery is None:
            return []  # a quiet tick touches no database
        now = self._clock.now()
        envelopes = number_events(self.accounts.seen.values(), now, self._ids)
        fundings = self._fundings

        def write(conn: Connection) -> None:
            self.accounts.flush(conn)
            self.limits.flush(conn)
            if fundings:
                conn.execute(insert(t.funding_payments), fundings)
            record_effects(conn, envelopes, delivery, now)

        try:
            await self._writer.run(write)
        except BaseException:
            await self.rollback()
            raise
        if delivery is not None:
            delivery.recorded = True
        self.accounts.forget_changes()
        self.limits.committed()
        for account in self.accounts.seen.values():
            self._cache.put(account)
        self._fundings = []
        self._publisher.committed(envelopes)
        return envelopes

    async def rollback(self) -> None:
        # In-memory state may hold uncommitted changes: reload it from the database.
        self._forget(self.accounts.seen.values())
        self.limits.staged.clear()
        self._fundings = []

    def _forget(self, accounts: Iterable[Account]) -> None:
        for account in list(accounts):
            self._cache.evict(account.id)
