"""Trading's committed state for the rest of the platform, read beside the engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from astratrade.shared.clock import Clock
from astratrade.shared.errors import NotFound, ValidationFailed
from astratrade.trading import views
from astratrade.trading.adapters import tables as t
from astratrade.trading.adapters.cache import AccountCache
from astratrade.trading.adapters.rows import load_account
from astratrade.trading.copy_views import (
    MAX_COPY_STATES,
    CopyStates,
    copy_account_state,
)
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.margin import Markets, Marks
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.venue import Venue
from astratrade.trading.live_reconciliation import LiveHoldings

T = TypeVar("T")
Positioned = tuple[str, views.PositionView]  # a position and the id of its account


@dataclass(frozen=True, slots=True)
class SettledPrices:
    """The marks of the last batch of quotes whose fills and liquidations are committed."""

    markets: Markets
    marks: Marks


class TradingQueries:
    """What the rest of the platform reads of trading -- the realtime hub, financial's
    funds check, the HTTP read routes -- answered without the engine's lock: a reader never
    waits behind a command, and never holds one up.

    It reads committed state only, never a command half-applied:
    - from the engine's accounts in memory while no unit of work is open on them (between
      commands they are exactly what was committed: a unit of work commits what it changed
      or evicts it before it closes); the check and the read are one step without an
      await, so no command starts in between;
    - otherwise (a command under way, or an account not in memory) from the database
      through the read engine, in one snapshot transaction: SQLite's read transaction is
      one, PostgreSQL's is made REPEATABLE READ, so an account's row, positions, orders
      and leverage all come from the same commit.
    Figures are valued at the marks of the last batch of quotes the engine finished. Those
    are told only once the batch's fills and liquidations committed, and taken before the
    state is read, so no state is valued at prices it has not reacted to yet."""

    def __init__(
        self,
        read_db: AsyncEngine,
        cache: AccountCache,
        venue: Venue,
        clock: Clock,
        default_leverage: Decimal,
        default_unlocked: Decimal = Decimal(10),
    ) -> None:
        self._db = read_db
        self._default_unlocked = default_unlocked
        self._cache = cache
        self._clock = clock
        self._default_leverage = default_leverage
        self._prices = SettledPrices(venue.markets, dict(venue.marks))

    def quotes_processed(self, quotes: list[Quote]) -> None:
        """The engine finished a batch of quotes: accounts are valued at them from now."""
        marks = {**self._prices.marks, **{quote.market: quote.mark for quote in quotes}}
        self._prices = SettledPrices(self._prices.markets, marks)

    # -- accounts ---------------------------------------------------------------------------

    async def owner_of(self, account_id: str) -> str | None:
        """The account's owner; None for a system account or no account. An owner never
        changes, so an account in memory answers even while a command is under way."""
        account = self._cache.get(account_id)
        if account is not None:
            return account.owner_id
        async with self._db.connect() as conn:
            query = select(t.accounts.c.owner_id).where(t.accounts.c.id == account_id)
            owner: str | None = await conn.scalar(query)
            return owner

    async def account_ids_of(self, owner_id: str) -> list[str]:
        """The owner's accounts, oldest first."""
        async with self._db.connect() as conn:
            rows = await conn.execute(
                select(t.accounts.c.id)
                .where(t.accounts.c.owner_id == owner_id)
                .order_by(t.accounts.c.created_at, t.accounts.c.id)
            )
            return [row.id for row in rows]

    async def account_view(self, account_id: str) -> views.AccountView | None:
        found = await self._read([account_id], self._account_view)
        return found[0] if found else None

    async def owned_account_view(self, account_id: str, owner_id: str) -> views.AccountView:
        """Another owner's account is not found, as one that does not exist."""
        found = await self._read([account_id], self._owned(owner_id, self._account_view))
        return _one(found, account_id)

    async def account_views_of(self, owner_id: str) -> list[views.AccountView]:
        return await self._read(await self.account_ids_of(owner_id), self._account_view)

    async def account_funds(self, account_id: str) -> views.FundsView | None:
        found = await self._read([account_id], self._funds_view)
        return found[0] if found else None

    async def live_holdings(self, account_id: str) -> LiveHoldings | None:
        """The account's collateral and its positions' signed sizes by market: what a live
        account's venue reports are compared with."""
        found = await self._read(
            [account_id],
            lambda account, _: LiveHoldings(
                account.collateral, {m: p.size for m, p in account.positions.items()}
            ),
        )
        return found[0] if found else None

    # -- positions and open orders ----------------------------------------------------------

    async def position_views(self, account_id: str, owner_id: str) -> list[views.PositionView]:
        found = await self._read([account_id], self._owned(owner_id, views.position_views))
        return _one(found, account_id)

    async def positions_of(self, owner_id: str) -> list[Positioned]:
        """Every open position of the owner's accounts, with the account's id."""
        found = await self._read(
            await self.account_ids_of(owner_id),
            lambda account, prices: [
                (account.id, p) for p in views.position_views(account, prices)
            ],
        )
        return [position for positions in found for position in positions]

    async def open_orders_of(self, owner_id: str) -> list[views.OpenOrderView]:
        """Every open order of the owner's accounts."""
        found = await self._read(
            await self.account_ids_of(owner_id), lambda account, _: views.open_order_views(account)
        )
        return [order for orders in found for order in orders]

    # -- copy trading's read ------------------------------------------------------------------

    async def copy_states(self, account_ids: Sequence[str], market: str) -> CopyStates:
        """The market's mark and each account's state in it (unknown ids left out), all
        valued at one batch's marks."""
        if len(account_ids) > MAX_COPY_STATES:
            raise ValidationFailed(
                "account_ids", f"at most {MAX_COPY_STATES} account ids, was {len(account_ids)}"
            )
        if market not in self._prices.markets:
            raise ValidationFailed("market", f"unknown market {market}")
        read: list[tuple[Account, SettledPrices]] = await self._read(
            list(dict.fromkeys(account_ids)), lambda account, prices: (account, prices)
        )
        prices = read[0][1] if read else self._prices
        unlocked = await self._unlocked_of({a.owner_id for a, _ in read if a.owner_id})
        return CopyStates(
            mark=prices.marks[market],
            accounts={
                a.id: copy_account_state(
                    a, prices, market, unlocked.get(a.owner_id or "", self._default_unlocked)
                )
                for a, _ in read
            },
        )

    async def _unlocked_of(self, owner_ids: set[str]) -> dict[str, Decimal]:
        """Each owner's unlocked leverage: the writer's read model in memory, else stored."""
        known = {
            o: self._cache.leverage_limits[o] for o in owner_ids if o in self._cache.leverage_limits
        }
        missing = owner_ids - set(known)
        if missing:
            limits = t.leverage_limits
            async with self._db.connect() as conn:
                rows = await conn.execute(
                    select(limits.c.owner_id, limits.c.max_leverage).where(
                        limits.c.owner_id.in_(sorted(missing))
                    )
                )
                known.update({row.owner_id: Decimal(row.max_leverage) for row in rows})
        return known

    # -- reading committed accounts ---------------------------------------------------------

    async def _read(
        self, account_ids: Sequence[str], read: Callable[[Account, SettledPrices], T | None]
    ) -> list[T]:
        """`read` of each account that exists (None from it: left out), in their order."""
        prices = self._prices  # before the state: see the class's docstring
        found: dict[str, T | None] = {}
        if self._cache.settled:  # from here to the loop's end, no command can start
            for account_id in account_ids:
                account = self._cache.get(account_id)
                if account is not None:
                    found[account_id] = read(account, prices)
        missing = [account_id for account_id in account_ids if account_id not in found]
        if missing:
            for account in await self._committed(missing):
                found[account.id] = read(account, prices)
        return [item for item in (found.get(i) for i in account_ids) if item is not None]

    async def _committed(self, account_ids: Sequence[str]) -> list[Account]:
        """The accounts as the database holds them, all from one snapshot."""
        async with self._db.connect() as conn:
            if conn.dialect.name == "postgresql":
                await conn.execution_options(isolation_level="REPEATABLE READ")
            loaded = [
                await load_account(conn, account_id, self._default_leverage)
                for account_id in account_ids
            ]
        return [account for account in loaded if account is not None]

    def _account_view(self, account: Account, prices: SettledPrices) -> views.AccountView:
        return views.account_view(account, prices, self._clock.now())

    def _funds_view(self, account: Account, prices: SettledPrices) -> views.FundsView:
        return views.funds_view(account, prices, self._clock.now())

    @staticmethod
    def _owned(
        owner_id: str, read: Callable[[Account, SettledPrices], T]
    ) -> Callable[[Account, SettledPrices], T | None]:
        def owned(account: Account, prices: SettledPrices) -> T | None:
            return read(account, prices) if account.owner_id == owner_id else None

        return owned


def _one(found: list[T], account_id: str) -> T:
    if not found:
        raise NotFound(f"account {account_id} not found")
    return found[0]
