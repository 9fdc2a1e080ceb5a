"""What every copy-trading use case is given."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from astratrade.copytrading.domain.rules import CopyRules, MarketRules
from astratrade.copytrading.ports import CopyAccounts, CopyTradingUnitOfWork
from astratrade.shared.clock import Clock
from astratrade.shared.errors import Conflict
from astratrade.shared.ids import IdFactory, new_id
from astratrade.shared.shards import shard_of


class NoCopyAccounts:
    """Where nothing was wired to read trading's accounts (leading only)."""

    async def states(self, account_ids: object, market: str) -> object:
        raise RuntimeError("copy trading was wired without trading's copy accounts")


@dataclass(frozen=True, slots=True)
class Tools:
    new_uow: Callable[[], CopyTradingUnitOfWork]
    clock: Clock
    rules: CopyRules
    accounts: CopyAccounts = field(default_factory=NoCopyAccounts)  # type: ignore[assignment]
    markets: Mapping[str, MarketRules] = field(default_factory=dict)
    ids: IdFactory = new_id
    trading_shards: int = 1  # the platform's setting: how trading splits its accounts

    def account_id_beside(self, source_account_id: str) -> str:
        """A fresh account id in the source account's trading shard (the contract's "Ids and
        shards": the allocation and the return are then one writer's transaction). The same
        hash as trading's `Shards`, from the kernel: contexts import no other context."""
        shard = shard_of(source_account_id, self.trading_shards)
        for _ in range(64 * self.trading_shards):
            candidate = self.ids()
            if shard_of(candidate, self.trading_shards) == shard:
                return candidate
        raise RuntimeError(f"no account id in shard {shard}")

    @property
    def any_market(self) -> str:
        """A market to name where only an account's funds are read (they are the same in
        every market)."""
        return min(self.markets) if self.markets else "BTC-USD"


T = TypeVar("T")
ATTEMPTS = 3


async def retrying(attempt: Callable[[], Awaitable[T]], *, alone: bool = True) -> T:
    """Run `attempt` (a fresh unit of work each time) again when another writer changed one
    of its copies meanwhile: an event's effects are then decided anew on what is committed,
    rather than the event being lost to a race (a stop beside a leader fill). Not `alone`
    (its commit joins a consumer's batch transaction): the conflict fails the batch, which
    the consumer retries whole."""
    if not alone:
        return await attempt()
    for _ in range(ATTEMPTS - 1):
        try:
            return await attempt()
        except Conflict:
            continue
    return await attempt()
