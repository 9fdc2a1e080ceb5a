"""Trading's queries outside the account cache: finished orders and leverage limits."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.infrastructure.upsert import upsert
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.pending import PendingWrites
from astratrade.trading.adapters.rows import fills_of, order_from_row
from astratrade.trading.domain.orders import Order


class SqlOrderQueries:
    """Orders that are no longer in memory: finished ones, looked up by id or client id
    (those decided but not yet written first)."""

    def __init__(self, read_db: AsyncEngine, pending: PendingWrites) -> None:
        self._db = read_db
        self._pending = pending

    async def account_of(self, order_id: str) -> str | None:
        pending = self._pending.account_of(order_id)
        if pending is not None:
            return pending
        async with self._db.connect() as conn:
            account_id = await conn.scalar(
                select(t.orders.c.account_id).where(t.orders.c.id == order_id)
            )
            return None if account_id is None else str(account_id)

    def staged_by_client_id(self, account_id: str, client_order_id: str) -> Order | None:
        """Decided, not yet written (the group commit's)."""
        return self._pending.by_client_id(account_id, client_order_id)

    async def fill_recorded(self, fill_id: str) -> bool:
        if self._pending.has_fill(fill_id):
            return True
        async with self._db.connect() as conn:
            found = await conn.scalar(select(t.fills.c.id).where(t.fills.c.id == fill_id))
        return found is not None

    async def venue_payment_recorded(self, record_id: str) -> bool:
        if self._pending.has_venue_payment(record_id):
            return True
        async with self._db.connect() as conn:
            found = await conn.scalar(
                select(t.venue_payments.c.id).where(t.venue_payments.c.id == record_id)
            )
        return found is not None

    async def by_client_id(self, account_id: str, client_order_id: str) -> Order | None:
        pending = self._pending.by_client_id(account_id, client_order_id)
        if pending is not None:
            return pending
        async with self._db.connect() as conn:
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


class SqlLiveAccess:
    """Reads trading's live-access read model (trading.live_access)."""

    def __init__(self, read_db: AsyncEngine) -> None:
        self._db = read_db

    async def __call__(self, owner_id: str) -> tuple[bool, bool]:
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    select(t.live_access).where(t.live_access.c.owner_id == owner_id)
                )
            ).first()
        return (False, False) if row is None else (bool(row.unlocked), bool(row.kyc))


class SqlOpenOrderLimits:
    """Reads trading's read model of each trader's plan limit (trading.plan_limits)."""

    def __init__(self, read_db: AsyncEngine) -> None:
        self._db = read_db

    async def __call__(self, owner_id: str) -> tuple[str, int] | None:
        async with self._db.connect() as conn:
            row = (
                await conn.execute(
                    select(t.plan_limits).where(t.plan_limits.c.owner_id == owner_id)
                )
            ).first()
        return None if row is None else (str(row.plan), int(row.open_orders))


class SqlLeverageLimits:
    """Trading's read model of each trader's unlocked max leverage, held in memory."""

    def __init__(self, read_db: AsyncEngine, cache: dict[str, Decimal], default: Decimal):
        self._db = read_db
        self._cache = cache
        self._default = default
        self.staged: dict[str, dict[str, Any]] = {}

    async def get(self, owner_id: str | None) -> Decimal:
        if owner_id is None:
            return self._default
        if owner_id not in self._cache:
            async with self._db.connect() as conn:
                stored = await conn.scalar(
                    select(t.leverage_limits.c.max_leverage).where(
                        t.leverage_limits.c.owner_id == owner_id
                    )
                )
            self._cache[owner_id] = self._default if stored is None else Decimal(stored)
        return self._cache[owner_id]

    async def set(self, owner_id: str, max_leverage: Decimal, at: datetime) -> None:
        row = {"owner_id": owner_id, "max_leverage": max_leverage, "updated_at": at}
        self.staged[owner_id] = row

    def flush(self, conn: Connection) -> None:
        upsert(conn, t.leverage_limits, list(self.staged.values()), ["owner_id"])

    def committed(self) -> None:
        for owner_id, row in self.staged.items():
            self._cache[owner_id] = row["max_leverage"]


async def client_ids_written(
    read_db: AsyncEngine, wanted: list[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (account id, client order id) pairs have an order written: one read for a
    batch (a leader fill's copy orders), along the pair's unique index."""
    found: set[tuple[str, str]] = set()
    o = t.orders.c
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        query = select(o.account_id, o.client_order_id).where(
            o.client_order_id.in_([client_id for _, client_id in chunk]),
            o.account_id.in_({account_id for account_id, _ in chunk}),
        )
        async with read_db.connect() as conn:
            found |= {(str(a), str(c)) for a, c in await conn.execute(query)}
    return found & set(wanted)
