"""The ports trading needs: price feeds now; venues and read models plug in the same way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from astratrade.shared.messages import Envelope
from astratrade.trading.domain.account import Account
from astratrade.trading.domain.live_orders import VenueMarketRules
from astratrade.trading.domain.orders import Order
from astratrade.trading.domain.prices import Quote
from astratrade.trading.domain.venue_link import VenueAccount, VenueLink

QuoteSink = Callable[[list[Quote]], Awaitable[None]]


class PriceFeed(Protocol):
    """Pushes mark/index quotes to the engine until cancelled.

    Each call of `sink` carries the quotes of one moment (one per market or fewer);
    the engine processes fills, triggers and liquidations for each batch."""

    async def run(self, sink: QuoteSink) -> None: ...


class AccountRepository(Protocol):
    def add(self, account: Account) -> None: ...
    async def get(self, account_id: str) -> Account | None: ...
    async def ids_of_owner(self, owner_id: str) -> list[str]: ...
    def active(self) -> list[Account]:
        """Accounts with a position or an open order: the ones a quote can affect."""
        ...

    def see(self, account: Account) -> Account:
        """Mark an account from active() as changed in this unit of work."""
        ...

    async def load_active(self) -> int:
        """Load every account with exposure, so active() is complete."""
        ...


class OrderQueries(Protocol):
    async def account_of(self, order_id: str) -> str | None: ...
    async def by_client_id(self, account_id: str, client_order_id: str) -> Order | None: ...
    def staged_by_client_id(self, account_id: str, client_order_id: str) -> Order | None: ...
    async def fill_recorded(self, fill_id: str) -> bool:
        """Whether a fill of this id is recorded (written, or decided and being written)."""
        ...

    async def venue_payment_recorded(self, record_id: str) -> bool:
        """Whether a live venue's funding payment of this id is recorded (or being written)."""
        ...


class LeverageLimits(Protocol):
    async def get(self, owner_id: str | None) -> Decimal: ...
    async def set(self, owner_id: str, max_leverage: Decimal, at: datetime) -> None: ...


class LiveAccessQuery(Protocol):
    async def __call__(self, owner_id: str) -> tuple[bool, bool]:
        """(practice level unlocked live trading, KYC passed) for the trader."""
        ...


class OpenOrderLimitQuery(Protocol):
    async def __call__(self, owner_id: str) -> tuple[str, int] | None:
        """(plan, open orders an account may hold) for the trader, if their plan is known."""
        ...


class TradingUnitOfWork(Protocol):
    accounts: AccountRepository
    orders: OrderQueries
    limits: LeverageLimits

    async def record_funding(
        self,
        market: str,
        at: datetime,
        rate: Decimal,
        mark: Decimal,
        accounts_paid: int,
        shard: int = 0,
    ) -> bool:
        """False when this market's funding for `at` was already paid in this shard."""
        ...

    def held_shards(self) -> list[int]:
        """The shards this process writes (the accounts active() holds)."""
        ...

    async def commit(self) -> list[Envelope]:
        """Make the changes this unit of work holds part of the next write."""
        ...

    async def durable(self) -> None:
        """Wait until what was committed is written (the single writer groups commits)."""
        ...

    async def rollback(self) -> None: ...


StarkPublicKey = Callable[[int], int]  # a Stark private key's public key (the SDK's crypto)


class VenueAccounts(Protocol):
    """The live venue's answer about a sub-account, asked with its API key."""

    async def account_of(self, api_key: str) -> VenueAccount | None:
        """The sub-account the key belongs to; None if the venue does not know the key.
        Raises Unavailable when the venue cannot be asked."""
        ...


class VenueLinks(Protocol):
    """Live accounts' links to the venue, their secrets sealed at rest."""

    async def save(self, link: VenueLink) -> None: ...
    async def get(self, account_id: str) -> VenueLink | None: ...
    async def delete(self, account_id: str) -> bool:
        """Forget the link and its keys; whether there was one."""
        ...


class LiveVenue(Protocol):
    """The live venue's order desk, for a connected sub-account: market rules, signed
    orders placed by external id (a second placement of the same id is the same order),
    cancels. Raises VenueRefused when the venue refuses, Unavailable when it cannot be
    asked."""

    async def market_rules(self, market: str) -> VenueMarketRules: ...
    async def place(self, link: VenueLink, order: Order) -> None: ...
    async def cancel(self, link: VenueLink, order: Order) -> None: ...
    async def cancel_all(self, link: VenueLink) -> None: ...


@dataclass(frozen=True, slots=True)
class LiveTrading:
    """What live accounts' orders need: their links (the keys) and the venue."""

    links: VenueLinks
    venue: LiveVenue
